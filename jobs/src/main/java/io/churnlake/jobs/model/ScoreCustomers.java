package io.churnlake.jobs.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Applies a trained model to feature rows: per customer and date the (calibrated) churn
 * probability, the raw margin, the rank percentile among the scored customers and the drivers
 * behind the score. Pure transforms; the rank percentile needs one approximate-quantile pass over
 * the scores.
 */
public final class ScoreCustomers {
  /** Share of the date's scored customers with a lower raw score (to within 0.1%). */
  public static final String RANK_PERCENTILE = "rank_percentile";

  private static final List<String> KEYS = List.of(Columns.CUSTOMER_ID, Columns.AS_OF_DATE);
  private final PipelineModel model;
  private final ModelInfo info;
  private final int drivers;
  private final boolean exact;
  private final Map<String, List<String>> categories;

  public ScoreCustomers(PipelineModel model, ModelInfo info, int drivers) {
    this(model, info, drivers, true);
  }

  /**
   * @param exact tree ensembles: exact Shapley values (TreeSHAP) rather than Saabas contributions
   */
  public ScoreCustomers(PipelineModel model, ModelInfo info, int drivers, boolean exact) {
    this(model, info, drivers, exact, Map.of());
  }

  /**
   * @param categories each reason category's signals ({@code score.reason-categories})
   */
  public ScoreCustomers(
      PipelineModel model,
      ModelInfo info,
      int drivers,
      boolean exact,
      Map<String, List<String>> categories) {
    this.model = model;
    this.info = info;
    this.drivers = drivers;
    this.exact = exact;
    this.categories = Map.copyOf(categories);
  }

  /**
   * Explained scores ({@link ExplainScores#SCHEMA} plus {@code model_version}): every feature's
   * contribution, the bias and the top drivers.
   */
  public Dataset<Row> explained(Dataset<Row> features) {
    requireColumns(features.schema());
    Dataset<Row> transformed = model.transform(features);
    ScoreExplainer explainer = explainer(transformed);
    String probability = info.calibrated() ? ChurnPipelines.CALIBRATED : "probability";
    Map<String, Double> typical = info.featureMeans() == null ? Map.of() : info.featureMeans();
    return new ExplainScores(explainer, probability, drivers, typical, categories)
        .apply(transformed)
        .withColumn(Columns.MODEL_VERSION, lit(info.version()));
  }

  /** The features the contributions of {@link #explained} belong to, in their order. */
  public String[] featureNames(Dataset<Row> features) {
    return explainer(model.transform(features)).features();
  }

  private ScoreExplainer explainer(Dataset<Row> transformed) {
    return ScoreExplainer.of(model, transformed.schema(), ChurnPipelines::sourceColumn, exact);
  }

  /** churn_scores rows for one as-of date's explained scores. */
  public static Dataset<Row> scores(Dataset<Row> explained) {
    return withRankPercentile(explained)
        .select(
            col(Columns.CUSTOMER_ID),
            col(Columns.AS_OF_DATE),
            col(Columns.CHURN_PROBABILITY),
            col(ExplainScores.RAW_SCORE),
            col(RANK_PERCENTILE),
            col(Columns.MODEL_VERSION),
            col(ExplainScores.DRIVERS));
  }

  /**
   * Adds {@link #RANK_PERCENTILE}: the raw score's 999 approximate quantiles (one pass), then a
   * bucket lookup; a score above k of the quantile cut points gets k / 1000.
   */
  static Dataset<Row> withRankPercentile(Dataset<Row> explained) {
    double[] levels = new double[999];
    for (int i = 0; i < levels.length; i++) {
      levels[i] = (i + 1) / 1000.0;
    }
    double[] q = explained.stat().approxQuantile(ExplainScores.RAW_SCORE, levels, 0.0005);
    if (q.length == 0) {
      return explained.withColumn(RANK_PERCENTILE, lit(0.0));
    }
    // Distinct cut points; cumulative[b] = quantile levels at or below the bucket's lower cut.
    TreeSet<Double> distinct = new TreeSet<>();
    for (double v : q) {
      distinct.add(v);
    }
    List<Double> cuts = new ArrayList<>(distinct);
    double[] splits = new double[cuts.size() + 2];
    splits[0] = Double.NEGATIVE_INFINITY;
    splits[splits.length - 1] = Double.POSITIVE_INFINITY;
    double[] cumulative = new double[cuts.size() + 1];
    cumulative[0] = 0.0;
    int level = 0;
    for (int i = 0; i < cuts.size(); i++) {
      splits[i + 1] = cuts.get(i);
      while (level < q.length && q[level] <= cuts.get(i)) {
        level++;
      }
      cumulative[i + 1] = level / 1000.0;
    }
    Dataset<Row> bucketed =
        new Bucketizer()
            .setInputCol(ExplainScores.RAW_SCORE)
            .setOutputCol("_rank_bucket")
            .setSplits(splits)
            .transform(explained);
    return bucketed
        .withColumn(
            RANK_PERCENTILE, element_at(lit(cumulative), col("_rank_bucket").cast("int").plus(1)))
        .drop("_rank_bucket");
  }

  private void requireColumns(StructType schema) {
    Set<String> present = new HashSet<>(List.of(schema.fieldNames()));
    List<String> missing = new ArrayList<>();
    for (String c : info.inputColumns()) {
      if (!present.contains(c)) {
        missing.add(c);
      }
    }
    Set<String> known = new HashSet<>(info.inputColumns());
    known.addAll(KEYS);
    if (info.excludedColumns() != null) {
      known.addAll(info.excludedColumns());
    }
    List<String> unknown = new ArrayList<>();
    for (StructField f : schema.fields()) {
      DataType t = f.dataType();
      boolean feature =
          t == DataTypes.IntegerType
              || t == DataTypes.LongType
              || t == DataTypes.DoubleType
              || t == DataTypes.StringType;
      if (feature && !known.contains(f.name())) {
        unknown.add(f.name());
      }
    }
    if (!missing.isEmpty() || !unknown.isEmpty()) {
      throw ChurnErrors.featureColumnsMismatch(
          "customer_features", info.version(), missing, unknown);
    }
  }
}
