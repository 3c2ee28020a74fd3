package io.churnlake.jobs.train;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ChurnPipelines;
import java.util.Locale;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Whether isotonic calibration on the calibration date makes the probabilities better or worse,
 * judged out of fold: the calibration rows are split in two by a hash of the customer id, an
 * isotonic map fitted on each half is applied to the other, and the expected calibration error of
 * those out-of-fold probabilities is compared with the classifier's own on the same rows (each over
 * ten equal-mass bins of its own probabilities). Calibration is kept unless it makes the error
 * worse: a calibration date that is not like the dates scored (a seasonal peak, a handful of
 * churners) can, and the model then reports its classifier's probabilities and says why.
 *
 * <p>It guards against an isotonic map that fits its own rows' noise (few or one-sided calibration
 * rows); it cannot see a calibration date unlike the dates that will be scored, which only a later
 * date's outcomes show (realised evaluations). Two isotonic fits on half the calibration rows, two
 * approximate-quantile passes and two aggregations; ten bins each reach the driver.
 */
final class CalibrationCheck {
  private static final String FOLD = "_calibration_fold";
  private static final String RAW = "_raw_probability";

  /** The comparison, on {@code rows} out-of-fold calibration rows. */
  record Verdict(boolean keep, double rawEce, double calibratedEce, long rows) {
    /** A line for the model's record and the train output. */
    String describe() {
      return String.format(
          Locale.ROOT,
          "%s: out-of-fold ECE %.4f with isotonic calibration vs %.4f without, on %d rows",
          keep ? "kept" : "refused, it made the calibration error worse",
          calibratedEce,
          rawEce,
          rows);
    }
  }

  private CalibrationCheck() {}

  /**
   * @param base the fitted classifier pipeline (its {@code probability} and {@code rawPrediction})
   * @param calibration the calibration date's labelled rows
   */
  static Verdict of(PipelineModel base, Dataset<Row> calibration) {
    Dataset<Row> scored =
        base.transform(calibration)
            .withColumn(FOLD, pmod(xxhash64(col(Columns.CUSTOMER_ID)), lit(2)))
            .withColumn(RAW, vector_to_array(col("probability"), "float64").getItem(1))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Rows and churners per half, in one aggregation (two rows reach the driver).
      long[][] halves = new long[2][2];
      for (Row r :
          scored.groupBy(FOLD).agg(count(lit(1)), sum(col(ChurnPipelines.LABEL))).collectAsList()) {
        int fold = (int) r.getLong(0);
        halves[fold][0] = r.getLong(1);
        halves[fold][1] = r.isNullAt(2) ? 0 : Math.round(r.getDouble(2));
      }
      Dataset<Row> outOfFold = null;
      long rows = 0;
      for (int fold = 0; fold < 2; fold++) {
        Dataset<Row> fit = scored.where(col(FOLD).equalTo(fold));
        long n = halves[fold][0];
        long positives = halves[fold][1];
        if (positives == 0 || positives == n) {
          // A half with one class cannot teach a calibration to judge: keep it, as before.
          return new Verdict(true, Double.NaN, Double.NaN, 0);
        }
        Dataset<Row> part = scored.where(col(FOLD).notEqual(fold));
        for (Transformer t : ChurnPipelines.calibration(fit, n)) {
          part = t.transform(part);
        }
        outOfFold = outOfFold == null ? part : outOfFold.unionByName(part);
        rows += n;
      }
      Dataset<Row> judged = outOfFold.persist(StorageLevel.MEMORY_AND_DISK());
      try {
        double raw = ece(judged, RAW);
        double calibrated = ece(judged, ChurnPipelines.CALIBRATED);
        return new Verdict(calibrated <= raw, raw, calibrated, rows);
      } finally {
        judged.unpersist();
      }
    } finally {
      scored.unpersist();
    }
  }

  /**
   * The expected calibration error of a probability column: over ten equal-mass bins of it, the sum
   * of (rows in the bin / rows) x |mean probability - churn rate|.
   */
  static double ece(Dataset<Row> rows, String probability) {
    double[] levels = new double[9];
    for (int i = 0; i < 9; i++) {
      levels[i] = (i + 1) / 10.0;
    }
    double[] cuts = rows.stat().approxQuantile(probability, levels, 0.001);
    Column bin = lit(0);
    for (double c : cuts) {
      bin = bin.plus(when(col(probability).gt(c), 1).otherwise(0));
    }
    java.util.List<Row> bins =
        rows.withColumn("_bin", bin)
            .groupBy("_bin")
            .agg(count(lit(1)), sum(col(ChurnPipelines.LABEL)), sum(col(probability)))
            .collectAsList();
    double n = bins.stream().mapToLong(r -> r.getLong(1)).sum();
    double error = 0;
    for (Row r : bins) {
      error += Math.abs(r.getDouble(3) - r.getDouble(2)) / n;
    }
    return error;
  }
}
