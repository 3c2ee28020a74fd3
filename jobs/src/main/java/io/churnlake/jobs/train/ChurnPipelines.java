package io.churnlake.jobs.train;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
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
  static final String LABEL = "label";
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

  public static Pipeline build(
      ChurnConfig.TrainSettings settings, List<String> numeric, List<String> categorical) {
    List<PipelineStage> stages = new ArrayList<>();
    // Nulls mean "none yet" (no purchase, no snapshot); the assembler cannot take them.
    StringBuilder fill = new StringBuilder("SELECT *");
    for (String c : numeric) {
      fill.append(", coalesce(`").append(c).append("`, 0) AS `").append(c).append("__f`");
    }
    fill.append(" FROM __THIS__");
    stages.add(new SQLTransformer().setStatement(fill.toString()));
    List<String> assembled = new ArrayList<>();
    numeric.forEach(c -> assembled.add(c + "__f"));
    for (String c : categorical) {
      stages.add(
          new StringIndexer().setInputCol(c).setOutputCol(c + "_index").setHandleInvalid("keep"));
      stages.add(
          new OneHotEncoder()
              .setInputCol(c + "_index")
              .setOutputCol(c + "_vector")
              .setHandleInvalid("keep"));
      assembled.add(c + "_vector");
    }
    stages.add(
        new VectorAssembler()
            .setInputCols(assembled.toArray(new String[0]))
            .setOutputCol("features_raw"));
    if (settings.algorithm().equals("logistic")) {
      stages.add(
          new StandardScaler()
              .setInputCol("features_raw")
              .setOutputCol("features")
              .setWithMean(true));
      stages.add(
          new LogisticRegression()
              .setLabelCol(LABEL)
              .setFeaturesCol("features")
              .setRegParam(settings.logistic().regParam())
              .setElasticNetParam(settings.logistic().elasticNet())
              .setMaxIter(settings.logistic().maxIter()));
    } else {
      stages.add(
          new GBTClassifier()
              .setLabelCol(LABEL)
              .setFeaturesCol("features_raw")
              .setMaxIter(settings.gbt().maxIter())
              .setMaxDepth(settings.gbt().maxDepth())
              .setStepSize(settings.gbt().stepSize())
              .setSubsamplingRate(settings.gbt().subsamplingRate())
              .setSeed(settings.seed()));
    }
    return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
  }
}
