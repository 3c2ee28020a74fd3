package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Evaluation metrics against values computed here by hand, row by row in plain Java: log loss,
 * Brier score, expected calibration error over ten equal-mass score bins, lift and cumulative
 * capture per decile, precision and recall in the top share.
 */
class EvaluateChurnModelTest extends SparkTestBase {
  static final StructType SCORED =
      new StructType()
          .add("raw_score", DataTypes.DoubleType, false)
          .add("churn_probability", DataTypes.DoubleType, false)
          .add("label", DataTypes.DoubleType, false);

  @Test
  void metricsMatchAHandComputation() {
    Random random = new Random(3);
    int n = 40;
    double[] s = new double[n];
    double[] p = new double[n];
    double[] y = new double[n];
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      s[i] = i; // distinct scores: row i is in decile 10 - i / 4 (decile 1 = the top four)
      p[i] = Math.min(0.95, 0.02 + i / 45.0);
      y[i] = random.nextDouble() < p[i] ? 1 : 0;
      rows.add(new Object[] {s[i], p[i], y[i]});
    }
    Map<String, Double> m =
        EvaluateChurnModel.metrics(
            rows(SCORED, rows.toArray(new Object[0][])), "raw_score", "churn_probability", 0.25);

    double logLoss = 0;
    double brier = 0;
    double churners = 0;
    for (int i = 0; i < n; i++) {
      logLoss -= y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i]);
      brier += (p[i] - y[i]) * (p[i] - y[i]);
      churners += y[i];
    }
    assertThat(m.get("log_loss")).isCloseTo(logLoss / n, within(1e-12));
    assertThat(m.get("brier")).isCloseTo(brier / n, within(1e-12));
    double rate = churners / n;
    double ece = 0;
    double captured = 0;
    for (int d = 1; d <= 10; d++) {
      double dp = 0;
      double dy = 0;
      for (int i = 40 - 4 * d; i < 44 - 4 * d; i++) {
        dp += p[i];
        dy += y[i];
      }
      ece += 4.0 / n * Math.abs(dp / 4 - dy / 4);
      captured += dy;
      String k = String.format("%02d", d);
      assertThat(m.get("lift_decile_" + k)).as("lift " + k).isCloseTo(dy / 4 / rate, within(1e-12));
      assertThat(m.get("mean_probability_decile_" + k)).isCloseTo(dp / 4, within(1e-12));
      assertThat(m.get("capture_decile_" + k))
          .as("capture " + k)
          .isCloseTo(captured / churners, within(1e-12));
      assertThat(m.get("customers_decile_" + k)).isEqualTo(4.0);
      assertThat(m.get("churners_decile_" + k)).isEqualTo(dy);
    }
    assertThat(m.get("ece")).isCloseTo(ece, within(1e-12));
    // Top 25% = the ten highest scores (rows 30..39).
    double top = 0;
    for (int i = 30; i < 40; i++) {
      top += y[i];
    }
    assertThat(m.get("precision_at_top")).isCloseTo(top / 10, within(1e-12));
    assertThat(m.get("recall_at_top")).isCloseTo(top / churners, within(1e-12));
    assertThat(m.get("capture_decile_10")).isEqualTo(1.0);
    assertThat(m.get("roc_auc")).isBetween(0.5, 1.0);
  }

  @Test
  void aProbabilityOfZeroOrOneIsClippedSoTheLogLossStaysFinite() {
    Map<String, Double> m =
        EvaluateChurnModel.metrics(
            rows(
                SCORED,
                new Object[] {1.0, 0.0, 1.0},
                new Object[] {2.0, 1.0, 0.0},
                new Object[] {3.0, 0.5, 1.0}),
            "raw_score",
            "churn_probability",
            0.1);
    double eps = 1e-15;
    double expected = (-Math.log(eps) - Math.log(1 - (1 - eps)) - Math.log(0.5)) / 3;
    assertThat(m.get("log_loss")).isCloseTo(expected, within(1e-9));
  }

  /**
   * Invariant: a baseline's gain curve gives the exact cumulative shares at its decile cuts, also
   * when the score has ties (a tied group stays on one side of a cut, so a point's share of
   * customers is not a tenth). Twenty rows: scores 10 (4 rows, 3 churners), 5 (6 rows, 1 churner)
   * and 0 (10 rows, no churner); 4 churners in all.
   */
  @Test
  void aTiedScoresGainCurveHasTheExactSharesAtItsCuts() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      double score = i < 4 ? 10 : i < 10 ? 5 : 0;
      double churned = (i < 3 || i == 4) ? 1 : 0;
      rows.add(new Object[] {score, 0.5, churned});
    }
    Map<String, Double> g =
        EvaluateChurnModel.gainPoints(rows(SCORED, rows.toArray(new Object[0][])), "raw_score");
    // Cuts at the 10%..90% quantiles: 0 (x5: the 10%..50% levels), 5 (60%..80%), 10 (90%).
    // Above 10: nobody; above 5: the four 10s; above 0: the ten 5s and 10s.
    List<Double> customers = new ArrayList<>();
    List<Double> churners = new ArrayList<>();
    for (int d = 1; d <= 10; d++) {
      String k = String.format("%02d", d);
      customers.add(g.get("gain_customers_" + k));
      churners.add(g.get("gain_churners_" + k));
    }
    assertThat(customers).containsExactly(0.0, 0.2, 0.2, 0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0);
    assertThat(churners).containsExactly(0.0, 0.75, 0.75, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
  }
}
