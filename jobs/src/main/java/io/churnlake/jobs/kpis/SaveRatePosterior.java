package io.churnlake.jobs.kpis;

import java.util.List;

/**
 * The posterior of an action's save rate s (the share of would-be churners the action keeps: a
 * treated customer churns with probability p x (1 - s) where a control customer churns with p) from
 * a Beta prior and the randomised strata of matured campaign waves. Each stratum (a wave and
 * segment with treated and control customers) has its own control churn probability p, uniform a
 * priori and integrated out, so strata of different risk combine without pooling their rates:
 *
 * <pre>
 *   L(s) = prod over strata of  integral over p of
 *          p^cc (1-p)^(nc-cc) x (p(1-s))^ct (1-p(1-s))^(nt-ct) dp
 * </pre>
 *
 * <p>s lives on [-1, 1]: a negative rate is an action that raises churn (a treated customer churns
 * with p x (1 - s) > p; a (p, s) pair with p x (1 - s) >= 1 is impossible and weighs nothing). The
 * prior is a Beta on (1 + s) / 2, Beta(u0 x k, (1 - u0) x k) with u0 = (1 + s0) / 2 for the
 * configured rate s0 (in [0, 1]: nobody types in a rate that harms) and the prior strength k
 * (pseudo-customers' worth of evidence), each parameter at least 0.5 so that the prior stays
 * proper. The posterior is evaluated exactly on a grid of s (and of p for the integral): no
 * sampling, the same figures on every run. A handful of strata per action: driver work.
 */
public final class SaveRatePosterior {
  static final int S_POINTS = 2000;
  static final int P_POINTS = 400;

  /** One wave and segment's randomised groups. */
  public record Stratum(long treated, long treatedChurned, long control, long controlChurned) {
    /** Both groups have customers: the stratum carries evidence about s. */
    boolean informative() {
      return treated > 0 && control > 0;
    }
  }

  /** Posterior mean and 95% credible interval (equal tails), and the strata that informed it. */
  public record Posterior(double mean, double lower, double upper, int strata) {}

  private SaveRatePosterior() {}

  /**
   * @param priorRate the configured save rate, in [0, 1]
   * @param strength the prior's weight in pseudo-customers, > 0
   */
  public static Posterior of(double priorRate, double strength, List<Stratum> strata) {
    if (!(priorRate >= 0 && priorRate <= 1) || !(strength > 0)) {
      throw new IllegalArgumentException(
          "a save-rate prior needs a rate in [0, 1] and a strength > 0, not "
              + priorRate
              + " and "
              + strength);
    }
    double u0 = (1 + priorRate) / 2;
    double a = Math.max(0.5, u0 * strength);
    double b = Math.max(0.5, (1 - u0) * strength);
    List<Stratum> used = strata.stream().filter(Stratum::informative).toList();
    double[] logPost = new double[S_POINTS];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < S_POINTS; i++) {
      double s = rate(i + 0.5);
      double u = (1 + s) / 2;
      double lp = (a - 1) * Math.log(u) + (b - 1) * Math.log1p(-u);
      for (Stratum st : used) {
        lp += logLikelihood(s, st);
      }
      logPost[i] = lp;
      max = Math.max(max, lp);
    }
    double[] w = new double[S_POINTS];
    double total = 0;
    for (int i = 0; i < S_POINTS; i++) {
      w[i] = Math.exp(logPost[i] - max);
      total += w[i];
    }
    double mean = 0;
    double cumulative = 0;
    double lower = Double.NaN;
    double upper = Double.NaN;
    for (int i = 0; i < S_POINTS; i++) {
      double s = rate(i + 0.5);
      double share = w[i] / total;
      mean += s * share;
      double before = cumulative;
      cumulative += share;
      if (Double.isNaN(lower) && cumulative >= 0.025) {
        lower = interpolate(i, before, cumulative, 0.025);
      }
      if (Double.isNaN(upper) && cumulative >= 0.975) {
        upper = interpolate(i, before, cumulative, 0.975);
      }
    }
    return new Posterior(mean, lower, upper, used.size());
  }

  /** The s at which the cumulative share reaches {@code target} within grid cell i. */
  private static double interpolate(int i, double before, double after, double target) {
    double within = after > before ? (target - before) / (after - before) : 0.5;
    return rate(i + within);
  }

  /** The save rate at grid position {@code x} (0 .. S_POINTS spans -1 .. 1). */
  private static double rate(double x) {
    return -1 + 2 * x / S_POINTS;
  }

  /** log of the stratum's likelihood at s, its control churn probability p integrated out. */
  static double logLikelihood(double s, Stratum st) {
    long nt = st.treated();
    long ct = st.treatedChurned();
    long nc = st.control();
    long cc = st.controlChurned();
    double[] terms = new double[P_POINTS];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < P_POINTS; j++) {
      double p = (j + 0.5) / P_POINTS;
      double q = p * (1 - s);
      if (q >= 1) {
        // Impossible: weighs exp(-inf) = 0. The smallest p is possible for every s >= -1, so the
        // maximum below stays finite.
        terms[j] = Double.NEGATIVE_INFINITY;
        continue;
      }
      double t =
          cc * Math.log(p)
              + (nc - cc) * Math.log1p(-p)
              + (ct == 0 ? 0 : ct * Math.log(q))
              + (nt - ct) * Math.log1p(-q);
      terms[j] = t;
      max = Math.max(max, t);
    }
    double sum = 0;
    for (double t : terms) {
      sum += Math.exp(t - max);
    }
    return max + Math.log(sum / P_POINTS);
  }
}
