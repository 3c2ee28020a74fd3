package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.tables.KpiColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * {@code repeat_purchase_rate} per period (dimension all): of the customers who bought in the
 * period, the share who bought on at least two days so far (two days in the period, or one in it
 * and one before), and {@code buyers}; undefined in a period without purchases. Pure transform.
 */
public final class RepeatPurchaseKpis {
  private RepeatPurchaseKpis() {}

  /**
   * @param purchases rows with customer_id and event_date of purchases on or before the as-of date
   * @param periods rows of {@link KpiPeriods#toDataset}
   */
  public static Dataset<Row> apply(Dataset<Row> purchases, Dataset<Row> periods) {
    Column day = col(Columns.EVENT_DATE);
    Dataset<Row> perCustomer =
        purchases
            .select(Columns.CUSTOMER_ID, Columns.EVENT_DATE)
            .distinct()
            .withColumn("first_ever", min(day).over(Window.partitionBy(Columns.CUSTOMER_ID)))
            .join(
                broadcast(periods),
                day.geq(col(KpiColumns.PERIOD_START)).and(day.leq(col(KpiColumns.PERIOD_END))))
            .groupBy(
                col(KpiColumns.PERIOD_START),
                col(KpiColumns.PERIOD_END),
                col(KpiColumns.MATURE),
                col(Columns.CUSTOMER_ID))
            .agg(
                count(lit(1)).as("days"),
                min(day).as("first_in_period"),
                first("first_ever").as("first_ever"));
    Dataset<Row> counts =
        perCustomer
            .groupBy(
                col(KpiColumns.PERIOD_START), col(KpiColumns.PERIOD_END), col(KpiColumns.MATURE))
            .agg(
                count(lit(1)).as("buyers"),
                sum(when(col("days").geq(2).or(col("first_ever").lt(col("first_in_period"))), 1)
                        .otherwise(0))
                    .as("repeaters"))
            // Every period gets a row; one without purchases has an undefined rate.
            .join(
                periods,
                new String[] {KpiColumns.PERIOD_START, KpiColumns.PERIOD_END, KpiColumns.MATURE},
                "right")
            .na()
            .fill(0L, new String[] {"buyers", "repeaters"})
            .withColumn(KpiColumns.DIMENSION, lit(KpiColumns.ALL))
            .withColumn(KpiColumns.DIMENSION_VALUE, lit(KpiColumns.ALL));
    return KpiRows.explodeMetrics(
        counts,
        KpiRows.flow("buyers", col("buyers")),
        KpiRows.rate(
            "repeat_purchase_rate", col("repeaters"), col("buyers"), "no purchase in the period"));
  }
}
