package io.churnlake.jobs.clv;

/** Gauss's hypergeometric function 2F1, as BG/NBD's expected purchases need it. */
final class Hypergeometric {
  private static final int MAX_TERMS = 200_000;

  private Hypergeometric() {}

  /**
   * 2F1(a, b; c; z) for 0 <= z < 1 by its power series, summed until a bound on the remaining terms
   * can no longer change the sum in double precision.
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
      sum += term;
      // Every later term ratio is at most z max(1, (a+k+1)/(k+2)) max(1, (b+k+1)/(c+k+1)) (each
      // factor moves monotonically to 1), so once that bound is below 1 the rest of the series is
      // at most |term| bound / (1 - bound): stop when that cannot change the sum.
      double bound =
          z * Math.max(1, (a + k + 1) / (k + 2)) * Math.max(1, (b + k + 1) / (c + k + 1));
      if (c + k + 1 > 0
          && bound < 1
          && Math.abs(term) * bound / (1 - bound) <= 1e-17 * Math.abs(sum)) {
        return sum;
      }
    }
    throw new ArithmeticException(
        "2F1(" + a + ", " + b + "; " + c + "; " + z + ") did not converge in " + MAX_TERMS);
  }
}
