package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sqrt;

import org.apache.spark.sql.Column;

/**
 * 95% intervals for a proportion and for the difference of two, as column expressions that keep a
 * width at small counts and at rates of 0 or 1 (where the Wald interval collapses to a point):
 * Wilson's score interval for a rate (Wilson 1927), and Newcombe's hybrid score interval for a
 * difference, built from the two Wilson intervals (Newcombe 1998, method 10).
 */
public final class ProportionIntervals {
  /** The standard normal quantile of 0.975. */
  public static final double Z95 = 1.959963984540054;

  private ProportionIntervals() {}

  /** A lower and an upper bound. */
  public record Bounds(Column lower, Column upper) {}

  /** Wilson's interval for {@code x} successes of {@code n} (n > 0). */
  public static Bounds wilson(Column x, Column n) {
    Column p = x.divide(n);
    double z2 = Z95 * Z95;
    Column denominator = lit(1).plus(lit(z2).divide(n));
    Column center = p.plus(lit(z2).divide(n.multiply(2))).divide(denominator);
    Column half =
        lit(Z95)
            .multiply(
                sqrt(
                    p.multiply(lit(1).minus(p))
                        .divide(n)
                        .plus(lit(z2).divide(n.multiply(n).multiply(4)))))
            .divide(denominator);
    return new Bounds(center.minus(half), center.plus(half));
  }

  /** Newcombe's interval for p1 - p2, with p1 = x1 / n1 and p2 = x2 / n2 (both n > 0). */
  public static Bounds newcombe(Column x1, Column n1, Column x2, Column n2) {
    Column p1 = x1.divide(n1);
    Column p2 = x2.divide(n2);
    Bounds w1 = wilson(x1, n1);
    Bounds w2 = wilson(x2, n2);
    Column d = p1.minus(p2);
    Column below = sqrt(pow(p1.minus(w1.lower()), 2).plus(pow(w2.upper().minus(p2), 2)));
    Column above = sqrt(pow(w1.upper().minus(p1), 2).plus(pow(p2.minus(w2.lower()), 2)));
    return new Bounds(d.minus(below), d.plus(above));
  }
}
