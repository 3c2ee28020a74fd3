package io.churnlake.jobs.clv;

import static org.apache.commons.math3.special.Gamma.logGamma;

/**
 * The BG/NBD model (Fader, Hardie and Lee 2005, "Counting your customers the easy way"): while
 * alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha) and after each purchase drops
 * out with probability p ~ Beta(a, b). A customer is summarised by x (repeat purchases), tx (time
 * of the last purchase since the first) and t (time since the first purchase), in one time unit
 * (days in churnlake). Everything is computed on the log scale where terms can overflow.
 */
public record BgNbd(double r, double alpha, double a, double b) implements java.io.Serializable {

  /** The parameters in the order of {@link #of(double[])}: r, alpha, a, b. */
  public double[] toArray() {
    return new double[] {r, alpha, a, b};
  }

  public static BgNbd of(double[] p) {
    return new BgNbd(p[0], p[1], p[2], p[3]);
  }

  /** ln B(x, y). */
  static double logBeta(double x, double y) {
    return logGamma(x) + logGamma(y) - logGamma(x + y);
  }

  /**
   * u = ln(a / (b + x - 1)) + (r + x) ln((alpha + t) / (alpha + tx)) for x > 0: the log odds of
   * "dropped out after the last purchase" against "still alive" (P(alive) = 1 / (1 + e^u)).
   */
  private double dropoutLogOdds(double x, double tx, double t) {
    return Math.log(a / (b + x - 1)) + (r + x) * (Math.log(alpha + t) - Math.log(alpha + tx));
  }

  /** ln(1 + e^u) without overflow. */
  static double softplus(double u) {
    return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
  }

  /** The log-likelihood of one customer (eq. 6 of the paper). */
  public double logLikelihood(double x, double tx, double t) {
    double ll =
        logGamma(r + x)
            - logGamma(r)
            + r * Math.log(alpha)
            + logBeta(a, b + x)
            - logBeta(a, b)
            - (r + x) * Math.log(alpha + t);
    return x > 0 ? ll + softplus(dropoutLogOdds(x, tx, t)) : ll;
  }

  /**
   * The probability that the customer is still alive at t (eq. 11); 1 for a customer without a
   * repeat purchase, by construction of the model.
   */
  public double probabilityAlive(double x, double tx, double t) {
    return x > 0 ? Math.exp(-softplus(dropoutLogOdds(x, tx, t))) : 1.0;
  }

  /**
   * Expected purchases in the next {@code horizon} time units given x, tx, t (eq. 10), using 2F1.
   */
  public double expectedPurchases(double horizon, double x, double tx, double t) {
    if (horizon <= 0) {
      return 0.0;
    }
    double z = horizon / (alpha + t + horizon);
    double c = a + b + x - 1;
    double power = Math.exp((r + x) * (Math.log(alpha + t) - Math.log(alpha + t + horizon)));
    double bracket = 1 - power * Hypergeometric.f21(r + x, b + x, c, z);
    return c / (a - 1) * bracket * probabilityAlive(x, tx, t);
  }

  /** Expected purchases of a new customer in its first {@code horizon} time units (eq. 9). */
  public double expectedPurchasesOfNewCustomer(double horizon) {
    double z = horizon / (alpha + horizon);
    double power = Math.pow(alpha / (alpha + horizon), r);
    return (a + b - 1) / (a - 1) * (1 - power * Hypergeometric.f21(r, b, a + b - 1, z));
  }
}
