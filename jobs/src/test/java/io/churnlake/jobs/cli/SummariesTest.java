package io.churnlake.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.jobs.labels.ChurnDefinition;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.train.TrainJob;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Invariant: `train` tells its user, in its output and not only in the log, which dates it trained,
 * calibrated and evaluated on and whom the labels cover under the configured churn definition. No
 * Spark.
 */
class SummariesTest {
  private static ChurnConfig config(String... settings) {
    return ChurnConfigLoader.load(List.of(), List.of(settings));
  }

  @Test
  void trainPrintsItsCalendarAndPopulationBesideTheFigures() {
    ModelInfo m =
        new ModelInfo(
            "v0003",
            "gbt",
            "2026-06-30",
            List.of("2026-03-01", "2026-03-15", "2026-03-29"),
            "2026-05-31",
            30,
            List.of("x"),
            0,
            "2026-06-30T00:00:00Z",
            Map.of("roc_auc", 0.8123, "pr_auc", 0.3456, "baseline_recency_roc_auc", 0.61),
            "rolling-origin",
            List.of(),
            List.of(),
            "isotonic",
            "2026-05-01",
            "inactivity",
            Map.of("search", "no search: train.search.mode = none"),
            Map.of(),
            Map.of(),
            Map.of(),
            Map.of());
    ChurnConfig c = config("labels.definition=inactivity", "labels.horizon-days=30");
    String out =
        Summaries.train(
            new TrainJob.Trained(m, true, "first model: no champion to beat"),
            ChurnDefinition.of(c.labels()).population());
    assertThat(out.lines().limit(6))
        .containsExactly(
            "model v0003 (gbt, calibration isotonic) evaluated on 2026-05-31: ROC AUC 0.812, PR AUC"
                + " 0.346, recency baseline ROC AUC 0.610",
            "  validation: rolling-origin",
            "  calendar: 3 training dates 2026-03-01 .. 2026-03-29, calibration on 2026-05-01,"
                + " evaluation on 2026-05-31, horizon 30 days",
            "  population: on each date, the customers with qualifying activity in transactions in"
                + " the 30 days up to it (the others had already churned); churned when none"
                + " follows in the 30 days after it",
            "  search: no search: train.search.mode = none",
            "  status: champion (first model: no champion to beat)");
    assertThat(ChurnDefinition.of(config().labels()).population())
        .isEqualTo(
            "on each date, the customers known and not yet churned ('cancellation_confirmation'"
                + " ends a customer); churned within the 30 days after it, censored where the data"
                + " ends sooner");
  }

  /**
   * Invariant: kpis says where each learned save rate came from, and before any wave has matured
   * says why none is learned and when the first will be; without a plan it says nothing.
   */
  @Test
  void kpisPrintsTheLearnedSaveRatesOrWhyNoneIsLearnedYet() {
    java.time.LocalDate asOf = java.time.LocalDate.parse("2026-05-01");
    List<io.churnlake.jobs.kpis.ActionEffects.Outcome> matured =
        List.of(
            new io.churnlake.jobs.kpis.ActionEffects.Outcome(
                java.time.LocalDate.parse("2026-02-01"), "call", "mature", 400, 56, 100, 20));
    List<org.apache.spark.sql.Row> learned =
        io.churnlake.jobs.kpis.ActionEffects.rows(
            asOf, Map.of("call", 0.3, "email", 0.02), 20, matured, "run");
    assertThat(
            Summaries.saveRates(
                new io.churnlake.jobs.kpis.KpisJob.Campaigns(learned, java.util.Optional.empty())))
        .matches(
            "  call save rate 0\\.\\d\\d \\(learned from 1 wave \\(400 treated, 100 control"
                + " customers\\), 95% interval -?0\\.\\d\\d to 0\\.\\d\\d; prior 0\\.30\\)\\n");
    List<org.apache.spark.sql.Row> priorOnly =
        io.churnlake.jobs.kpis.ActionEffects.rows(asOf, Map.of("call", 0.3), 20, List.of(), "run");
    assertThat(
            Summaries.saveRates(
                new io.churnlake.jobs.kpis.KpisJob.Campaigns(
                    priorOnly, java.util.Optional.of(java.time.LocalDate.parse("2026-05-31")))))
        .isEqualTo(
            "  save rates: none learned yet, no campaign wave has matured (the first matures on"
                + " 2026-05-31); action_effects holds the configured rates\n");
    assertThat(
            Summaries.saveRates(
                new io.churnlake.jobs.kpis.KpisJob.Campaigns(
                    List.of(), java.util.Optional.empty())))
        .isEmpty();
  }
}
