package io.churnlake.jobs.train;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.DailyTables;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.labels.ChurnDefinition;
import io.churnlake.jobs.labels.LabelsJob;
import io.churnlake.jobs.model.ChampionPolicy.Promotion;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelPlots;
import io.churnlake.jobs.model.ModelRegistry;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake train --as-of D}: fits the configured pipeline on earlier as-of dates, evaluates
 * it on a later one (never a random split across dates) beside a recency-only baseline and, for
 * generated data, the Bayes-optimal AUC of the true probabilities; saves a new model version.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private TrainJob() {}

  /** A trained model, whether it became champion, and why. */
  public record Trained(ModelInfo model, boolean champion, String decision) {}

  /** Trains as of D; the new model becomes champion if it beats the current one. */
  public static Trained run(JobContext ctx, LocalDate asOf) {
    return run(ctx, asOf, false);
  }

  /** Trains as of D; {@code promote} forces the new model to champion. */
  public static Trained run(JobContext ctx, LocalDate asOf, boolean promote) {
    return ctx.stage(
        "train", () -> train(ctx, asOf, promote ? Promotion.FORCE : Promotion.COMPARE));
  }

  /**
   * Trains as of a past date D for which no model trained on or before D exists (a backfill after
   * the champion was trained on later data): the model serves that date and is never promoted, so
   * the current champion stays.
   */
  public static Trained forPastDate(JobContext ctx, LocalDate asOf) {
    return ctx.stage("train", () -> train(ctx, asOf, Promotion.NEVER));
  }

  private static Trained train(JobContext ctx, LocalDate asOf, Promotion promote) {
    return ChurnDefinition.of(ctx.config().labels()).dated()
        ? timeBased(ctx, asOf, promote)
        : crossSectional(ctx, asOf, promote);
  }

  /**
   * The daily activity table when an event log exists (features and explicit labels come from it),
   * else empty (purchase and attribute features, inactivity labels from their own tables).
   */
  static Optional<Dataset<Row>> dailyActivity(JobContext ctx, LocalDate upTo) {
    return ctx.store().exists(ChurnTable.EVENTS)
        ? Optional.of(DailyTables.activityUpTo(ctx, upTo).persist(StorageLevel.MEMORY_AND_DISK()))
        : Optional.empty();
  }

  /** Dated labels: train on earlier as-of dates, evaluate on one a full horizon later. */
  private static Trained timeBased(JobContext ctx, LocalDate asOf, Promotion promote) {
    ChurnConfig c = ctx.config();
    int horizon = c.labels().horizonDays();
    History.Span span = History.spanUpTo(ctx, asOf);
    TrainingCalendar calendar =
        TrainingCalendar.of(
            span.first(),
            span.last(),
            horizon,
            c.train().minHistoryDays(),
            c.train().stepDays(),
            calibrate(c));
    calendar.adjusted().ifPresent(a -> LOG.info("train: calendar for a short history: {}", a));
    long eventsVersion = ctx.store().version(History.historyTable(ctx));
    // One pass over the events: features and labels for every date come from the daily table.
    Optional<Dataset<Row>> daily = dailyActivity(ctx, span.last());
    try {
      Dataset<Row> features = FeaturesJob.build(ctx, daily, calendar.allDates());
      // Labels from the same daily table (or the inactivity table), seeing nothing after the
      // training as-of date.
      Dataset<Row> labels = LabelsJob.build(ctx, calendar.allDates(), span.last(), daily).rows();
      Dataset<Row> examples = TrainingSets.examples(features, labels);
      try {
        return fitAndSave(
            ctx,
            asOf,
            promote,
            features,
            TrainingSets.timeBased(examples, calendar),
            calendar.trainingDates(),
            calendar.calibrationDate(),
            calendar.evaluationDate(),
            calendar.adjusted(),
            horizon,
            eventsVersion);
      } finally {
        examples.unpersist();
      }
    } finally {
      daily.ifPresent(Dataset::unpersist);
    }
  }

  /**
   * A customer snapshot with a given flag (no history): the latest snapshot on or before the as-of
   * date, split by customers (seeded, stratified by the flag).
   */
  private static Trained crossSectional(JobContext ctx, LocalDate asOf, Promotion promote) {
    ChurnConfig c = ctx.config();
    LocalDate snapshot = History.spanUpTo(ctx, ChurnTable.CUSTOMERS, asOf).last();
    Optional<Dataset<Row>> daily =
        ctx.store().exists(ChurnTable.EVENTS)
            ? Optional.of(DailyTables.activityUpTo(ctx, snapshot))
            : Optional.empty();
    Dataset<Row> features = FeaturesJob.build(ctx, daily, List.of(snapshot));
    Dataset<Row> labels =
        LabelsJob.build(ctx, List.of(snapshot), snapshot, Optional.empty()).rows();
    Dataset<Row> examples = TrainingSets.examples(features, labels);
    try {
      return fitAndSave(
          ctx,
          asOf,
          promote,
          features,
          TrainingSets.crossSectional(
              examples,
              ChurnPipelines.LABEL,
              c.train().evaluationShare(),
              c.train().seed(),
              calibrate(c)),
          List.of(snapshot),
          calibrate(c) ? Optional.of(snapshot) : Optional.empty(),
          snapshot,
          Optional.empty(),
          0,
          ctx.store().version(ChurnTable.CUSTOMERS));
    } finally {
      examples.unpersist();
    }
  }

  private static boolean calibrate(ChurnConfig c) {
    return c.train().calibration() == ChurnConfig.Calibration.ISOTONIC;
  }

  private static Trained fitAndSave(
      JobContext ctx,
      LocalDate asOf,
      Promotion promote,
      Dataset<Row> features,
      TrainingSets.Split split,
      List<LocalDate> trainingDates,
      Optional<LocalDate> calibrationDate,
      LocalDate evaluationDate,
      Optional<String> calendarAdjusted,
      int horizon,
      long inputTableVersion) {
    ChurnConfig c = ctx.config();
    FitChurnModel.Fitted fitted =
        FitChurnModel.fit(ctx, features.schema(), split, trainingDates, horizon);
    PipelineModel model = fitted.model();
    ModelRegistry registry =
        new ModelRegistry(c.warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
    String version = registry.nextVersion();
    Map<String, Long> tableVersions = historyVersions(ctx);
    ModelInfo draft =
        TrainingRecords.info(
            c,
            version,
            asOf,
            trainingDates,
            calibrationDate,
            evaluationDate,
            calendarAdjusted,
            horizon,
            fitted,
            inputTableVersion,
            split.validation(),
            tableVersions);
    HeldOutEvaluation.Evaluation evaluation =
        HeldOutEvaluation.evaluate(
            ctx,
            model,
            draft,
            fitted.trainRows(),
            split.evaluation(),
            HeldOutEvaluation.baseline(features.schema()),
            evaluationDate,
            horizon);
    Map<String, Double> metrics = evaluation.metrics();
    metrics.put("non_finite_values_imputed", (double) fitted.nonFinite());
    ModelInfo info = draft.withMetrics(metrics);
    save(ctx, registry, model, info, evaluation, fitted.search(), asOf, evaluationDate);
    Trained trained = ChampionChallenge.promote(ctx, registry, info, split.evaluation(), promote);
    LOG.info(
        "train: model {} ({}) trained on {} dates, evaluated on {} ({}): {}; {}",
        version,
        info.algorithm(),
        trainingDates.size(),
        evaluationDate,
        split.validation().description(),
        metrics,
        trained.decision());
    return trained;
  }

  /** The model with its plots in the registry, its held-out metrics and its search recorded. */
  private static void save(
      JobContext ctx,
      ModelRegistry registry,
      PipelineModel model,
      ModelInfo info,
      HeldOutEvaluation.Evaluation evaluation,
      HyperparameterSearch.Result search,
      LocalDate asOf,
      LocalDate evaluationDate) {
    registry.save(
        model,
        info,
        dir ->
            ModelPlots.write(info, evaluation.importance(), new Path(dir, "plots"), hadoop(ctx)));
    TrainingRecords.writeEvaluations(
        ctx, info.version(), evaluationDate, TrainingRecords.HOLDOUT, info.metrics());
    TrainingRecords.writeSearch(ctx, info.version(), asOf, search);
  }

  /** The versions of the history tables the model was trained from, by table name. */
  private static Map<String, Long> historyVersions(JobContext ctx) {
    Map<String, Long> versions = new LinkedHashMap<>();
    for (ChurnTable t : List.of(ChurnTable.EVENTS, ChurnTable.TRANSACTIONS, ChurnTable.CUSTOMERS)) {
      if (ctx.store().exists(t)) {
        versions.put(t.tableName(), ctx.store().version(t));
      }
    }
    return versions;
  }

  private static org.apache.hadoop.conf.Configuration hadoop(JobContext ctx) {
    return ctx.spark().sparkContext().hadoopConfiguration();
  }
}
