package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Ranking metrics of a score column against the {@code label} column. */
final class EvaluateChurnModel {
  private EvaluateChurnModel() {}

  static double rocAuc(Dataset<Row> scored, String scoreColumn) {
    return evaluator(scoreColumn, "areaUnderROC").evaluate(withDoubleScore(scored, scoreColumn));
  }

  static double prAuc(Dataset<Row> scored, String scoreColumn) {
    return evaluator(scoreColumn, "areaUnderPR").evaluate(withDoubleScore(scored, scoreColumn));
  }

  private static Dataset<Row> withDoubleScore(Dataset<Row> scored, String scoreColumn) {
    return scored.withColumn(scoreColumn, col(scoreColumn).cast("double"));
  }

  private static BinaryClassificationEvaluator evaluator(String scoreColumn, String metric) {
    return new BinaryClassificationEvaluator()
        .setLabelCol(ChurnPipelines.LABEL)
        .setRawPredictionCol(scoreColumn)
        .setMetricName(metric);
  }
}
