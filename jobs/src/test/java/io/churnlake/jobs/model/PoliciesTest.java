package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The model lifecycle decisions without Spark. Invariants: nightly retrains when there is no
 * champion or the newest model is retrain-interval-days old, and otherwise only once a step has
 * passed (the realised AUC and drift are not even computed before); a challenger replaces the
 * champion only by beating it by more than the margin (a tie keeps it), unless forced; a model for
 * a past date never does.
 */
class PoliciesTest {
  private static final LocalDate D = LocalDate.parse("2026-06-30");

  private static ChurnConfig config(String... settings) {
    return ChurnConfigLoader.load(List.of(), List.of(settings));
  }

  static ModelInfo model(String version, String trainedAsOf, double rocAuc) {
    return io.churnlake.jobs.testing.Models.model(
        version, trainedAsOf, trainedAsOf, Map.of("roc_auc", rocAuc));
  }

  @Test
  void theCalibrationCurveIsOrderedByPredictionAndPoolsDecilesOfOneIsotonicStep() {
    // Invariant: the calibration plot is a function of the prediction (it folded back on itself
    // when isotonic steps gave several deciles one probability). Deciles 1-2 share 0.30 (observed
    // 0.40 and 0.20: pooled 0.30), 3-10 descend from 0.20 to 0.06 with the rate each observes.
    Map<String, Double> metrics = new java.util.HashMap<>();
    metrics.put("churn_rate", 0.1);
    double[] predicted = {0.30, 0.30, 0.20, 0.18, 0.16, 0.14, 0.12, 0.10, 0.08, 0.06};
    double[] observed = {0.40, 0.20, 0.21, 0.17, 0.15, 0.15, 0.11, 0.09, 0.07, 0.05};
    for (int d = 1; d <= 10; d++) {
      String k = String.format(java.util.Locale.ROOT, "%02d", d);
      metrics.put("mean_probability_decile_" + k, predicted[d - 1]);
      metrics.put("lift_decile_" + k, observed[d - 1] / 0.1);
    }
    List<ModelPlots.CalibrationBin> points =
        ModelPlots.calibrationBins(model("v0001", "2026-06-02", 0.8).withMetrics(metrics));
    assertThat(points).hasSize(9);
    assertThat(points.stream().mapToDouble(ModelPlots.CalibrationBin::predicted).toArray())
        .containsExactly(
            new double[] {6, 8, 10, 12, 14, 16, 18, 20, 30},
            org.assertj.core.data.Offset.offset(1e-9));
    assertThat(points.get(8).observed()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(points.get(0).observed()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(1e-9));
    // A model saved before the deciles' counts were recorded draws no interval.
    assertThat(points.get(0).lower()).isEmpty();

    // Invariant: with counts, a pooled bin's rate is its churners over its customers (not the mean
    // of its deciles' rates) and carries Wilson's 95% interval, worked by hand for 60 of 200:
    // [24.0747%, 36.6791%].
    double[] customers = {100, 100, 200, 200, 200, 200, 200, 200, 200, 0};
    double[] churners = {40, 20, 42, 34, 30, 30, 22, 18, 14, 0};
    for (int d = 1; d <= 10; d++) {
      String k = String.format(java.util.Locale.ROOT, "%02d", d);
      metrics.put("customers_decile_" + k, customers[d - 1]);
      metrics.put("churners_decile_" + k, churners[d - 1]);
    }
    List<ModelPlots.CalibrationBin> counted =
        ModelPlots.calibrationBins(model("v0001", "2026-06-02", 0.8).withMetrics(metrics));
    // Decile 10 has no customers: no bin.
    assertThat(counted).hasSize(8);
    ModelPlots.CalibrationBin top = counted.get(7);
    assertThat(top.predicted()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(top.customers()).isEqualTo(200);
    assertThat(top.churners()).isEqualTo(60);
    assertThat(top.observed()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(top.lower().getAsDouble())
        .isCloseTo(24.0747, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(top.upper().getAsDouble())
        .isCloseTo(36.6791, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(counted.get(0).observed()).isCloseTo(7.0, org.assertj.core.data.Offset.offset(1e-9));

    // Invariant: the chart draws every bin's interval, also of bins whose means print alike
    // (0.021104 and 0.021149 are both "2.11%"; XChart refuses a series name used twice).
    metrics.put("mean_probability_decile_08", 0.021149);
    metrics.put("mean_probability_decile_09", 0.021104);
    org.knowm.xchart.XYChart chart =
        ModelPlots.calibration(model("v0001", "2026-06-02", 0.8).withMetrics(metrics));
    assertThat(chart.getSeriesMap().keySet().stream().filter(n -> n.startsWith("interval")))
        .hasSize(8);
  }

  @Test
  void retrainingIsDueByAgeOrOncePerStepByRealisedAucOrDrift() {
    ChurnConfig c =
        config(
            "train.step-days=7",
            "train.retrain-interval-days=28",
            "train.retrain-on.auc-drop=0.05",
            "train.retrain-on.drift=true",
            "score.psi-threshold=0.25");
    RetrainPolicy policy = new RetrainPolicy(c.train(), c.score().psiThreshold());
    AtomicInteger asked = new AtomicInteger();
    ModelInfo champion = model("v0002", "2026-06-20", 0.80);
    assertThat(policy.reason(Optional.empty(), Optional.empty(), D, m -> null, m -> null))
        .hasValue("no champion model yet");
    // 28 days old: due whatever the figures.
    ModelInfo old = model("v0001", "2026-06-02", 0.80);
    assertThat(policy.reason(Optional.of(old), Optional.of(old), D, m -> null, m -> null))
        .hasValue(
            "the newest model (v0001, as of 2026-06-02) is train.retrain-interval-days (28) old");
    // Within the step (trained 6 days ago): nothing is asked, nothing is due.
    ModelInfo fresh = model("v0003", "2026-06-24", 0.80);
    assertThat(
            policy.reason(
                Optional.of(fresh),
                Optional.of(fresh),
                D,
                m -> {
                  asked.incrementAndGet();
                  return Optional.of(0.5);
                },
                m -> {
                  asked.incrementAndGet();
                  return Map.of("x", 9.0);
                }))
        .isEmpty();
    assertThat(asked).hasValue(0);
    // A step old (10 days): the realised AUC 0.74 is more than 0.05 below the held-out 0.80.
    assertThat(
            policy.reason(
                Optional.of(champion),
                Optional.of(champion),
                D,
                m -> Optional.of(0.74),
                m -> Map.of()))
        .hasValue(
            "champion v0002's realised ROC AUC 0.740 is more than 0.050 below its held-out 0.800");
    // 0.76 is within the drop; a feature above the PSI threshold is due, named with its PSI to two
    // decimals, most drifted first.
    assertThat(
            policy.reason(
                Optional.of(champion),
                Optional.of(champion),
                D,
                m -> Optional.of(0.76),
                m -> Map.of("b", 0.30, "a", 0.26, "c", 0.10)))
        .hasValue(
            "features drifted since champion v0002 was trained (PSI above 0.25): b 0.30, a 0.26");
    assertThat(
            policy.reason(
                Optional.of(champion),
                Optional.of(champion),
                D,
                m -> Optional.empty(),
                m -> Map.of("c", 0.10)))
        .isEmpty();
    // A backfilled past-date model is newest by version but no recent attempt: the champion is.
    ModelInfo backfilled = model("v0004", "2026-03-01", 0.80);
    assertThat(
            policy.reason(
                Optional.of(backfilled),
                Optional.of(fresh),
                D,
                m -> Optional.empty(),
                m -> Map.of()))
        .isEmpty();
  }

  @Test
  void aChallengerReplacesTheChampionOnlyByBeatingItByMoreThanTheMargin() {
    ChampionPolicy policy =
        new ChampionPolicy(
            config("train.promotion.metric=roc_auc", "train.promotion.margin=0.01")
                .train()
                .promotion());
    ModelInfo challenger = model("v0005", "2026-06-30", 0.82);
    ModelInfo champion = model("v0004", "2026-06-01", 0.90);
    Optional<String> current = Optional.of("v0004");
    AtomicInteger asked = new AtomicInteger();
    assertThat(
            policy.decide(
                challenger,
                ChampionPolicy.Promotion.COMPARE,
                Optional.empty(),
                Optional.empty(),
                () -> asked.incrementAndGet()))
        .isEqualTo(new ChampionPolicy.Decision(true, "first model: no champion to beat"));
    assertThat(
            policy.decide(
                challenger,
                ChampionPolicy.Promotion.FORCE,
                current,
                Optional.of(champion),
                () -> asked.incrementAndGet()))
        .isEqualTo(new ChampionPolicy.Decision(true, "promoted by the operator (--promote)"));
    assertThat(
            policy.decide(
                challenger,
                ChampionPolicy.Promotion.NEVER,
                current,
                Optional.of(champion),
                () -> asked.incrementAndGet()))
        .isEqualTo(
            new ChampionPolicy.Decision(
                false,
                ModelsTable.PAST_DATE_REASON
                    + "2026-06-30 (champion v0004 was trained on later data); never promoted"));
    assertThat(asked).hasValue(0);
    // On the challenger's rows the champion scores 0.81: 0.82 is not more than 0.01 better.
    assertThat(
            policy.decide(
                challenger,
                ChampionPolicy.Promotion.COMPARE,
                current,
                Optional.of(champion),
                () -> 0.81))
        .isEqualTo(
            new ChampionPolicy.Decision(
                false,
                "roc_auc 0.8200 vs champion v0004 0.8100 on 2026-06-30 (margin 0.0100): kept as"
                    + " candidate"));
    assertThat(
            policy
                .decide(
                    challenger,
                    ChampionPolicy.Promotion.COMPARE,
                    current,
                    Optional.of(champion),
                    () -> 0.80)
                .promoted())
        .isTrue();
    assertThat(
            policy.decide(
                challenger,
                ChampionPolicy.Promotion.COMPARE,
                current,
                Optional.of(champion),
                () -> Double.NaN))
        .isEqualTo(
            new ChampionPolicy.Decision(
                true,
                "champion v0004 cannot score the evaluation set of 2026-06-30 (its features"
                    + " differ)"));
  }
}
