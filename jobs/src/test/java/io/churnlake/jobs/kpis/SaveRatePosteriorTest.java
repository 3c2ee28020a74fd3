package io.churnlake.jobs.kpis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The learned save rates, without Spark: the posterior's arithmetic and the table's rows. */
class SaveRatePosteriorTest {

  /** Invariant: with no informative stratum the posterior is the Beta prior itself. */
  @Test
  void withoutEvidenceThePosteriorIsThePrior() {
    SaveRatePosterior.Posterior p =
        SaveRatePosterior.of(
            0.2, 20, List.of(new SaveRatePosterior.Stratum(50, 10, 0, 0))); // no control
    assertThat(p.strata()).isZero();
    // (1 + s) / 2 ~ Beta(12, 8): mean s = 0.2; its quantiles from Commons Math's Beta, which the
    // grid reproduces to 2e-4.
    org.apache.commons.math3.distribution.BetaDistribution beta =
        new org.apache.commons.math3.distribution.BetaDistribution(12, 8);
    assertThat(p.mean()).isCloseTo(0.2, within(2e-4));
    assertThat(p.lower()).isCloseTo(2 * beta.inverseCumulativeProbability(0.025) - 1, within(2e-4));
    assertThat(p.upper()).isCloseTo(2 * beta.inverseCumulativeProbability(0.975) - 1, within(2e-4));
  }

  /**
   * Invariant: enough randomised evidence overrides a wrong prior and its interval covers the true
   * rate; strata of different risk combine without pooling their churn rates.
   */
  @Test
  void randomisedStrataRecoverThePlantedSaveRate() {
    // True save rate 0.3; control churn 0.2 in one segment, 0.5 in the other.
    List<SaveRatePosterior.Stratum> strata =
        List.of(
            new SaveRatePosterior.Stratum(4000, 560, 1000, 200),
            new SaveRatePosterior.Stratum(2000, 700, 500, 250));
    SaveRatePosterior.Posterior p = SaveRatePosterior.of(0.05, 20, strata);
    assertThat(p.strata()).isEqualTo(2);
    assertThat(p.mean()).isCloseTo(0.3, within(0.03));
    assertThat(p.lower()).isLessThan(0.3);
    assertThat(p.upper()).isGreaterThan(0.3);
    assertThat(p.upper() - p.lower()).isLessThan(0.15);
  }

  /**
   * Invariant: an action that raises churn learns a negative rate (s lives on [-1, 1]) whose
   * interval covers the truth, even from a prior that it helps.
   */
  @Test
  void anActionThatRaisesChurnLearnsANegativeRate() {
    SaveRatePosterior.Posterior p =
        SaveRatePosterior.of(0.3, 20, List.of(new SaveRatePosterior.Stratum(3000, 900, 3000, 600)));
    // Treated churn 0.30 against control 0.20: s = 1 - 0.30 / 0.20 = -0.5; the prior (0.3,
    // strength 20) shrinks the mean towards it a little.
    assertThat(p.mean()).isBetween(-0.5, -0.35);
    assertThat(p.lower()).isLessThan(-0.5);
    assertThat(p.upper()).isBetween(-0.5, 0.0);
  }

  /**
   * Invariant: near p x (1 - s) = 1 the impossible pairs weigh nothing: a stratum where nearly
   * every control customer churns and every treated one does cannot put mass on rates that would
   * need a churn probability above 1.
   */
  @Test
  void ratesThatNeedAChurnProbabilityAboveOneWeighNothing() {
    SaveRatePosterior.Posterior p =
        SaveRatePosterior.of(0.2, 20, List.of(new SaveRatePosterior.Stratum(400, 400, 400, 380)));
    // Control churn 0.95 (p about 0.93-0.97): s < 1 - 1 / p (about -0.03 to -0.08) would need a
    // treated churn probability above 1; all treated churned, so the mass sits just above that
    // bound, and the impossible pairs (log1p of a number below -1: NaN) never enter.
    assertThat(Double.isFinite(p.mean())).isTrue();
    assertThat(p.lower()).isBetween(-0.12, 0.0);
    assertThat(p.upper()).isBetween(p.lower(), 0.0);
  }

  @Test
  void aPriorOutsideItsRangeIsRefused() {
    assertThatThrownBy(() -> SaveRatePosterior.of(1.2, 20, List.of()))
        .hasMessageContaining("a rate in [0, 1] and a strength > 0, not 1.2 and 20.0");
    assertThatThrownBy(() -> SaveRatePosterior.of(0.2, 0, List.of()))
        .hasMessageContaining("not 0.2 and 0.0");
  }

  /**
   * Invariant: action_effects has one row per configured action; only mature outcomes with both
   * groups count, and an action without one keeps its prior and says so.
   */
  @Test
  void actionEffectsLearnFromMatureOutcomesOnlyAndSayWhereEachRateCameFrom() {
    LocalDate wave = LocalDate.parse("2026-02-01");
    List<ActionEffects.Outcome> outcomes =
        List.of(
            new ActionEffects.Outcome(wave, "call", "mature", 400, 56, 100, 20),
            new ActionEffects.Outcome(wave.plusMonths(1), "call", "mature", 400, 60, 100, 19),
            new ActionEffects.Outcome(wave.plusMonths(2), "call", "immature", 400, 0, 100, 0),
            new ActionEffects.Outcome(wave, "email", "undefined", 10, 1, 0, 0));
    List<Row> rows =
        ActionEffects.rows(
            LocalDate.parse("2026-05-01"), Map.of("call", 0.3, "email", 0.02), 20, outcomes, "run");
    assertThat(rows).hasSize(2);
    Row call = rows.get(0);
    assertThat(List.of(call.get(1), call.get(2), call.get(3), call.get(4), call.get(5)))
        .containsExactly("call", 2, 2, 800L, 200L);
    assertThat(call.getString(11)).isEqualTo("learned");
    assertThat(call.getString(12)).startsWith("learned from 2 waves (800 treated, 200 control");
    Row email = rows.get(1);
    assertThat(email.toString())
        .isEqualTo(
            "[2026-05-01,email,0,0,0,0,0.02,20.0,0.02,"
                + SaveRatePosterior.of(0.02, 20, List.of()).lower()
                + ","
                + SaveRatePosterior.of(0.02, 20, List.of()).upper()
                + ",prior,prior only: no matured wave with treated and control customers;"
                + " configured 0.02,run]");
  }

  /**
   * Invariant: under segment.save-rates = learned the plan multiplies by an action's learned rate
   * only where a matured wave taught it; a prior-only row leaves the configured rate, and costs and
   * descriptions are never changed.
   */
  @Test
  void thePlanTakesLearnedRatesOnlyWhereAWaveTaughtThem() {
    io.churnlake.common.config.ChurnConfig.SegmentSettings s =
        io.churnlake.common.config.ChurnConfigLoader.load(List.of(), List.of()).segment();
    LocalDate asOf = LocalDate.parse("2026-05-01");
    List<ActionEffects.Outcome> matured =
        List.of(
            new ActionEffects.Outcome(
                LocalDate.parse("2026-02-01"), "agent-call", "mature", 4000, 560, 1000, 200));
    Map<String, Double> priors = new java.util.TreeMap<>();
    s.actions().forEach((name, a) -> priors.put(name, a.saveRate()));
    List<Row> effects = ActionEffects.rows(asOf, priors, 20, matured, "run");
    io.churnlake.jobs.segment.LearnedSaveRates.Applied applied =
        io.churnlake.jobs.segment.LearnedSaveRates.applied(s, effects);
    double learned =
        SaveRatePosterior.of(0.3, 20, List.of(new SaveRatePosterior.Stratum(4000, 560, 1000, 200)))
            .mean();
    assertThat(applied.settings().actions().get("agent-call").saveRate()).isEqualTo(learned);
    assertThat(applied.settings().actions().get("agent-call").cost())
        .isEqualTo(s.actions().get("agent-call").cost());
    for (String other : List.of("personal-offer", "discount", "education", "none")) {
      assertThat(applied.settings().actions().get(other)).isEqualTo(s.actions().get(other));
    }
    assertThat(applied.lines()).hasSize(1);
    assertThat(applied.lines().get(0))
        .startsWith(
            String.format(
                java.util.Locale.ROOT,
                "agent-call save rate %.2f (learned from 1 wave (4000 treated, 1000 control",
                learned));
    // An action whose treated churn more than its control learns a negative rate, and says so.
    List<Row> harmful =
        ActionEffects.rows(
            asOf,
            priors,
            20,
            List.of(
                new ActionEffects.Outcome(
                    LocalDate.parse("2026-02-01"), "discount", "mature", 3000, 900, 3000, 600)),
            "run");
    io.churnlake.jobs.segment.LearnedSaveRates.Applied raised =
        io.churnlake.jobs.segment.LearnedSaveRates.applied(s, harmful);
    assertThat(raised.settings().actions().get("discount").saveRate()).isNegative();
    assertThat(raised.lines())
        .singleElement()
        .asString()
        .startsWith("discount raises churn: save rate -0.");
    // Nothing learned: the configured settings themselves.
    List<Row> priorOnly = ActionEffects.rows(asOf, priors, 20, List.of(), "run");
    assertThat(io.churnlake.jobs.segment.LearnedSaveRates.applied(s, priorOnly).settings())
        .isSameAs(s);
  }
}
