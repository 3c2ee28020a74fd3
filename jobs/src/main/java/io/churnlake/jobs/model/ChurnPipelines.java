package io.churnlake.jobs.model;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The MLlib pipelines churnlake trains: numeric nulls to 0 (every nullable feature has an indicator
 * beside it, e.g. {@code has_purchased}), each string feature indexed and one-hot encoded (unseen
 * values get their own slot), features assembled, then classified.
 */
public final class ChurnPipelines {
  public static final String LABEL = "label";

  /** Instance weight column of training rows (train.class-weight). */
  public static final String WEIGHT = "weight";

  /** The calibrated churn probability a calibrated model adds (train.calibration). */
  public static final String CALIBRATED = "calibrated_probability";

  private static final String FILLED = "__f";
  private static final String ONE_HOT = "_vector";
  private static final List<String> KEYS = List.of(Columns.CUSTOMER_ID, Columns.AS_OF_DATE);

  private ChurnPipelines() {}

  /** Numeric feature columns of a customer_features schema, in schema order. */
  public static List<String> numericFeatures(StructType features) {
    return numericFeatures(features, List.of());
  }

  /** Numeric feature columns, without those kept out of models by configuration. */
  public static List<String> numericFeatures(StructType features, List<String> excluded) {
    List<String> out = new ArrayList<>();
    for (StructField f : features.fields()) {
      DataType t = f.dataType();
      boolean numeric =
          t == DataTypes.IntegerType || t == DataTypes.LongType || t == DataTypes.DoubleType;
      if (numeric && !KEYS.contains(f.name()) && !excluded.contains(f.name())) {
        out.add(f.name());
      }
    }
    return out;
  }

  /** String (categorical) feature columns, without those kept out of models. */
  public static List<String> categoricalFeatures(StructType features, List<String> excluded) {
    List<String> out = new ArrayList<>();
    for (StructField f : features.fields()) {
      if (f.dataType() == DataTypes.StringType
          && !KEYS.contains(f.name())
          && !excluded.contains(f.name())) {
        out.add(f.name());
      }
    }
    return out;
  }

  public static Pipeline build(ChurnConfig.TrainSettings settings, List<String> numeric) {
    return build(settings, numeric, List.of(Columns.LEVEL));
  }

  /** SQL: true when a numeric value is NaN or infinite (false for null). */
  static String nonFinite(String column) {
    return "(isnan(double(" + column + ")) OR abs(double(" + column + ")) = double('Infinity'))";
  }

  /**
   * NaN or infinite values per numeric feature, in one aggregation; only columns that have some.
   */
  public static Map<String, Long> nonFiniteCounts(Dataset<Row> rows, List<String> numeric) {
    Map<String, Long> out = new LinkedHashMap<>();
    // Only floating-point columns can hold NaN or infinities.
    List<String> doubles =
        numeric.stream()
            .filter(c -> rows.schema().apply(c).dataType() == DataTypes.DoubleType)
            .toList();
    if (doubles.isEmpty()) {
      return out;
    }
    // Long format (column index, value), one small expression: a count per wide column would
    // exceed the JVM's method size with ~100 features.
    Column[] pairs = new Column[doubles.size()];
    for (int i = 0; i < doubles.size(); i++) {
      pairs[i] =
          functions.struct(
              functions.lit(i).as("c"), functions.col("`" + doubles.get(i) + "`").as("x"));
    }
    for (Row r :
        rows.select(functions.explode(functions.array(pairs)).as("p"))
            .where(functions.expr(nonFinite("p.x")))
            .groupBy("p.c")
            .count()
            .collectAsList()) {
      out.put(doubles.get(r.getInt(0)), r.getLong(1));
    }
    return out;
  }

  /**
   * Applies {@code train.non-finite}: "reject" refuses rows with NaN or infinite feature values
   * (naming the columns and counts), "impute" lets the pipeline treat them as missing (0). Returns
   * the count of such values either way.
   */
  public static long checkNonFinite(
      Dataset<Row> rows, List<String> numeric, ChurnConfig.NonFinite mode, String table) {
    Map<String, Long> counts = nonFiniteCounts(rows, numeric);
    if (!counts.isEmpty() && mode == ChurnConfig.NonFinite.REJECT) {
      throw io.churnlake.common.errors.ChurnErrors.nonFiniteValues(table, counts);
    }
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The customer_features column an assembler input of {@link #build} comes from. */
  public static String sourceColumn(String assemblerInput) {
    if (assemblerInput.endsWith(FILLED)) {
      return assemblerInput.substring(0, assemblerInput.length() - FILLED.length());
    }
    if (assemblerInput.endsWith(ONE_HOT)) {
      return assemblerInput.substring(0, assemblerInput.length() - ONE_HOT.length());
    }
    return assemblerInput;
  }

  private static final String ISOTONIC = "isotonic_probability";

  /**
   * Isotonic regression from the classifier's raw margin to the churn rate, fitted on held-out rows
   * the classifier never saw, then bounded to [0.5 / n, 1 - 0.5 / n] for n calibration rows: an
   * isotonic block without a single churner estimates 0, which no finite sample can support (and
   * which would make the log loss infinite). Returns the stages to append to the fitted pipeline;
   * their output column is {@link #CALIBRATED}.
   */
  public static List<org.apache.spark.ml.Transformer> calibration(
      Dataset<Row> transformedCalibrationRows, long rows) {
    var isotonic =
        new IsotonicRegression()
            .setFeaturesCol("rawPrediction")
            .setFeatureIndex(1)
            .setLabelCol(LABEL)
            .setPredictionCol(ISOTONIC)
            .fit(transformedCalibrationRows);
    double low = 0.5 / Math.max(rows, 1);
    var bound =
        new SQLTransformer()
            .setStatement(
                "SELECT *, least(greatest("
                    + ISOTONIC
                    + ", "
                    + low
                    + "D), "
                    + (1 - low)
                    + "D) AS "
                    + CALIBRATED
                    + " FROM __THIS__");
    return List.of(isotonic, bound);
  }

  /** The whole pipeline: {@link #preprocessing} and then {@link #classifier}. */
  public static Pipeline build(
      ChurnConfig.TrainSettings settings, List<String> numeric, List<String> categorical) {
    List<PipelineStage> stages =
        new ArrayList<>(List.of(preprocessing(settings, numeric, categorical).getStages()));
    stages.add(classifier(settings));
    return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
  }

  /**
   * The stages before the classifier (fill, index, encode, assemble, and scale for logistic
   * regression): the same for every candidate of a search (they share algorithm and class weight),
   * so a search fits them once per fold.
   */
  public static Pipeline preprocessing(
      ChurnConfig.TrainSettings settings, List<String> numeric, List<String> categorical) {
    List<PipelineStage> stages = new ArrayList<>();
    // Nulls mean "none yet" (no purchase, no snapshot); the assembler cannot take them. NaN and
    // infinities are imputed the same way (train.non-finite = reject refuses them before this).
    StringBuilder fill = new StringBuilder("SELECT *");
    for (String c : numeric) {
      fill.append(", CASE WHEN ")
          .append(nonFinite("`" + c + "`"))
          .append(" THEN 0 ELSE coalesce(`")
          .append(c)
          .append("`, 0) END AS `")
          .append(c)
          .append(FILLED)
          .append("`");
    }
    fill.append(" FROM __THIS__");
    stages.add(new SQLTransformer().setStatement(fill.toString()));
    List<String> assembled = new ArrayList<>();
    numeric.forEach(c -> assembled.add(c + FILLED));
    if (!categorical.isEmpty()) {
      // One indexer and one encoder for all categorical columns: the indexer counts every
      // column's values in one pass over the rows instead of one pass per column (the same labels
      // and codes: by frequency, ties alphabetically).
      String[] in = categorical.toArray(new String[0]);
      String[] index = categorical.stream().map(c -> c + "_index").toArray(String[]::new);
      String[] oneHot = categorical.stream().map(c -> c + ONE_HOT).toArray(String[]::new);
      stages.add(
          new StringIndexer().setInputCols(in).setOutputCols(index).setHandleInvalid("keep"));
      stages.add(
          new OneHotEncoder().setInputCols(index).setOutputCols(oneHot).setHandleInvalid("keep"));
      assembled.addAll(List.of(oneHot));
    }
    stages.add(
        new VectorAssembler()
            .setInputCols(assembled.toArray(new String[0]))
            .setOutputCol("features_raw"));
    if (Algorithm.of(settings).standardises()) {
      stages.add(
          new StandardScaler()
              .setInputCol("features_raw")
              .setOutputCol("features")
              .setWithMean(true));
    }
    return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
  }

  /** The classifier the settings name, reading {@link #preprocessing}'s output. */
  public static PipelineStage classifier(ChurnConfig.TrainSettings settings) {
    String weight = settings.classWeight() == ChurnConfig.ClassWeight.NONE ? "" : WEIGHT;
    return Algorithm.of(settings).estimator(settings, weight);
  }
}
