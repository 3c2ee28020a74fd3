package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import io.churnlake.jobs.tables.SegmentColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Adds {@code value_tier}: {@code high} for a positive value at or above the high cut, {@code
 * medium} at or above the medium cut, else {@code low}. Customers tied at a cut go up with it (one
 * price plan: every payer in one tier, not split by row order), while a value of 0 or less (no
 * purchase, nothing billed) is always {@code low}, even when most customers are worth 0.
 */
public final class AssignValueTiers {
  private final double mediumFrom;
  private final double highFrom;

  public AssignValueTiers(double mediumFrom, double highFrom) {
    this.mediumFrom = mediumFrom;
    this.highFrom = highFrom;
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
                SegmentColumns.VALUE, new double[] {mediumQuantile, highQuantile}, 0.001);
    return q.length < 2 ? new AssignValueTiers(0, 0) : new AssignValueTiers(q[0], q[1]);
  }

  public double mediumFrom() {
    return mediumFrom;
  }

  public double highFrom() {
    return highFrom;
  }

  public Dataset<Row> apply(Dataset<Row> values) {
    Column v = col(SegmentColumns.VALUE);
    return values.withColumn(
        SegmentColumns.VALUE_TIER,
        when(v.gt(0).and(v.geq(highFrom)), "high")
            .when(v.gt(0).and(v.geq(mediumFrom)), "medium")
            .otherwise("low"));
  }
}
