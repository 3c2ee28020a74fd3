package io.churnlake.jobs.score;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.labels.ChurnDefinition;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.FeatureDrift;
import io.churnlake.jobs.model.GlobalDrivers;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.model.ModelsTable;
import io.churnlake.jobs.model.ScoreCustomers;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake score --as-of D}: scores D's features with the champion model (or the one named
 * by {@code --model}) into churn_scores, each customer with its drivers, the model's global drivers
 * for D into churn_drivers and each feature's population stability against the model's training
 * rows into feature_drift. Each is replaced for D (and the model version) atomically.
 */
public final class ScoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

  private ScoreJob() {}

  /**
   * How many customers were scored, by which model, and which features drifted (PSI above {@code
   * score.psi-threshold}) with their PSI; {@code leftOut} customers with features were not scored,
   * for the reason {@code why} ({@code score.population}).
   */
  public record Result(
      long scored, String model, Map<String, Double> drifted, long leftOut, String why) {
    /**
     * One line for people naming the drifted features with their PSI to two decimals, most drifted
     * first, e.g. {@code thumbs_down_30d 0.83, help_30d 0.31}; empty when none drifted.
     */
    public Optional<String> driftLine() {
      if (drifted.isEmpty()) {
        return Optional.empty();
      }
      List<String> parts = new ArrayList<>();
      drifted.entrySet().stream()
          .sorted(
              Map.Entry.<String, Double>comparingByValue()
                  .reversed()
                  .thenComparing(Map.Entry.comparingByKey()))
          .forEach(
              e ->
                  parts.add(
                      String.format(java.util.Locale.ROOT, "%s %.2f", e.getKey(), e.getValue())));
      return Optional.of("features with PSI above threshold: " + String.join(", ", parts));
    }

    /** One line for people: how many were left out and why, or empty when none. */
    public Optional<String> population() {
      return leftOut == 0
          ? Optional.empty()
          : Optional.of(
              String.format(
                  "%d customers not scored: %s (score.population = all scores them)",
                  leftOut, why));
    }
  }

  public static Result run(JobContext ctx, LocalDate asOf, Optional<String> version) {
    return ctx.stage("score", () -> score(ctx, asOf, version));
  }

  private static Result score(JobContext ctx, LocalDate asOf, Optional<String> version) {
    ModelRegistry registry =
        new ModelRegistry(
            ctx.config().warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
    ModelInfo info = resolve(ctx, registry, version);
    warnWhenTrainedLater(info, asOf);
    Dataset<Row> all =
        ctx.store().read(ChurnTable.CUSTOMER_FEATURES).where(History.asOfPredicate(asOf));
    long featured = all.count();
    if (featured == 0) {
      throw ChurnErrors.noDataBefore(
          ChurnTable.CUSTOMER_FEATURES.tableName() + " (run 'features --as-of " + asOf + "')",
          asOf);
    }
    // The population the labels trained on: customers already churned by the definition are
    // neither scored nor targeted (score.population = at-risk).
    Optional<ChurnDefinition.AtRisk> atRisk =
        ctx.config().score().population() == ChurnConfig.ScorePopulation.AT_RISK
            ? ChurnDefinition.of(ctx.config().labels()).atRisk(ctx, asOf)
            : Optional.empty();
    Dataset<Row> features =
        atRisk.map(r -> all.join(r.customers(), Columns.CUSTOMER_ID, "left_semi")).orElse(all);
    long nonFinite =
        ChurnPipelines.checkNonFinite(
            features,
            info.featureColumns(),
            ctx.config().train().nonFinite(),
            ChurnTable.CUSTOMER_FEATURES.tableName());
    if (nonFinite > 0) {
      LOG.warn("score: {} NaN or infinite feature values imputed as missing", nonFinite);
    }
    writeScores(ctx, registry, info, asOf, features);
    Map<String, Double> psi = drift(info, features);
    double threshold = ctx.config().score().psiThreshold();
    writeDrift(ctx, info, asOf, psi, threshold);
    Map<String, Double> drifted = new LinkedHashMap<>(psi);
    drifted.values().removeIf(v -> !(v > threshold));
    long scored =
        ctx.store().read(ChurnTable.CHURN_SCORES).where(History.asOfPredicate(asOf)).count();
    Result result =
        new Result(
            scored,
            info.version(),
            drifted,
            featured - scored,
            atRisk.map(ChurnDefinition.AtRisk::leftOut).orElse(""));
    result.population().ifPresent(line -> LOG.info("score: {}", line));
    result
        .driftLine()
        .ifPresent(
            line ->
                LOG.warn(
                    "score: {} of {} features drifted since model {} was trained: {}",
                    drifted.size(),
                    psi.size(),
                    info.version(),
                    line));
    return result;
  }

  private static void warnWhenTrainedLater(ModelInfo info, LocalDate asOf) {
    if (LocalDate.parse(info.trainedAsOf()).isAfter(asOf)) {
      LOG.warn(
          "score: model {} was trained as of {}, after {}: its scores for {} use what it"
              + " learnt from later data (nightly and backfill score a past date with a"
              + " model trained on or before it)",
          info.version(),
          info.trainedAsOf(),
          asOf,
          asOf);
    }
  }

  /** The date's churn_scores (one row per customer) and churn_drivers, from one explained pass. */
  private static void writeScores(
      JobContext ctx,
      ModelRegistry registry,
      ModelInfo info,
      LocalDate asOf,
      Dataset<Row> features) {
    ScoreCustomers scorer =
        new ScoreCustomers(
            registry.load(info),
            info,
            ctx.config().score().drivers(),
            ctx.config().score().treeExplanations() == ChurnConfig.TreeExplanations.TREESHAP,
            ctx.config().score().reasonCategories());
    Dataset<Row> explained = scorer.explained(features).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      ctx.store()
          .replaceWhere(
              ChurnTable.CHURN_SCORES,
              ScoreCustomers.scores(explained),
              History.asOfPredicate(asOf));
      ctx.store()
          .replaceWhere(
              ChurnTable.CHURN_DRIVERS,
              GlobalDrivers.of(
                  explained, scorer.featureNames(features), ctx.config().segment().highFrom()),
              Columns.MODEL_VERSION
                  + " = '"
                  + info.version()
                  + "' AND "
                  + History.asOfPredicate(asOf));
    } finally {
      explained.unpersist();
    }
  }

  /**
   * PSI per monitored numeric feature of {@code features} against the model's training rows (ages
   * and lifetime totals are left out: {@link FeatureDrift#monitored}).
   */
  public static Map<String, Double> drift(ModelInfo info, Dataset<Row> features) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (info.driftCuts() == null || info.driftShares() == null) {
      return out;
    }
    Map<String, List<Double>> cuts = new LinkedHashMap<>();
    info.driftCuts()
        .forEach(
            (f, c) -> {
              if (FeatureDrift.monitored(f) && List.of(features.columns()).contains(f)) {
                cuts.put(f, c);
              }
            });
    Map<String, List<Double>> now = FeatureDrift.shares(features, cuts);
    now.forEach((f, shares) -> out.put(f, FeatureDrift.psi(info.driftShares().get(f), shares)));
    return out;
  }

  private static void writeDrift(
      JobContext ctx, ModelInfo info, LocalDate asOf, Map<String, Double> psi, double threshold) {
    StructType schema =
        new StructType()
            .add(Columns.MODEL_VERSION, DataTypes.StringType, false)
            .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
            .add("feature", DataTypes.StringType, false)
            .add("psi", DataTypes.DoubleType, false)
            .add("drifted", DataTypes.BooleanType, false)
            .add("threshold", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    psi.forEach(
        (f, v) ->
            rows.add(
                RowFactory.create(
                    info.version(), Date.valueOf(asOf), f, v, v > threshold, threshold)));
    ctx.store()
        .replaceWhere(
            ChurnTable.FEATURE_DRIFT,
            ctx.spark().createDataFrame(rows, schema),
            Columns.MODEL_VERSION
                + " = '"
                + info.version()
                + "' AND "
                + History.asOfPredicate(asOf));
  }

  /** The named version, else the champion; a clear error when neither exists. */
  static ModelInfo resolve(JobContext ctx, ModelRegistry registry, Optional<String> version) {
    if (version.isPresent()) {
      return registry
          .find(version.get())
          .orElseThrow(
              () ->
                  ChurnErrors.unknownModelVersion(
                      version.get(), registry.location(), registry.versions()));
    }
    return ModelsTable.champion(ctx)
        .flatMap(registry::find)
        .orElseThrow(() -> ChurnErrors.noModel(registry.location()));
  }
}
