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
}
