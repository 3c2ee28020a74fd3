import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.spark.ChurnSpark;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * The plain-MLlib peer of bench/train.sh: the customers table churnlake ingested, read as it is,
 * categorical columns indexed and one-hot encoded, numeric ones assembled (nulls as 0), one
 * logistic regression fitted on a seeded 75% and its ROC AUC measured on the rest. No search, no
 * calibration, no baseline, no registry: the floor a hand-written MLlib job pays. Prints the
 * seconds of the fit and evaluation (session start and reading excluded).
 *
 * <p>Run (single-file source): {@code java -cp JAR:CLASSPATH bench/TrainPeer.java CUSTOMERS_DIR}
 */
public final class TrainPeer {
  public static void main(String[] args) {
    // The product's own session (ChurnSpark: local driver on 127.0.0.1, UI off, its settings).
    SparkSession spark =
        ChurnSpark.start(
            new ChurnConfig.SparkSettings("local[*]", "train-peer", 8, Map.of()));
    spark.sparkContext().setLogLevel("WARN");
    Dataset<Row> customers =
        spark
            .read()
            .format("delta")
            .load(args[0])
            .where("churned IS NOT NULL")
            .withColumn("label", functions.col("churned").cast("double"))
            .cache();
    long rows = customers.count();
    List<String> skip =
        List.of("customer_id", "snapshot_date", "churned", "label", "source", "source_file",
            "ingest_run_id");
    List<PipelineStage> stages = new ArrayList<>();
    List<String> vectorInputs = new ArrayList<>();
    for (StructField f : customers.schema().fields()) {
      if (skip.contains(f.name())) {
        continue;
      }
      if (f.dataType().equals(DataTypes.StringType)) {
        stages.add(
            new StringIndexer()
                .setInputCol(f.name())
                .setOutputCol(f.name() + "_idx")
                .setHandleInvalid("keep"));
        stages.add(
            new OneHotEncoder().setInputCol(f.name() + "_idx").setOutputCol(f.name() + "_vec"));
        vectorInputs.add(f.name() + "_vec");
      } else {
        customers = customers.withColumn(f.name(), functions.coalesce(
            functions.col(f.name()).cast("double"), functions.lit(0.0)));
        vectorInputs.add(f.name());
      }
    }
    stages.add(
        new VectorAssembler()
            .setInputCols(vectorInputs.toArray(new String[0]))
            .setOutputCol("features"));
    stages.add(new LogisticRegression().setMaxIter(100).setRegParam(0.01));
    Dataset<Row>[] split = customers.randomSplit(new double[] {0.75, 0.25}, 7);
    long start = System.nanoTime();
    PipelineModel model = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(split[0]);
    double auc =
        new BinaryClassificationEvaluator()
            .setMetricName("areaUnderROC")
            .evaluate(model.transform(split[1]));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "plain mllib logistic regression: %d customers, fit and evaluated in %.2f s, ROC AUC %.3f%n",
        rows, seconds, auc);
    spark.stop();
    if (rows <= 0) {
      System.exit(1);
    }
  }
}
