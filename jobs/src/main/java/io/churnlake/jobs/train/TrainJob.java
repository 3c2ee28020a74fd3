package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.DailyTables;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.labels.ChurnDefinition;
import io.churnlake.jobs.labels.LabelsJob;
import io.churnlake.jobs.model.Algorithm;
import io.churnlake.jobs.model.ChampionPolicy;
import io.churnlake.jobs.model.ChampionPolicy.Promotion;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.EvaluateChurnModel;
import io.churnlake.jobs.model.FeatureDrift;
import io.churnlake.jobs.model.GlobalDrivers;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelPlots;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.model.ModelsTable;
import io.churnlake.jobs.model.ScoreCustomers;
import io.churnlake.jobs.tables.TableSchemas;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
    long eventsVersion = ctx.store().version(History.historyTable(ctx));
    // One pass over the events: features and labels for every date come from the daily table.
    Optional<Dataset<Row>> daily = dailyActivity(ctx, span.last());
    try {
      Dataset<Row> features = FeaturesJob.build(ctx, daily, calendar.allDates());
      // Labels from the same daily table (or the inactivity table), seeing nothing after the
      // training as-of date.
      Dataset<Row> labels = LabelsJob.build(ctx, calendar.allDates(), span.last(), daily).rows();
      Dataset<Row> examples = examples(features, labels);
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
    Dataset<Row> examples = examples(features, labels);
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
          0,
          ctx.store().version(ChurnTable.CUSTOMERS));
    } finally {
      examples.unpersist();
    }
  }

  private static boolean calibrate(ChurnConfig c) {
    return c.train().calibration() == ChurnConfig.Calibration.ISOTONIC;
  }

  /** Features joined with the labelled customers (unlabelled ones dropped), label as 0/1. */
  static Dataset<Row> examples(Dataset<Row> features, Dataset<Row> labels) {
    return features
        .join(
            labels
                .where(col(Columns.CHURNED).isNotNull())
                .select(Columns.CUSTOMER_ID, Columns.AS_OF_DATE, Columns.CHURNED),
            new String[] {Columns.CUSTOMER_ID, Columns.AS_OF_DATE})
        .withColumn(ChurnPipelines.LABEL, col(Columns.CHURNED).cast("double"))
        .drop(Columns.CHURNED)
        .transform(TrainJob::compact);
  }

  /** Rows per partition of the training examples (see {@link #compact}). */
  static final long ROWS_PER_PARTITION = 100_000;

  /**
   * The rows cached in partitions of about {@link #ROWS_PER_PARTITION} rows (at least 2, never more
   * than they had). Every fit passes over its examples dozens of times (an L-BFGS iteration, a tree
   * level, an indexer's count), and each pass pays per task, and for more than a few partitions a
   * tree-aggregation shuffle: 10,000 customers in 8 partitions spent about 0.45 s per iteration.
   * Only the number of partitions changes; large sets keep the join's.
   */
  static Dataset<Row> compact(Dataset<Row> rows) {
    Dataset<Row> cached = rows.persist(StorageLevel.MEMORY_AND_DISK());
    long count = cached.count();
    int now = cached.rdd().getNumPartitions();
    int wanted =
        (int) Math.max(2, Math.min(now, (count + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION));
    if (wanted >= now) {
      return cached;
    }
    Dataset<Row> fewer = cached.coalesce(wanted).persist(StorageLevel.MEMORY_AND_DISK());
    fewer.count(); // built before the wider cache is dropped
    cached.unpersist();
    return fewer;
  }

  /**
   * A fitted (and calibrated) pipeline with what training learned about its inputs: the feature
   * lists, their training means, the drift reference bins, and how many NaN or infinite values were
   * imputed.
   */
  public record Fitted(
      PipelineModel model,
      Dataset<Row> trainRows,
      List<String> numeric,
      List<String> categorical,
      Map<String, Double> means,
      Map<String, List<Double>> driftCuts,
      Map<String, List<Double>> driftShares,
      long nonFinite,
      HyperparameterSearch.Result search) {}

  /**
   * Checks the training rows (refusing one class or too few churners, applying train.non-finite),
   * fits the configured pipeline, and calibrates it on the split's calibration rows if any.
   */
  public static Fitted fit(
      JobContext ctx,
      StructType featureSchema,
      TrainingSets.Split split,
      List<LocalDate> trainingDateList,
      int horizon) {
    ChurnConfig c = ctx.config();
    int trainingDates = trainingDateList.size();
    List<String> excluded = c.features().excludeFromModel();
    List<String> numeric = ChurnPipelines.numericFeatures(featureSchema, excluded);
    List<String> categorical = ChurnPipelines.categoricalFeatures(featureSchema, excluded);
    // One aggregation: class counts (refuse a set that cannot teach) and the typical values.
    List<org.apache.spark.sql.Column> aggs = new ArrayList<>();
    aggs.add(count("*"));
    aggs.add(sum(ChurnPipelines.LABEL));
    numeric.forEach(n -> aggs.add(avg(col(n))));
    Row stats =
        split
            .train()
            .agg(
                aggs.get(0),
                aggs.subList(1, aggs.size()).toArray(new org.apache.spark.sql.Column[0]))
            .head();
    long examples = stats.getLong(0);
    long positives = stats.isNullAt(1) ? 0 : (long) stats.getDouble(1);
    if (positives < c.train().minPositives() || positives == examples) {
      throw ChurnErrors.tooFewPositives(
          "training set (" + trainingDates + " as-of dates)",
          examples,
          positives,
          c.train().minPositives());
    }
    Map<String, Double> means = new LinkedHashMap<>();
    for (int i = 0; i < numeric.size(); i++) {
      if (!stats.isNullAt(2 + i)) {
        means.put(numeric.get(i), stats.getDouble(2 + i));
      }
    }
    long nonFinite =
        ChurnPipelines.checkNonFinite(
            split.train().unionByName(split.evaluation()),
            numeric,
            c.train().nonFinite(),
            ChurnTable.CUSTOMER_FEATURES.tableName());
    // The reference of feature_drift: the training rows' decile bins per numeric feature.
    Map<String, List<Double>> driftCuts = FeatureDrift.cuts(split.train(), numeric);
    Map<String, List<Double>> driftShares = FeatureDrift.shares(split.train(), driftCuts);
    // Hyper-parameters: searched on folds of the training rows only (never the held-out ones).
    HyperparameterSearch.Plan plan =
        split.validation() == TrainingSets.Validation.TIME_BASED
            ? HyperparameterSearch.rollingOrigin(
                split.train(), trainingDateList, horizon, c.train().search().folds())
            : HyperparameterSearch.stratifiedKFold(
                split.train(),
                ChurnPipelines.LABEL,
                c.train().search().folds(),
                c.train().seed() + 2);
    HyperparameterSearch.Result search =
        HyperparameterSearch.run(c.train(), plan, numeric, categorical);
    Dataset<Row> train = weighted(split.train(), c.train().classWeight(), examples, positives);
    PipelineModel base = ChurnPipelines.build(search.chosen(), numeric, categorical).fit(train);
    PipelineModel model = base;
    if (split.calibration().isPresent()) {
      Dataset<Row> calibration = split.calibration().get();
      List<org.apache.spark.ml.PipelineStage> stages = new ArrayList<>(List.of(base.stages()));
      stages.addAll(ChurnPipelines.calibration(base.transform(calibration), calibration.count()));
      model =
          new org.apache.spark.ml.Pipeline()
              .setStages(stages.toArray(new org.apache.spark.ml.PipelineStage[0]))
              .fit(calibration);
    }
    return new Fitted(
        model, train, numeric, categorical, means, driftCuts, driftShares, nonFinite, search);
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
      int horizon,
      long inputTableVersion) {
    ChurnConfig c = ctx.config();
    Fitted fitted = fit(ctx, features.schema(), split, trainingDates, horizon);
    PipelineModel model = fitted.model();
    ModelRegistry registry =
        new ModelRegistry(c.warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
    String version = registry.nextVersion();
    Map<String, Long> tableVersions = new LinkedHashMap<>();
    for (ChurnTable t : List.of(ChurnTable.EVENTS, ChurnTable.TRANSACTIONS, ChurnTable.CUSTOMERS)) {
      if (ctx.store().exists(t)) {
        tableVersions.put(t.tableName(), ctx.store().version(t));
      }
    }
    ModelInfo draft =
        info(
            c,
            version,
            asOf,
            trainingDates,
            calibrationDate,
            evaluationDate,
            horizon,
            fitted,
            inputTableVersion,
            split.validation(),
            tableVersions);
    Optional<String> baseline = baseline(features.schema());
    Evaluation evaluation =
        evaluate(
            ctx,
            model,
            draft,
            fitted.trainRows(),
            split.evaluation(),
            baseline,
            evaluationDate,
            horizon);
    Map<String, Double> metrics = evaluation.metrics();
    metrics.put("non_finite_values_imputed", (double) fitted.nonFinite());
    ModelInfo info = draft.withMetrics(metrics);
    registry.save(
        model,
        info,
        dir ->
            ModelPlots.write(info, evaluation.importance(), new Path(dir, "plots"), hadoop(ctx)));
    writeEvaluations(ctx, info.version(), evaluationDate, HOLDOUT, metrics);
    writeSearch(ctx, info.version(), asOf, fitted.search());
    Trained trained = promote(ctx, registry, info, split.evaluation(), promote);
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

  /** Kind of the metrics a model gets on its own held-out evaluation set. */
  public static final String HOLDOUT = "holdout";

  /** Kind of the champion's metrics on a challenger's evaluation set. */
  public static final String CHAMPION_COMPARISON = "champion_comparison";

  /** A model's description, without metrics yet. */
  public static ModelInfo info(
      ChurnConfig c,
      String version,
      LocalDate asOf,
      List<LocalDate> trainingDates,
      Optional<LocalDate> calibrationDate,
      LocalDate evaluationDate,
      int horizon,
      Fitted fitted,
      long inputTableVersion,
      TrainingSets.Validation validation,
      Map<String, Long> tableVersions) {
    Map<String, String> parameters = parameters(fitted.search().chosen());
    parameters.put("search", fitted.search().summary());
    return new ModelInfo(
        version,
        c.train().algorithm().id(),
        asOf.toString(),
        trainingDates.stream().map(LocalDate::toString).collect(Collectors.toList()),
        evaluationDate.toString(),
        horizon,
        fitted.numeric(),
        inputTableVersion,
        Instant.now().toString(),
        Map.of(),
        validation.description(),
        fitted.categorical(),
        c.features().excludeFromModel(),
        (calibrationDate.isPresent() ? c.train().calibration() : ChurnConfig.Calibration.NONE).id(),
        calibrationDate.map(LocalDate::toString).orElse(null),
        c.labels().definition().id(),
        parameters,
        tableVersions,
        fitted.means(),
        fitted.driftCuts(),
        fitted.driftShares());
  }

  /** The hyper-parameters of the configured algorithm, as recorded in {@code models}. */
  public static Map<String, String> parameters(ChurnConfig.TrainSettings t) {
    Map<String, String> p = Algorithm.of(t).parameters(t);
    p.put("class_weight", t.classWeight().id());
    p.put("calibration", t.calibration().id());
    p.put("seed", String.valueOf(t.seed()));
    return p;
  }

  /**
   * Instance weights: "balanced" gives each class half the total weight (churners weigh n / (2 x
   * churners), the others n / (2 x non-churners)); "none" adds no column. No row is dropped.
   */
  static Dataset<Row> weighted(
      Dataset<Row> train, ChurnConfig.ClassWeight mode, long n, long positives) {
    if (mode == ChurnConfig.ClassWeight.NONE) {
      return train;
    }
    double churner = n / (2.0 * positives);
    double other = n / (2.0 * (n - positives));
    return train.withColumn(
        ChurnPipelines.WEIGHT,
        org.apache
            .spark
            .sql
            .functions
            .when(col(ChurnPipelines.LABEL).equalTo(1.0), churner)
            .otherwise(other));
  }

  private static org.apache.hadoop.conf.Configuration hadoop(JobContext ctx) {
    return ctx.spark().sparkContext().hadoopConfiguration();
  }

  private static org.apache.spark.sql.Column[] keyAndInputs(ModelInfo info) {
    List<String> keep = new ArrayList<>(List.of(Columns.CUSTOMER_ID, Columns.AS_OF_DATE));
    keep.addAll(info.inputColumns());
    return keep.stream().map(k -> col("`" + k + "`")).toArray(org.apache.spark.sql.Column[]::new);
  }

  /** The explained scores of labelled rows, with their label (keys joined back). */
  private static Dataset<Row> scoredWithLabels(
      PipelineModel model, ModelInfo info, Dataset<Row> labelled) {
    Dataset<Row> features = labelled.select(keyAndInputs(info));
    return new ScoreCustomers(model, info, 0)
        .explained(features)
        .join(
            labelled.select(Columns.CUSTOMER_ID, Columns.AS_OF_DATE, ChurnPipelines.LABEL),
            new String[] {Columns.CUSTOMER_ID, Columns.AS_OF_DATE});
  }

  /** The recency column the trivial baseline scores with, if the features have one. */
  static Optional<String> baseline(StructType schema) {
    return java.util.stream.Stream.of(RECENCY, "days_since_last_purchase")
        .filter(List.of(schema.fieldNames())::contains)
        .findFirst();
  }

  /** Held-out metrics of a fitted pipeline (not saved), as the backtest needs them. */
  static Map<String, Double> evaluateFitted(
      JobContext ctx,
      Fitted fitted,
      StructType featureSchema,
      Dataset<Row> evalSet,
      Optional<LocalDate> calibrationDate,
      LocalDate evaluationDate,
      int horizon) {
    ModelInfo draft =
        info(
            ctx.config(),
            "backtest",
            evaluationDate,
            List.of(),
            calibrationDate,
            evaluationDate,
            horizon,
            fitted,
            -1,
            TrainingSets.Validation.TIME_BASED,
            Map.of());
    return evaluate(
            ctx,
            fitted.model(),
            draft,
            fitted.trainRows(),
            evalSet,
            baseline(featureSchema),
            evaluationDate,
            horizon)
        .metrics();
  }

  /** Held-out metrics, and each feature's importance on the same rows (most important first). */
  record Evaluation(Map<String, Double> metrics, Map<String, Double> importance) {}

  private static Evaluation evaluate(
      JobContext ctx,
      PipelineModel model,
      ModelInfo info,
      Dataset<Row> trainSet,
      Dataset<Row> evalSet,
      Optional<String> baseline,
      LocalDate evaluationDate,
      int horizon) {
    Dataset<Row> scored =
        scoredWithLabels(model, info, evalSet).persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Double> m;
    Map<String, Double> importance = new LinkedHashMap<>();
    try {
      m = new LinkedHashMap<>(EvaluateChurnModel.ofScores(scored, ctx.config().train().topShare()));
      // Rows = features: mean absolute contribution on the evaluation rows.
      String[] names =
          new ScoreCustomers(model, info, 0).featureNames(evalSet.select(keyAndInputs(info)));
      for (Row r :
          GlobalDrivers.of(scored, names, 1.0)
              .orderBy("rank")
              .select("feature", "importance")
              .collectAsList()) {
        importance.put(r.getString(0), r.getDouble(1));
      }
    } finally {
      scored.unpersist();
    }
    if (baseline.isPresent()) {
      // Recency (days since the last activity or purchase): more days, more risk.
      Dataset<Row> recency =
          evalSet.select(col(baseline.get()).as(RECENCY), col(ChurnPipelines.LABEL));
      m.put("baseline_recency_roc_auc", EvaluateChurnModel.rocAuc(recency, RECENCY));
      m.put("baseline_recency_pr_auc", EvaluateChurnModel.prAuc(recency, RECENCY));
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
    return new Evaluation(m, importance);
  }

  /**
   * Promotion ({@link ChampionPolicy}): the champion's metric on the challenger's evaluation rows
   * is computed (and recorded in {@code model_evaluations}) only when there is one to compare; the
   * decision and its reason go to {@code models}.
   */
  private static Trained promote(
      JobContext ctx,
      ModelRegistry registry,
      ModelInfo challenger,
      Dataset<Row> evalSet,
      Promotion promotion) {
    ChurnConfig.PromotionSettings p = ctx.config().train().promotion();
    Optional<String> current = ModelsTable.champion(ctx);
    Optional<ModelInfo> champion = current.flatMap(registry::find);
    ChampionPolicy.Decision d =
        new ChampionPolicy(p)
            .decide(
                challenger,
                promotion,
                current,
                champion,
                () -> championMetric(ctx, registry, champion.orElseThrow(), challenger, evalSet));
    boolean promoted = d.promoted();
    String reason = d.reason();
    ModelsTable.record(
        ctx,
        challenger,
        promoted ? ModelsTable.CHAMPION : ModelsTable.CANDIDATE,
        reason,
        promoted ? current : Optional.empty());
    return new Trained(challenger, promoted, reason);
  }

  /**
   * The champion's configured metric on the challenger's evaluation rows, recorded as its {@code
   * champion_comparison} evaluation; NaN when it cannot score them (its features differ).
   */
  private static double championMetric(
      JobContext ctx,
      ModelRegistry registry,
      ModelInfo old,
      ModelInfo challenger,
      Dataset<Row> evalSet) {
    try {
      Dataset<Row> scored = scoredWithLabels(registry.load(old), old, evalSet);
      Map<String, Double> m = EvaluateChurnModel.ofScores(scored, ctx.config().train().topShare());
      writeEvaluations(
          ctx, old.version(), LocalDate.parse(challenger.evaluationDate()), CHAMPION_COMPARISON, m);
      return m.get(ctx.config().train().promotion().metric().id());
    } catch (io.churnlake.common.errors.ChurnException e) {
      LOG.warn(
          "train: champion {} cannot score the evaluation set: {}", old.version(), e.getMessage());
      return Double.NaN;
    }
  }

  /**
   * Replaces a model's rows in model_search: its candidates, or, when no search ran, one row with
   * the configured parameters, no folds, a NaN mean and why.
   */
  static void writeSearch(
      JobContext ctx, String version, LocalDate asOf, HyperparameterSearch.Result r) {
    List<Row> rows = new ArrayList<>();
    Date date = Date.valueOf(asOf);
    if (r.candidates().isEmpty()) {
      rows.add(
          RowFactory.create(
              version,
              date,
              0,
              HyperparameterSearch.searched(r.chosen()),
              r.summary(),
              r.metric(),
              List.<String>of(),
              List.<Double>of(),
              Double.NaN,
              true));
    }
    for (HyperparameterSearch.Candidate c : r.candidates()) {
      rows.add(
          RowFactory.create(
              version,
              date,
              c.index(),
              c.parameters(),
              r.validation(),
              r.metric(),
              r.folds(),
              c.foldValues(),
              c.mean(),
              c.index() == r.chosenIndex()));
    }
    ctx.store()
        .replaceWhere(
            ChurnTable.MODEL_SEARCH,
            ctx.spark().createDataFrame(rows, TableSchemas.MODEL_SEARCH),
            Columns.MODEL_VERSION + " = '" + version + "'");
  }

  /** Replaces one model's metrics of one kind in model_evaluations. */
  static void writeEvaluations(
      JobContext ctx, String version, LocalDate asOf, String kind, Map<String, Double> metrics) {
    StructType schema = TableSchemas.MODEL_EVALUATIONS;
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      rows.add(RowFactory.create(version, Date.valueOf(asOf), kind, e.getKey(), e.getValue()));
    }
    ctx.store()
        .replaceWhere(
            ChurnTable.MODEL_EVALUATIONS,
            ctx.spark().createDataFrame(rows, schema),
            Columns.MODEL_VERSION
                + " = '"
                + version
                + "' AND as_of_date = DATE'"
                + asOf
                + "' AND kind = '"
                + kind
                + "'");
  }
}
