package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.labels.LabelsJob;
import io.churnlake.jobs.score.ScoreCustomers;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
  static final String RECENCY = "days_since_last_activity";

  private TrainJob() {}

  public static ModelInfo run(JobContext ctx, LocalDate asOf) {
    return ctx.stage("train", () -> train(ctx, asOf));
  }

  private static ModelInfo train(JobContext ctx, LocalDate asOf) {
    return switch (ctx.config().labels().definition()) {
      case EXPLICIT -> timeBased(ctx, asOf);
      case GIVEN -> crossSectional(ctx, asOf);
      case INACTIVITY ->
          throw ChurnErrors.badConfigValue(
              "churnlake.labels.definition",
              "inactivity",
              "explicit (an event log with a churn event) or given (a customer snapshot with a"
                  + " churn flag); labels and features support inactivity, training on it does"
                  + " not yet");
    };
  }

  /** Dated labels: train on earlier as-of dates, evaluate on one a full horizon later. */
  private static ModelInfo timeBased(JobContext ctx, LocalDate asOf) {
    ChurnConfig c = ctx.config();
    int horizon = c.labels().horizonDays();
    History.Span span = History.spanUpTo(ctx, asOf);
    TrainingCalendar calendar =
        TrainingCalendar.of(
            span.first(), span.last(), horizon, c.train().minHistoryDays(), c.train().stepDays());
    long eventsVersion = ctx.store().version(ChurnTable.EVENTS);
    // One pass over the events: features and labels for every date come from the daily table.
    Dataset<Row> daily =
        FeaturesJob.daily(ctx, History.eventsUpTo(ctx, span.last()))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> features = FeaturesJob.build(ctx, daily, calendar.allDates());
      // Labels from the same daily table, seeing nothing after the training as-of date.
      Dataset<Row> labels =
          LabelsJob.build(ctx, calendar.allDates(), span.last(), Optional.of(daily)).rows();
      Dataset<Row> examples = examples(features, labels);
      try {
        return fitAndSave(
            ctx,
            asOf,
            features,
            TrainingSets.timeBased(examples, calendar),
            calendar.trainingDates(),
            calendar.evaluationDate(),
            horizon,
            eventsVersion);
      } finally {
        examples.unpersist();
      }
    } finally {
      daily.unpersist();
    }
  }

  /**
   * A customer snapshot with a given flag (no history): the latest snapshot on or before the as-of
   * date, split by customers (seeded, stratified by the flag).
   */
  private static ModelInfo crossSectional(JobContext ctx, LocalDate asOf) {
    ChurnConfig c = ctx.config();
    LocalDate snapshot = History.spanUpTo(ctx, ChurnTable.CUSTOMERS, asOf).last();
    Optional<Dataset<Row>> daily =
        ctx.store().exists(ChurnTable.EVENTS)
            ? Optional.of(FeaturesJob.daily(ctx, History.eventsUpTo(ctx, snapshot)))
            : Optional.empty();
    Dataset<Row> features = FeaturesJob.build(ctx, daily, List.of(snapshot));
    Dataset<Row> labels =
        LabelsJob.build(ctx, List.of(snapshot), snapshot, Optional.empty()).rows();
    Dataset<Row> examples = examples(features, labels);
    try {
      return fitAndSave(
          ctx,
          asOf,
          features,
          TrainingSets.crossSectional(
              examples, ChurnPipelines.LABEL, c.train().evaluationShare(), c.train().seed()),
          List.of(snapshot),
          snapshot,
          0,
          ctx.store().version(ChurnTable.CUSTOMERS));
    } finally {
      examples.unpersist();
    }
  }

  /** Features joined with the labelled customers (unlabelled ones dropped), label as 0/1. */
  private static Dataset<Row> examples(Dataset<Row> features, Dataset<Row> labels) {
    return features
        .join(
            labels
                .where(col(Columns.CHURNED).isNotNull())
                .select(Columns.CUSTOMER_ID, Columns.AS_OF_DATE, Columns.CHURNED),
            new String[] {Columns.CUSTOMER_ID, Columns.AS_OF_DATE})
        .withColumn(ChurnPipelines.LABEL, col(Columns.CHURNED).cast("double"))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  private static ModelInfo fitAndSave(
      JobContext ctx,
      LocalDate asOf,
      Dataset<Row> features,
      TrainingSets.Split split,
      List<LocalDate> trainingDates,
      LocalDate evaluationDate,
      int horizon,
      long inputTableVersion) {
    ChurnConfig c = ctx.config();
    List<String> excluded = c.features().excludeFromModel();
    List<String> numeric = ChurnPipelines.numericFeatures(features.schema(), excluded);
    List<String> categorical = ChurnPipelines.categoricalFeatures(features.schema(), excluded);
    PipelineModel model = ChurnPipelines.build(c.train(), numeric, categorical).fit(split.train());
    String version =
        new ModelRegistry(c.warehouse(), ctx.spark().sparkContext().hadoopConfiguration())
            .nextVersion();
    Optional<String> baseline =
        java.util.stream.Stream.of(RECENCY, "days_since_last_purchase")
            .filter(List.of(features.columns())::contains)
            .findFirst();
    Map<String, Double> metrics =
        evaluate(
            ctx,
            model,
            version,
            split.train(),
            split.evaluation(),
            baseline,
            evaluationDate,
            horizon);
    ModelInfo info =
        new ModelInfo(
            version,
            c.train().algorithm(),
            asOf.toString(),
            trainingDates.stream().map(LocalDate::toString).collect(Collectors.toList()),
            evaluationDate.toString(),
            horizon,
            numeric,
            inputTableVersion,
            Instant.now().toString(),
            metrics,
            split.validation().description());
    new ModelRegistry(c.warehouse(), ctx.spark().sparkContext().hadoopConfiguration())
        .save(model, info);
    writeEvaluations(ctx, info);
    LOG.info(
        "train: model {} ({}) trained on {} dates, evaluated on {} ({}): {}",
        version,
        info.algorithm(),
        trainingDates.size(),
        evaluationDate,
        split.validation().description(),
        metrics);
    return info;
  }

  private static Map<String, Double> evaluate(
      JobContext ctx,
      PipelineModel model,
      String version,
      Dataset<Row> trainSet,
      Dataset<Row> evalSet,
      Optional<String> baseline,
      LocalDate evaluationDate,
      int horizon) {
    List<org.apache.spark.sql.Column> kept = new ArrayList<>();
    kept.add(col(Columns.CUSTOMER_ID));
    baseline.ifPresent(b -> kept.add(col(b).as(RECENCY)));
    kept.add(col(ChurnPipelines.LABEL));
    Dataset<Row> scored =
        new ScoreCustomers(model, version)
            .apply(evalSet)
            .join(
                evalSet.select(kept.toArray(new org.apache.spark.sql.Column[0])),
                Columns.CUSTOMER_ID);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("roc_auc", EvaluateChurnModel.rocAuc(scored, Columns.CHURN_PROBABILITY));
    m.put("pr_auc", EvaluateChurnModel.prAuc(scored, Columns.CHURN_PROBABILITY));
    if (baseline.isPresent()) {
      // Recency (days since the last activity or purchase): more days, more risk.
      m.put("baseline_recency_roc_auc", EvaluateChurnModel.rocAuc(scored, RECENCY));
      m.put("baseline_recency_pr_auc", EvaluateChurnModel.prAuc(scored, RECENCY));
    }
    Row counts = evalSet.agg(count("*"), sum(ChurnPipelines.LABEL)).head();
    m.put("evaluation_customers", (double) counts.getLong(0));
    m.put("evaluation_churners", counts.getDouble(1));
    Row train = trainSet.agg(count("*"), sum(ChurnPipelines.LABEL)).head();
    m.put("training_examples", (double) train.getLong(0));
    m.put("training_churners", train.getDouble(1));
    if (ctx.store().exists(ChurnTable.GENERATED_TRUTH)) {
      Dataset<Row> truth =
          ctx.store()
              .read(ChurnTable.GENERATED_TRUTH)
              .where(
                  col(Columns.AS_OF_DATE)
                      .equalTo(Date.valueOf(evaluationDate))
                      .and(col(Columns.HORIZON_DAYS).equalTo(horizon)))
              .select(Columns.CUSTOMER_ID, "true_probability");
      Dataset<Row> withTruth =
          evalSet
              .select(Columns.CUSTOMER_ID, ChurnPipelines.LABEL)
              .join(truth, Columns.CUSTOMER_ID);
      long matched = withTruth.count();
      if (matched > 0) {
        m.put("bayes_optimal_roc_auc", EvaluateChurnModel.rocAuc(withTruth, "true_probability"));
        m.put("bayes_optimal_customers", (double) matched);
      }
    }
    return m;
  }

  private static void writeEvaluations(JobContext ctx, ModelInfo info) {
    StructType schema =
        new StructType()
            .add(Columns.MODEL_VERSION, DataTypes.StringType, false)
            .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
            .add("metric", DataTypes.StringType, false)
            .add("value", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Double> e : info.metrics().entrySet()) {
      rows.add(
          RowFactory.create(
              info.version(), Date.valueOf(info.evaluationDate()), e.getKey(), e.getValue()));
    }
    ctx.store()
        .replaceWhere(
            ChurnTable.MODEL_EVALUATIONS,
            ctx.spark().createDataFrame(rows, schema),
            Columns.MODEL_VERSION + " = '" + info.version() + "'");
  }
}
