package io.churnlake.jobs.labels;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Labels, for each as-of date D, the customers known on D (an event on or before D, no churn event
 * on or before D): {@code churned} is true when their churn event falls in D+1 .. D+horizon. The
 * caller passes only as-of dates whose horizon ends on or before the end of the data, so no
 * customer is labelled "retained" on a horizon that has not been observed.
 */
public final class BuildChurnLabels {
  private final int horizonDays;

  public BuildChurnLabels(int horizonDays) {
    this.horizonDays = horizonDays;
  }

  /**
   * @param daily rows of {@code AggregateDailyActivity}
   * @param asOfDates one column {@code as_of_date} (date)
   */
  public Dataset<Row> apply(Dataset<Row> daily, Dataset<Row> asOfDates) {
    Column asOf = col(Columns.AS_OF_DATE);
    Column day = col(Columns.EVENT_DATE);
    Column churnDay = col("churn_events").gt(0);
    Column inHorizon = day.gt(asOf).and(day.leq(date_add(asOf, horizonDays)));
    return daily
        .join(broadcast(asOfDates), day.leq(date_add(asOf, horizonDays)))
        .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
        .agg(
            sum(when(day.leq(asOf), 1).otherwise(0)).as("days_known"),
            sum(when(day.leq(asOf).and(churnDay), 1).otherwise(0)).as("churned_before"),
            min(when(inHorizon.and(churnDay), day)).as("churn_date"))
        .where(col("days_known").gt(0).and(col("churned_before").equalTo(0)))
        .select(
            col(Columns.CUSTOMER_ID),
            asOf,
            lit(horizonDays).as(Columns.HORIZON_DAYS),
            col("churn_date").isNotNull().as(Columns.CHURNED),
            col("churn_date"));
  }
}
