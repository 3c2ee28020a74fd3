package io.churnlake.jobs.clv;

/** Gauss's hypergeometric function 2F1, as BG/NBD's expected purchases need it. */
final class Hypergeometric {
  private static final int MAX_TERMS = 200_000;

  private Hypergeometric() {}

  /**
   * 2F1(a, b; c; z) for 0 <= z < 1 by its power series, summed until a term no longer changes the
   * sum in double precision (c must not be 0 or a negative integer).
   *
   * @throws ArithmeticException when the series has not converged after 200,000 terms (z too close
   *     to 1)
   */
  static double f21(double a, double b, double c, double z) {
    if (!(z >= 0 && z < 1)) {
      throw new IllegalArgumentException("2F1 needs 0 <= z < 1, got " + z);
    }
    double term = 1.0;
    double sum = 1.0;
    for (int k = 0; k < MAX_TERMS; k++) {
      term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
      double next = sum + term;
      // Once the terms shrink (k beyond a, b, c), stop when they no longer move the sum.
      if (next == sum && k > Math.max(Math.abs(a), Math.abs(b)) + Math.abs(c)) {
        return next;
      }
      sum = next;
    }
    throw new ArithmeticException(
        "2F1(" + a + ", " + b + "; " + c + "; " + z + ") did not converge in " + MAX_TERMS);
  }
}
