package io.churnlake.jobs.clv;

import static org.apache.commons.math3.special.Gamma.logGamma;

import java.util.Arrays;

/**
 * Fits BG/NBD and Gamma-Gamma to grouped customer summaries: every distinct summary once, weighed
 * by how many customers share it, so a fit costs the same however many customers there are. Per-x
 * terms are computed once per likelihood evaluation.
 */
public final class ClvFits {
  private ClvFits() {}

  /** Distinct (x, tx, t) summaries with the number of customers having each. */
  public record RecencyFrequency(double[] x, double[] tx, double[] t, double[] count) {
    public RecencyFrequency {
      if (x.length != tx.length || x.length != t.length || x.length != count.length) {
        throw new IllegalArgumentException("summary columns differ in length");
      }
    }

    double customers() {
      return Arrays.stream(count).sum();
    }
  }

  /** Distinct (x, m) summaries (x purchases of mean value m) with their customer counts. */
  public record Spend(double[] x, double[] m, double[] count) {
    public Spend {
      if (x.length != m.length || x.length != count.length) {
        throw new IllegalArgumentException("summary columns differ in length");
      }
    }

    /** Mean of the customers' mean spends (each customer once). */
    double meanSpend() {
      double total = 0;
      double n = 0;
      for (int i = 0; i < x.length; i++) {
        total += count[i] * m[i];
        n += count[i];
      }
      return total / Math.max(n, 1);
    }
  }

  /** The total BG/NBD log-likelihood of grouped summaries. */
  public static double logLikelihood(BgNbd model, RecencyFrequency s) {
    return bgNbd(s).applyAsDouble(model);
  }

  /** The total Gamma-Gamma log-likelihood of grouped summaries. */
  public static double logLikelihood(GammaGamma model, Spend s) {
    return gammaGamma(s).applyAsDouble(model);
  }

  /** Distinct values of x and each summary's index among them. */
  private record DistinctX(double[] values, int[] index) {
    static DistinctX of(double[] x) {
      double[] values = Arrays.stream(x).distinct().sorted().toArray();
      int[] index = new int[x.length];
      for (int i = 0; i < x.length; i++) {
        index[i] = Arrays.binarySearch(values, x[i]);
      }
      return new DistinctX(values, index);
    }
  }

  /**
   * The BG/NBD log-likelihood of {@code s} as a function of the model: the terms that depend on x
   * only (log-gamma and log-beta) once per distinct x, two logarithms per summary.
   */
  static java.util.function.ToDoubleFunction<BgNbd> bgNbd(RecencyFrequency s) {
    DistinctX d = DistinctX.of(s.x());
    return m -> {
      double[] perX = new double[d.values().length];
      double[] odds = new double[d.values().length];
      double base = -logGamma(m.r()) + m.r() * Math.log(m.alpha()) - BgNbd.logBeta(m.a(), m.b());
      for (int k = 0; k < perX.length; k++) {
        double x = d.values()[k];
        perX[k] = base + logGamma(m.r() + x) + BgNbd.logBeta(m.a(), m.b() + x);
        odds[k] = x > 0 ? Math.log(m.a() / (m.b() + x - 1)) : 0;
      }
      double total = 0;
      for (int i = 0; i < s.x().length; i++) {
        int k = d.index()[i];
        double x = s.x()[i];
        double logT = Math.log(m.alpha() + s.t()[i]);
        double ll = perX[k] - (m.r() + x) * logT;
        if (x > 0) {
          ll += BgNbd.softplus(odds[k] + (m.r() + x) * (logT - Math.log(m.alpha() + s.tx()[i])));
        }
        total += s.count()[i] * ll;
      }
      return total;
    };
  }

  /**
   * The Gamma-Gamma log-likelihood of {@code s} as a function of the model: log-gamma terms once
   * per distinct x, one logarithm per summary.
   */
  static java.util.function.ToDoubleFunction<GammaGamma> gammaGamma(Spend s) {
    DistinctX d = DistinctX.of(s.x());
    double[] logM = Arrays.stream(s.m()).map(Math::log).toArray();
    return g -> {
      double[] perX = new double[d.values().length];
      for (int k = 0; k < perX.length; k++) {
        double px = g.p() * d.values()[k];
        perX[k] =
            logGamma(px + g.q())
                - logGamma(px)
                - logGamma(g.q())
                + g.q() * Math.log(g.gamma())
                + px * Math.log(d.values()[k]);
      }
      double total = 0;
      for (int i = 0; i < s.x().length; i++) {
        double x = s.x()[i];
        double px = g.p() * x;
        total +=
            s.count()[i]
                * (perX[d.index()[i]]
                    + (px - 1) * logM[i]
                    - (px + g.q()) * Math.log(g.gamma() + x * s.m()[i]));
      }
      return total;
    };
  }

  /** BG/NBD by maximum likelihood from three starting points scaled to the data's purchase rate. */
  public static MaximumLikelihood.Fit fitBgNbd(RecencyFrequency s) {
    double purchases = 0;
    double time = 0;
    for (int i = 0; i < s.x().length; i++) {
      purchases += s.count()[i] * s.x()[i];
      time += s.count()[i] * s.t()[i];
    }
    // alpha is a time scale: r / alpha is the mean purchase rate.
    double rate = Math.max(purchases, 1) / Math.max(time, 1);
    double[][] starts = {
      {1.0, 1.0 / rate, 1.0, 1.0}, {0.5, 0.5 / rate, 0.5, 3.0}, {2.0, 2.0 / rate, 2.0, 6.0}
    };
    java.util.function.ToDoubleFunction<BgNbd> ll = bgNbd(s);
    return MaximumLikelihood.maximise(p -> ll.applyAsDouble(BgNbd.of(p)), starts);
  }

  /** Gamma-Gamma by maximum likelihood from three starting points scaled to the mean spend. */
  public static MaximumLikelihood.Fit fitGammaGamma(Spend s) {
    double mean = s.meanSpend();
    // Population mean p gamma / (q - 1) equal to the data's mean spend at every start.
    double[][] starts = {{2.0, 3.0, mean}, {1.0, 2.0, mean}, {6.0, 4.0, mean / 2.0}};
    java.util.function.ToDoubleFunction<GammaGamma> ll = gammaGamma(s);
    return MaximumLikelihood.maximise(p -> ll.applyAsDouble(GammaGamma.of(p)), starts);
  }
}
