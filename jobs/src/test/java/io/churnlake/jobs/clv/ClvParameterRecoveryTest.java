package io.churnlake.jobs.clv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Parameter recovery: 200,000 customers simulated from BG/NBD (observed for 90, 180, 270 or 360
 * days; last purchase times in whole days, as churnlake's tables give them) and from Gamma-Gamma,
 * for three parameter sets each. Invariant: the fit converges and every fitted parameter is within
 * 10% of the truth and within three of its estimated standard errors.
 */
class ClvParameterRecoveryTest {
  static final int CUSTOMERS = 200_000;

  @Test
  void bgNbdRecoversThreeParameterSetsFrom200000Customers() {
    BgNbd[] truths = {
      new BgNbd(0.25, 20.0, 0.8, 2.5),
      new BgNbd(1.0, 30.0, 1.2, 4.0),
      new BgNbd(0.6, 10.0, 0.4, 1.5)
    };
    long seed = 1;
    for (BgNbd truth : truths) {
      ClvSimulation sim = new ClvSimulation(new SplittableRandom(seed++));
      Map<String, double[]> groups = new HashMap<>();
      for (int i = 0; i < CUSTOMERS; i++) {
        double t = 90.0 * (1 + i % 4);
        double[] c = sim.customer(truth, t);
        double tx = Math.round(c[1]);
        groups.computeIfAbsent(c[0] + "/" + tx + "/" + t, k -> new double[] {c[0], tx, t, 0})[3]++;
      }
      int n = groups.size();
      double[][] cols = new double[4][n];
      int i = 0;
      for (double[] g : groups.values()) {
        for (int k = 0; k < 4; k++) {
          cols[k][i] = g[k];
        }
        i++;
      }
      MaximumLikelihood.Fit fit =
          ClvFits.fitBgNbd(new ClvFits.RecencyFrequency(cols[0], cols[1], cols[2], cols[3]));
      assertRecovered(truth.toArray(), fit, "BG/NBD " + truth + " (" + n + " groups)");
    }
  }

  @Test
  void gammaGammaRecoversThreeParameterSetsFrom200000Customers() {
    GammaGamma[] truths = {
      new GammaGamma(6.0, 4.0, 15.0), new GammaGamma(2.0, 3.0, 50.0), new GammaGamma(10.0, 8.0, 5.0)
    };
    long seed = 11;
    for (GammaGamma truth : truths) {
      ClvSimulation sim = new ClvSimulation(new SplittableRandom(seed++));
      double[] x = new double[CUSTOMERS];
      double[] m = new double[CUSTOMERS];
      double[] count = new double[CUSTOMERS];
      for (int i = 0; i < CUSTOMERS; i++) {
        x[i] = 1 + i % 6;
        m[i] = sim.meanSpend(truth, (int) x[i]);
        count[i] = 1;
      }
      MaximumLikelihood.Fit fit = ClvFits.fitGammaGamma(new ClvFits.Spend(x, m, count));
      assertRecovered(truth.toArray(), fit, "Gamma-Gamma " + truth);
    }
  }

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ClvParameterRecoveryTest.class);

  private static void assertRecovered(double[] truth, MaximumLikelihood.Fit fit, String what) {
    LOG.info(
        "{}: fitted {} +- {}; {}",
        what,
        java.util.Arrays.toString(fit.parameters()),
        java.util.Arrays.toString(fit.standardErrors()),
        fit.status());
    assertThat(fit.converged()).as(what + ": " + fit.status()).isTrue();
    for (int k = 0; k < truth.length; k++) {
      double error = Math.abs(fit.parameters()[k] - truth[k]);
      assertThat(error)
          .as(
              "%s parameter %d: fitted %s +- %s, truth %s (%s)",
              what, k, fit.parameters()[k], fit.standardErrors()[k], truth[k], fit.status())
          .isLessThanOrEqualTo(0.1 * truth[k])
          .isLessThanOrEqualTo(3 * fit.standardErrors()[k]);
    }
  }
}
