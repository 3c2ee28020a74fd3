package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Adds {@code value_tier}: {@code high} for a value above the high cut, {@code medium} above the
 * medium cut, else {@code low}. Strictly above, so that a mass of customers sharing the cut value
 * (typically 0: no purchase, no billing) stays in the lower tier.
 */
public final class AssignValueTiers {
  private final double mediumAbove;
  private final double highAbove;

  public AssignValueTiers(double mediumAbove, double highAbove) {
    this.mediumAbove = mediumAbove;
    this.highAbove = highAbove;
  }

  /**
   * The cuts at the given quantiles of the value column (one approximate-quantile pass, relative
   * error 0.001); both 0 when there are no rows.
   */
  public static AssignValueTiers atQuantiles(
      Dataset<Row> values, double mediumQuantile, double highQuantile) {
    double[] q =
        values
            .stat()
            .approxQuantile(
                PlanRetention.VALUE, new double[] {mediumQuantile, highQuantile}, 0.001);
    return q.length < 2 ? new AssignValueTiers(0, 0) : new AssignValueTiers(q[0], q[1]);
  }

  public double mediumAbove() {
    return mediumAbove;
  }

  public double highAbove() {
    return highAbove;
  }

  public Dataset<Row> apply(Dataset<Row> values) {
    Column v = col(PlanRetention.VALUE);
    return values.withColumn(
        PlanRetention.VALUE_TIER,
        when(v.gt(highAbove), "high").when(v.gt(mediumAbove), "medium").otherwise("low"));
  }
}
