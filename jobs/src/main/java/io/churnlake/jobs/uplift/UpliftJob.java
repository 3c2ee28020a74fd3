package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.kpis.KpisJob;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.model.ModelsTable;
import io.churnlake.jobs.tables.SegmentColumns;
import io.churnlake.jobs.tables.TableSchemas;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake uplift --as-of D}: learns whom each retention action keeps from the randomised
 * customers of the campaign waves matured by D ({@link KpisJob#randomisedCustomers}) with their
 * features and churn score as of each wave's date; the configured learner ({@link IsotonicUplift}
 * or {@link TwoModelUplift}, {@code segment.uplift-learner}) on every matured wave but the latest,
 * evaluated on the latest by its Qini coefficient ({@link QiniCurve}) beside a random score's and,
 * on generated data, the oracle's (the true effects of {@code generated_effects}); registers its
 * pipelines under {@code _models/uplift/vNNNN} with a row in {@code uplift_models}; and scores D's
 * customers for every acting action into {@code uplift_scores}, which {@code segment.targeting =
 * uplift} reads. With one matured wave it trains on it and has nothing later to evaluate on; with
 * none, or a group without both outcomes, it says why and writes nothing.
 */
public final class UpliftJob {
  private static final Logger LOG = LoggerFactory.getLogger(UpliftJob.class);
  private static final int QINI_BINS = 10;
  private static final long RANDOM_SEED = 20_260_601L;

  private UpliftJob() {}

  /**
   * What a run did: the model registered ({@code version} empty when none was, with {@code status}
   * saying why), the waves it learned from and was evaluated on, and the Qini coefficients.
   */
  public record Result(
      LocalDate asOf,
      Optional<String> version,
      String status,
      List<LocalDate> trainingWaves,
      Optional<LocalDate> evaluationWave,
      long treated,
      long control,
      Optional<Double> qini,
      Optional<Double> randomQini,
      Optional<Double> oracleQini,
      Optional<TargetingComparison.Result> comparison,
      Optional<ExpectedQini> expected,
      long scored,
      long doNotDisturb) {
    static Result none(LocalDate asOf, String why) {
      return new Result(
          asOf,
          Optional.empty(),
          why,
          List.of(),
          Optional.empty(),
          0,
          0,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          0,
          0);
    }
  }

  /**
   * On generated data, the Qini coefficients of the model, a random score and the oracle computed
   * from the evaluation wave's true effects instead of its outcomes ({@link QiniCurve#expected}).
   */
  public record ExpectedQini(double model, double random, double oracle) {}

  public static Result run(JobContext ctx, LocalDate asOf) {
    return ctx.stage("uplift", () -> learn(ctx, asOf));
  }

  /** The acting actions: configured, other than those that cost nothing and save nothing. */
  static List<String> actions(JobContext ctx) {
    List<String> out = new ArrayList<>();
    ctx.config()
        .segment()
        .actions()
        .forEach(
            (name, a) -> {
              if (a.cost() > 0 || a.saveRate() > 0) {
                out.add(name);
              }
            });
    return out;
  }

  private static Result learn(JobContext ctx, LocalDate asOf) {
    int horizon = ctx.config().labels().horizonDays();
    Optional<String> notYet = noMaturedWave(ctx, asOf, horizon);
    if (notYet.isPresent()) {
      return Result.none(asOf, notYet.get());
    }
    Optional<ModelInfo> champion = ModelsTable.champion(ctx).flatMap(registry(ctx, "churn")::find);
    Optional<Dataset<Row>> randomised = KpisJob.randomisedCustomers(ctx, asOf);
    if (champion.isEmpty() || randomised.isEmpty()) {
      return Result.none(
          asOf,
          champion.isEmpty()
              ? "no churn model: the uplift model reads the champion's features"
              : "no churn dates to follow the waves' customers with");
    }
    List<String> actions = actions(ctx);
    List<String> features = champion.get().featureColumns();
    Dataset<Row> examples =
        UpliftExamples.withChurnScore(
                UpliftExamples.examples(
                    randomised.get(), ctx.store().read(ChurnTable.CUSTOMER_FEATURES), actions),
                ctx.store().read(ChurnTable.CHURN_SCORES),
                "wave_date")
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return learnFrom(ctx, asOf, examples, features, actions);
    } finally {
      examples.unpersist();
    }
  }

  /** Empty when a plan's horizon ended by D; else why nothing can be learned yet. */
  private static Optional<String> noMaturedWave(JobContext ctx, LocalDate asOf, int horizon) {
    if (!ctx.store().exists(ChurnTable.RISK_SEGMENTS)) {
      return Optional.of("no retention plan yet");
    }
    Row first =
        ctx.store()
            .read(ChurnTable.RISK_SEGMENTS)
            .where(col(SegmentColumns.TARGETING).equalTo(SegmentColumns.CONTROL))
            .agg(org.apache.spark.sql.functions.min(Columns.AS_OF_DATE))
            .first();
    if (first.isNullAt(0)) {
      return Optional.of("no plan has held out a control group yet");
    }
    LocalDate matures = first.getDate(0).toLocalDate().plusDays(horizon);
    return matures.isAfter(asOf)
        ? Optional.of(
            "no campaign wave has matured yet: the first plan with a control group matures on "
                + matures)
        : Optional.empty();
  }

  private static Result learnFrom(
      JobContext ctx,
      LocalDate asOf,
      Dataset<Row> examples,
      List<String> features,
      List<String> actions) {
    List<LocalDate> waves = new ArrayList<>();
    // One row per matured wave: a handful.
    for (Row r : examples.select("wave_date").distinct().orderBy("wave_date").collectAsList()) {
      waves.add(r.getDate(0).toLocalDate());
    }
    if (waves.isEmpty()) {
      return Result.none(asOf, "the matured waves' randomised customers have no features");
    }
    Optional<LocalDate> evaluation =
        waves.size() > 1 ? Optional.of(waves.get(waves.size() - 1)) : Optional.empty();
    List<LocalDate> training =
        evaluation.isPresent() ? waves.subList(0, waves.size() - 1) : List.copyOf(waves);
    Dataset<Row> train =
        examples.where(col("wave_date").lt(lit(Date.valueOf(evaluation.orElse(asOf.plusDays(1))))));
    UpliftModel.Groups groups = UpliftModel.groups(train, UpliftExamples.TREATED);
    if (groups.unlearnable().isPresent()) {
      return Result.none(asOf, groups.unlearnable().get().getMessage());
    }
    UpliftModel model = fit(ctx, train, features, actions, groups);
    Evaluation e =
        evaluation.isPresent() ? evaluate(ctx, model, examples, evaluation.get()) : Evaluation.NONE;
    String version = register(ctx, asOf, model, training, evaluation, groups, e);
    long[] scored = score(ctx, asOf, model, actions, version);
    Result r =
        new Result(
            asOf,
            Optional.of(version),
            evaluation.isPresent()
                ? "trained on " + training.size() + " matured waves, evaluated on the latest"
                : "trained on the one matured wave; a later wave will evaluate it",
            List.copyOf(training),
            evaluation,
            groups.treated(),
            groups.control(),
            e.model().map(QiniCurve.Result::coefficient),
            e.random().map(QiniCurve.Result::coefficient),
            e.oracle().map(QiniCurve.Result::coefficient),
            e.comparison(),
            e.expected(),
            scored[0],
            scored[1]);
    LOG.info("uplift as of {}: {} ({}), Qini {}", asOf, version, r.status(), r.qini());
    return r;
  }

  /**
   * The configured learner fitted on the training waves' randomised customers; the isotonic learner
   * may split on the churn model's numeric features.
   */
  private static UpliftModel fit(
      JobContext ctx,
      Dataset<Row> train,
      List<String> features,
      List<String> actions,
      UpliftModel.Groups groups) {
    return switch (ctx.config().segment().upliftLearner()) {
      case ISOTONIC ->
          IsotonicUplift.fit(
              train,
              "wave_date",
              UpliftExamples.TREATED,
              UpliftExamples.CHURNED,
              UpliftExamples.CHURN_SCORE,
              UpliftExamples.CHURN_PROBABILITY,
              UpliftExamples.numeric(train, features),
              actions,
              groups);
      case TWO_MODEL ->
          TwoModelUplift.fit(
              train,
              UpliftExamples.TREATED,
              UpliftExamples.inputs(features, actions),
              ctx.config().train(),
              groups);
    };
  }

  /** The Qini curves of one evaluation wave: the model's, a random score's, the oracle's. */
  record Evaluation(
      Optional<QiniCurve.Result> model,
      Optional<QiniCurve.Result> random,
      Optional<QiniCurve.Result> oracle,
      Optional<TargetingComparison.Result> comparison,
      Optional<ExpectedQini> expected) {
    static final Evaluation NONE =
        new Evaluation(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
  }

  /**
   * The Qini curves on the evaluation wave's randomised customers, and on generated data the
   * oracle's and the comparison of targetings on that wave ({@link TargetingComparison}).
   */
  private static Evaluation evaluate(
      JobContext ctx, UpliftModel model, Dataset<Row> examples, LocalDate wave) {
    Dataset<Row> scored =
        model
            .apply(examples.where(col("wave_date").equalTo(lit(Date.valueOf(wave)))))
            .withColumn(
                "_random", xxhash64(col(Columns.CUSTOMER_ID), lit(RANDOM_SEED)).cast("double"))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      QiniCurve.Result m = qini(scored, UpliftModel.UPLIFT);
      QiniCurve.Result r = qini(scored, "_random");
      if (!ctx.store().exists(ChurnTable.GENERATED_EFFECTS)) {
        return new Evaluation(
            Optional.of(m), Optional.of(r), Optional.empty(), Optional.empty(), Optional.empty());
      }
      Dataset<Row> truth =
          ctx.store()
              .read(ChurnTable.GENERATED_EFFECTS)
              .where(col("horizon_days").equalTo(ctx.config().labels().horizonDays()))
              .where(col(Columns.AS_OF_DATE).equalTo(lit(Date.valueOf(wave))));
      Dataset<Row> known =
          scored
              .join(
                  truth.select(col(Columns.CUSTOMER_ID), col("true_effect")),
                  Columns.CUSTOMER_ID,
                  "inner")
              .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        return known.isEmpty()
            ? new Evaluation(
                Optional.of(m),
                Optional.of(r),
                Optional.empty(),
                Optional.empty(),
                Optional.empty())
            : new Evaluation(
                Optional.of(m),
                Optional.of(r),
                Optional.of(qini(known, "true_effect")),
                compare(ctx, wave, truth),
                Optional.of(expected(known)));
      } finally {
        known.unpersist();
      }
    } finally {
      scored.unpersist();
    }
  }

  /** The three expected Qini coefficients of rows with their true effect (read once, cached). */
  private static ExpectedQini expected(Dataset<Row> known) {
    return new ExpectedQini(
        QiniCurve.expected(known, UpliftModel.UPLIFT, "true_effect", QINI_BINS).coefficient(),
        QiniCurve.expected(known, "_random", "true_effect", QINI_BINS).coefficient(),
        QiniCurve.expected(known, "true_effect", "true_effect", QINI_BINS).coefficient());
  }

  private static QiniCurve.Result qini(Dataset<Row> scored, String score) {
    return QiniCurve.of(scored, score, UpliftExamples.TREATED, UpliftExamples.CHURNED, QINI_BINS);
  }

  /** The wave's plan against uplift targeting, when that night's uplift_scores exist. */
  private static Optional<TargetingComparison.Result> compare(
      JobContext ctx, LocalDate wave, Dataset<Row> truth) {
    String onWave = History.asOfPredicate(wave);
    if (!ctx.store().exists(ChurnTable.UPLIFT_SCORES)
        || ctx.store().read(ChurnTable.UPLIFT_SCORES).where(onWave).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        TargetingComparison.compare(
            ctx.store().read(ChurnTable.RISK_SEGMENTS).where(onWave),
            ctx.store().read(ChurnTable.UPLIFT_SCORES).where(onWave),
            truth,
            ctx.config().segment(),
            ctx.runId()));
  }

  private static ModelRegistry registry(JobContext ctx, String kind) {
    return new ModelRegistry(
        ctx.config().warehouse(), kind, ctx.spark().sparkContext().hadoopConfiguration());
  }

  /** Saves both pipelines, then appends the model's row to uplift_models; returns its version. */
  private static String register(
      JobContext ctx,
      LocalDate asOf,
      UpliftModel model,
      List<LocalDate> training,
      Optional<LocalDate> evaluation,
      UpliftModel.Groups groups,
      Evaluation e) {
    ModelRegistry registry = registry(ctx, "uplift");
    String version = registry.nextVersion();
    Map<String, Object> metadata = new java.util.LinkedHashMap<>();
    metadata.put("version", version);
    metadata.put("as_of_date", asOf.toString());
    metadata.put("algorithm", model.algorithm());
    metadata.put("features", model.features());
    metadata.put("training_waves", training.stream().map(LocalDate::toString).toList());
    metadata.putAll(model.metadata());
    registry.save(version, model.pipelines(), metadata);
    Row row =
        RowFactory.create(
            version,
            Date.valueOf(asOf),
            model.algorithm(),
            training.stream().map(Date::valueOf).toArray(Date[]::new),
            evaluation.map(Date::valueOf).orElse(null),
            groups.treated(),
            groups.control(),
            model.features().toArray(new String[0]),
            e.model().map(QiniCurve.Result::coefficient).orElse(null),
            e.random().map(QiniCurve.Result::coefficient).orElse(null),
            e.oracle().map(QiniCurve.Result::coefficient).orElse(null),
            e.expected().map(ExpectedQini::model).orElse(null),
            e.expected().map(ExpectedQini::random).orElse(null),
            e.expected().map(ExpectedQini::oracle).orElse(null),
            e.model().map(QiniCurve.Result::overall).orElse(null),
            e.model().map(UpliftJob::curve).orElse(null),
            e.oracle().map(UpliftJob::curve).orElse(null),
            e.comparison().map(TargetingComparison.Result::budget).orElse(null),
            e.comparison().map(TargetingComparison.Result::planNetValue).orElse(null),
            e.comparison().map(TargetingComparison.Result::planTargeted).orElse(null),
            e.comparison().map(TargetingComparison.Result::upliftNetValue).orElse(null),
            e.comparison().map(TargetingComparison.Result::upliftTargeted).orElse(null),
            Timestamp.from(Instant.now()),
            ctx.runId());
    ctx.store()
        .append(
            ChurnTable.UPLIFT_MODELS,
            ctx.spark().createDataFrame(List.of(row), TableSchemas.UPLIFT_MODELS));
    return version;
  }

  private static Row[] curve(QiniCurve.Result r) {
    return r.points().stream().map(p -> RowFactory.create(p.share(), p.kept())).toArray(Row[]::new);
  }

  /**
   * Replaces D's uplift_scores: every customer with features on D, once per acting action; returns
   * the rows written and how many are do-not-disturb (predicted to churn more when contacted).
   */
  private static long[] score(
      JobContext ctx, LocalDate asOf, UpliftModel model, List<String> actions, String version) {
    String onDate = History.asOfPredicate(asOf);
    Dataset<Row> features =
        UpliftExamples.withChurnScore(
            ctx.store().read(ChurnTable.CUSTOMER_FEATURES).where(onDate),
            ctx.store().read(ChurnTable.CHURN_SCORES).where(onDate),
            Columns.AS_OF_DATE);
    Dataset<Row> rows =
        model
            .apply(UpliftExamples.perAction(features, actions))
            .select(
                col(Columns.CUSTOMER_ID),
                col(Columns.AS_OF_DATE),
                col(SegmentColumns.ACTION),
                col(UpliftModel.P_TREATED).as("p_churn_contacted"),
                col(UpliftModel.P_CONTROL).as("p_churn_not_contacted"),
                col(UpliftModel.UPLIFT),
                coalesce(col(UpliftModel.UPLIFT).lt(0), lit(false)).as("do_not_disturb"),
                lit(version).as(Columns.MODEL_VERSION),
                lit(ctx.runId()).as("run_id"));
    ctx.store().replaceWhere(ChurnTable.UPLIFT_SCORES, rows, onDate);
    Row counts =
        ctx.store()
            .read(ChurnTable.UPLIFT_SCORES)
            .where(onDate)
            .agg(
                org.apache.spark.sql.functions.count(lit(1)),
                org.apache.spark.sql.functions.sum(
                    org.apache.spark.sql.functions.when(col("do_not_disturb"), 1L).otherwise(0L)))
            .first();
    return new long[] {counts.getLong(0), counts.isNullAt(1) ? 0 : counts.getLong(1)};
  }
}
