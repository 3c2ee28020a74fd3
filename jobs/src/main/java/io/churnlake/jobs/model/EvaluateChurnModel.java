package io.churnlake.jobs.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Metrics of scored, labelled rows (a 0/1 {@code label} column): ranking quality (ROC AUC, PR AUC)
 * from the score that orders customers, probability quality (log loss, Brier score, expected
 * calibration error) from the probability, and what a retention team sees when it works down the
 * list: lift, cumulative capture rate and mean probability per score decile (decile 1 = the highest
 * scores), precision and recall among the top share. Deciles come from one approximate-quantile
 * pass (relative error 0.001), everything else per decile from one aggregation; nothing grows with
 * customers on the driver.
 *
 * <p>The ten score deciles are also the equal-mass bins of the expected calibration error: ECE =
 * sum over deciles of (customers in it / customers) x |mean probability - churn rate|.
 */
public final class EvaluateChurnModel {
  /** Probabilities are clipped to [EPS, 1 - EPS] for the log loss (as scikit-learn does). */
  static final double EPS = 1e-15;

  private EvaluateChurnModel() {}

  public static double rocAuc(Dataset<Row> scored, String scoreColumn) {
    return evaluator(scoreColumn, "areaUnderROC").evaluate(withDoubleScore(scored, scoreColumn));
  }

  public static double prAuc(Dataset<Row> scored, String scoreColumn) {
    return evaluator(scoreColumn, "areaUnderPR").evaluate(withDoubleScore(scored, scoreColumn));
  }

  /**
   * All metrics of explained scores ({@code churn_scores}-shaped rows with a label): ranked by the
   * raw margin, probabilities from {@code churn_probability}.
   */
  public static Map<String, Double> ofScores(Dataset<Row> scored, double topShare) {
    return metrics(
        scored,
        io.churnlake.jobs.model.ExplainScores.RAW_SCORE,
        io.churnlake.common.table.Columns.CHURN_PROBABILITY,
        topShare);
  }

  /**
   * All metrics of one scored set.
   *
   * @param score orders customers (higher = more likely to churn)
   * @param probability the churn probability the model reports
   * @param topShare the share of highest-scored customers precision and recall are reported for
   */
  public static Map<String, Double> metrics(
      Dataset<Row> scored, String score, String probability, double topShare) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("roc_auc", rocAuc(scored, score));
    m.put("pr_auc", prAuc(scored, score));
    Dataset<Row> s =
        scored.select(
            col(score).cast("double").as("s"),
            col(probability).cast("double").as("p"),
            col(ChurnPipelines.LABEL).cast("double").as("y"));
    List<Row> deciles = deciles(s, topShare);
    m.putAll(fromDeciles(deciles, topShare));
    return m;
  }

  /**
   * The gain curve of any score (e.g. a baseline such as recency) as ten points: after the rows
   * above each score decile cut point (highest scores first), the cumulative share of rows ({@code
   * gain_customers_NN}) and of churners ({@code gain_churners_NN}). A score with ties (days since
   * the last activity) puts a tied group on one side of a cut, so the shares of customers are the
   * exact ones rather than tenths, and a straight line between two points is what ordering ties at
   * random gives. One quantile pass and one ten-row aggregation.
   */
  public static Map<String, Double> gainPoints(Dataset<Row> scored, String score) {
    // The model's own decile pass; a baseline has no probability, so a constant stands in for it
    // (only the rows and churners per decile are read).
    Dataset<Row> s =
        scored.select(
            col(score).cast("double").as("s"),
            lit(0.5).as("p"),
            col(ChurnPipelines.LABEL).cast("double").as("y"));
    double[][] byDecile = new double[11][2];
    for (Row r : deciles(s, 0.1)) {
      byDecile[r.getInt(0)] = new double[] {r.getLong(1), r.getDouble(2)};
    }
    double n = 0;
    double churners = 0;
    for (double[] v : byDecile) {
      n += v[0];
      churners += v[1];
    }
    Map<String, Double> m = new LinkedHashMap<>();
    double cumN = 0;
    double cumChurners = 0;
    for (int d = 1; d <= 10; d++) {
      cumN += byDecile[d][0];
      cumChurners += byDecile[d][1];
      String k = String.format(Locale.ROOT, "%02d", d);
      m.put("gain_customers_" + k, n == 0 ? 0 : cumN / n);
      m.put("gain_churners_" + k, churners == 0 ? 0 : cumChurners / churners);
    }
    return m;
  }

  /**
   * Per score decile (1 = the highest scores): rows, churners, summed probability, log-likelihood,
   * squared error, and the rows and churners in the top share; one aggregation, ten rows.
   */
  private static List<Row> deciles(Dataset<Row> s, double topShare) {
    double[] levels = new double[10];
    for (int i = 0; i < 9; i++) {
      levels[i] = (i + 1) / 10.0;
    }
    levels[9] = 1 - topShare;
    double[] q = s.stat().approxQuantile("s", levels, 0.001);
    // decile 1 holds the highest scores: count the decile cut points a score is above.
    Column above = lit(0);
    for (int i = 0; i < 9; i++) {
      above = above.plus(when(col("s").gt(q[i]), 1).otherwise(0));
    }
    Column p = least(greatest(col("p"), lit(EPS)), lit(1 - EPS));
    Column y = col("y");
    Column top = col("s").gt(q[9]);
    return s.withColumn("decile", lit(10).minus(above))
        .groupBy("decile")
        .agg(
            count("*").as("n"),
            sum(y).as("churners"),
            sum(col("p")).as("p_sum"),
            sum(y.multiply(log(p)).plus(lit(1).minus(y).multiply(log(lit(1).minus(p)))))
                .as("log_likelihood"),
            sum(pow(col("p").minus(y), 2)).as("squared_error"),
            sum(when(top, 1).otherwise(0)).as("top_n"),
            sum(when(top, y).otherwise(0)).as("top_churners"))
        .orderBy("decile")
        .collectAsList();
  }

  /** Log loss, Brier score, ECE, churn rate, precision and recall at the top share, per decile. */
  private static Map<String, Double> fromDeciles(List<Row> deciles, double topShare) {
    Map<String, Double> m = new LinkedHashMap<>();
    double n = 0;
    double churners = 0;
    double logLikelihood = 0;
    double squared = 0;
    double topN = 0;
    double topChurners = 0;
    for (Row r : deciles) {
      n += r.getLong(1);
      churners += r.getDouble(2);
      logLikelihood += r.getDouble(4);
      squared += r.getDouble(5);
      topN += r.getLong(6);
      topChurners += r.getDouble(7);
    }
    double rate = churners / n;
    double ece = 0;
    double captured = 0;
    Map<Integer, double[]> byDecile = new LinkedHashMap<>();
    for (Row r : deciles) {
      byDecile.put(r.getInt(0), new double[] {r.getLong(1), r.getDouble(2), r.getDouble(3)});
    }
    Map<String, Double> perDecile = new LinkedHashMap<>();
    for (int d = 1; d <= 10; d++) {
      double[] v = byDecile.getOrDefault(d, new double[] {0, 0, 0});
      if (v[0] > 0) {
        ece += v[0] / n * Math.abs(v[2] / v[0] - v[1] / v[0]);
      }
      captured += v[1];
      String k = String.format(Locale.ROOT, "%02d", d);
      perDecile.put("lift_decile_" + k, v[0] == 0 || rate == 0 ? 0 : (v[1] / v[0]) / rate);
      perDecile.put("capture_decile_" + k, churners == 0 ? 0 : captured / churners);
      perDecile.put("mean_probability_decile_" + k, v[0] == 0 ? 0 : v[2] / v[0]);
      perDecile.put("customers_decile_" + k, v[0]);
      perDecile.put("churners_decile_" + k, v[1]);
    }
    m.put("log_loss", -logLikelihood / n);
    m.put("brier", squared / n);
    m.put("ece", ece);
    m.put("churn_rate", rate);
    m.put("top_share", topShare);
    m.put("precision_at_top", topN == 0 ? 0 : topChurners / topN);
    m.put("recall_at_top", churners == 0 ? 0 : topChurners / churners);
    m.putAll(perDecile);
    return m;
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
