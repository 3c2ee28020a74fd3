package io.churnlake.jobs.clv;

import static org.apache.commons.math3.special.Gamma.logGamma;

/**
 * The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV"; Fader and
 * Hardie 2013): a customer's purchase values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across
 * customers, independent of the purchase process. A customer is summarised by x purchases of mean
 * value m.
 */
public record GammaGamma(double p, double q, double gamma) implements java.io.Serializable {

  public double[] toArray() {
    return new double[] {p, q, gamma};
  }

  public static GammaGamma of(double[] v) {
    return new GammaGamma(v[0], v[1], v[2]);
  }

  /** The log-likelihood of the mean value m of x purchases (x >= 1, m > 0). */
  public double logLikelihood(double x, double m) {
    double px = p * x;
    return logGamma(px + q)
        - logGamma(px)
        - logGamma(q)
        + q * Math.log(gamma)
        + (px - 1) * Math.log(m)
        + px * Math.log(x)
        - (px + q) * Math.log(gamma + x * m);
  }

  /**
   * The expected value of the customer's next purchase given x purchases of mean m: a weighted
   * average of the population mean (p gamma / (q - 1)) and m, weighing m more with more purchases.
   */
  public double expectedSpend(double x, double m) {
    return p * (gamma + x * m) / (p * x + q - 1);
  }

  /** Mean purchase value across customers; defined for q > 1. */
  public double populationMeanSpend() {
    return p * gamma / (q - 1);
  }
}
