package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.FeatureDrift;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Fits the configured churn pipeline on a split's training rows: refuses a set that cannot teach,
 * applies train.non-finite, learns the drift reference, searches the hyper-parameters on folds of
 * the training rows only, weights the classes, and calibrates on the calibration rows if any.
 */
public final class FitChurnModel {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(FitChurnModel.class);

  private FitChurnModel() {}

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
      HyperparameterSearch.Result search,
      Optional<CalibrationCheck.Verdict> calibration) {
    /** Whether the model's probabilities are calibrated (a calibration date, not refused). */
    public boolean calibrated() {
      return calibration.map(CalibrationCheck.Verdict::keep).orElse(false);
    }
  }

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
    ClassStats stats = ClassStats.of(split.train(), numeric);
    long examples = stats.examples();
    long positives = stats.positives();
    if (positives < c.train().minPositives() || positives == examples) {
      throw ChurnErrors.tooFewPositives(
          "training set (" + trainingDates + " as-of dates)",
          examples,
          positives,
          c.train().minPositives());
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
    HyperparameterSearch.Result search =
        HyperparameterSearch.run(
            c.train(), searchPlan(c, split, trainingDateList, horizon), numeric, categorical);
    Dataset<Row> train = weighted(split.train(), c.train().classWeight(), examples, positives);
    PipelineModel base = ChurnPipelines.build(search.chosen(), numeric, categorical).fit(train);
    Optional<CalibrationCheck.Verdict> verdict =
        split.calibration().map(rows -> CalibrationCheck.of(base, rows));
    verdict.ifPresent(v -> LOG.info("train: isotonic calibration {}", v.describe()));
    PipelineModel model =
        verdict.isPresent() && verdict.get().keep()
            ? calibrated(base, split.calibration().get())
            : base;
    return new Fitted(
        model,
        train,
        numeric,
        categorical,
        stats.means(),
        driftCuts,
        driftShares,
        nonFinite,
        search,
        verdict);
  }

  /** Rolling-origin folds over the dates for a time-based split, else stratified folds. */
  private static HyperparameterSearch.Plan searchPlan(
      ChurnConfig c, TrainingSets.Split split, List<LocalDate> dates, int horizon) {
    return split.validation() == TrainingSets.Validation.TIME_BASED
        ? HyperparameterSearch.rollingOrigin(
            split.train(), dates, horizon, c.train().search().folds())
        : HyperparameterSearch.stratifiedKFold(
            split.train(), ChurnPipelines.LABEL, c.train().search().folds(), c.train().seed() + 2);
  }

  /** The training rows' size, churners and numeric means, from one aggregation. */
  private record ClassStats(long examples, long positives, Map<String, Double> means) {
    static ClassStats of(Dataset<Row> train, List<String> numeric) {
      List<org.apache.spark.sql.Column> aggs = new ArrayList<>();
      aggs.add(count("*"));
      aggs.add(sum(ChurnPipelines.LABEL));
      numeric.forEach(n -> aggs.add(avg(col(n))));
      Row stats =
          train
              .agg(
                  aggs.get(0),
                  aggs.subList(1, aggs.size()).toArray(new org.apache.spark.sql.Column[0]))
              .head();
      Map<String, Double> means = new LinkedHashMap<>();
      for (int i = 0; i < numeric.size(); i++) {
        if (!stats.isNullAt(2 + i)) {
          means.put(numeric.get(i), stats.getDouble(2 + i));
        }
      }
      return new ClassStats(
          stats.getLong(0), stats.isNullAt(1) ? 0 : (long) stats.getDouble(1), means);
    }
  }

  /** {@code base} followed by isotonic calibration fitted on {@code calibration}'s rows. */
  private static PipelineModel calibrated(PipelineModel base, Dataset<Row> calibration) {
    List<org.apache.spark.ml.PipelineStage> stages = new ArrayList<>(List.of(base.stages()));
    stages.addAll(ChurnPipelines.calibration(base.transform(calibration), calibration.count()));
    return new org.apache.spark.ml.Pipeline()
        .setStages(stages.toArray(new org.apache.spark.ml.PipelineStage[0]))
        .fit(calibration);
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
}
