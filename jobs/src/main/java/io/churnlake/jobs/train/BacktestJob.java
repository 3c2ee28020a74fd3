package io.churnlake.jobs.train;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.labels.ChurnDefinition;
import io.churnlake.jobs.labels.LabelsJob;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code churnlake backtest --from D1 --to D2 [--every N]}: for each origin date T, trains the
 * configured pipeline exactly as {@code train --as-of T} would (training, calibration and
 * evaluation dates from {@link TrainingCalendar}, seeing no data after T) and evaluates it on T -
 * horizon, so performance over time is visible. Nothing is registered or promoted; the metrics go
 * to model_evaluations with {@code kind = backtest} and {@code model_version = backtest@T}.
 *
 * <p>Features at a date use only rows on or before it, and a label at date t only days t+1 ..
 * t+horizon, which each origin's calendar keeps on or before T; so features and labels for the
 * union of all origins' dates are built once, in one pass over the events, and each origin selects
 * its dates.
 */
public final class BacktestJob {
  public static final String BACKTEST = "backtest";

  /** One origin's evaluation. */
  public record Origin(
      LocalDate origin, LocalDate evaluationDate, int trainingDates, Map<String, Double> metrics) {

    public String line() {
      return String.format(
          Locale.ROOT,
          "%s  evaluated %s  %2d dates  ROC AUC %.3f (recency %.3f%s)  PR AUC %.3f  ECE %.3f"
              + "  top 10%% capture %.2f",
          origin,
          evaluationDate,
          trainingDates,
          metrics.get("roc_auc"),
          metrics.getOrDefault("baseline_recency_roc_auc", Double.NaN),
          metrics.containsKey("bayes_optimal_roc_auc")
              ? String.format(Locale.ROOT, ", Bayes %.3f", metrics.get("bayes_optimal_roc_auc"))
              : "",
          metrics.get("pr_auc"),
          metrics.get("ece"),
          metrics.get("capture_decile_01"));
    }
  }

  private BacktestJob() {}

  public static List<Origin> run(JobContext ctx, List<LocalDate> origins) {
    return ctx.stage("backtest", () -> backtest(ctx, origins));
  }

  private static List<Origin> backtest(JobContext ctx, List<LocalDate> origins) {
    ChurnConfig c = ctx.config();
    requireDatedLabels(c);
    int horizon = c.labels().horizonDays();
    LocalDate last = Collections.max(origins);
    History.Span span = History.spanUpTo(ctx, last);
    List<TrainingCalendar> calendars = new ArrayList<>();
    for (LocalDate t : origins) {
      calendars.add(
          TrainingCalendar.of(
              span.first(),
              t,
              horizon,
              c.train().minHistoryDays(),
              c.train().stepDays(),
              c.train().calibration() == ChurnConfig.Calibration.ISOTONIC));
    }
    TreeSet<LocalDate> dates = new TreeSet<>();
    calendars.forEach(cal -> dates.addAll(cal.allDates()));
    List<LocalDate> all = new ArrayList<>(dates);
    Optional<Dataset<Row>> daily = TrainJob.dailyActivity(ctx, last);
    try {
      Dataset<Row> features = FeaturesJob.build(ctx, daily, all);
      Dataset<Row> labels = LabelsJob.build(ctx, all, last, daily).rows();
      Dataset<Row> examples = TrainingSets.examples(features, labels);
      try {
        List<Origin> out = new ArrayList<>();
        for (int i = 0; i < origins.size(); i++) {
          TrainingCalendar cal = calendars.get(i);
          TrainingSets.Split split = TrainingSets.timeBased(examples, cal);
          FitChurnModel.Fitted fitted =
              FitChurnModel.fit(ctx, features.schema(), split, cal.trainingDates(), horizon);
          Map<String, Double> metrics =
              HeldOutEvaluation.evaluateFitted(
                  ctx,
                  fitted,
                  features.schema(),
                  split.evaluation(),
                  cal.calibrationDate(),
                  cal.evaluationDate(),
                  horizon);
          TrainingRecords.writeEvaluations(
              ctx, "backtest@" + origins.get(i), cal.evaluationDate(), BACKTEST, metrics);
          out.add(
              new Origin(
                  origins.get(i), cal.evaluationDate(), cal.trainingDates().size(), metrics));
        }
        return out;
      } finally {
        examples.unpersist();
      }
    } finally {
      daily.ifPresent(Dataset::unpersist);
    }
  }

  private static void requireDatedLabels(ChurnConfig c) {
    if (!ChurnDefinition.of(c.labels()).dated()) {
      throw ChurnErrors.badConfigValue(
          "churnlake.labels.definition",
          c.labels().definition().id(),
          "explicit or inactivity: a backtest retrains on a rolling origin over dated labels");
    }
  }
}
