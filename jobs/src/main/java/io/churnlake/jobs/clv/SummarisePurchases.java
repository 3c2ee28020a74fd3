package io.churnlake.jobs.clv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Per-customer purchase summaries as of a date, the inputs of BG/NBD and Gamma-Gamma, from the
 * daily purchase table ({@code AggregateDailyPurchases}) in one aggregation. A purchase day is a
 * day with at least one purchase order on or before the date; its spend is the day's purchases
 * minus its returns and cancellations (days with only returns or cancellations are not purchase
 * days and are left out). Time is in days since the customer's first purchase day:
 *
 * <ul>
 *   <li>{@code frequency} x: purchase days after the first;
 *   <li>{@code recency_days} tx: days from the first to the last purchase day (0 when x = 0);
 *   <li>{@code age_days} T: days from the first purchase day to the as-of date;
 *   <li>{@code mean_repeat_spend} m: mean spend of the repeat purchase days (null when x = 0), the
 *       first day left out as Gamma-Gamma's convention is.
 * </ul>
 */
public final class SummarisePurchases {
  public static final String FREQUENCY = "frequency";
  public static final String RECENCY = "recency_days";
  public static final String AGE = "age_days";
  public static final String MEAN_REPEAT_SPEND = "mean_repeat_spend";
  public static final String FIRST_PURCHASE = "first_purchase_date";

  private final LocalDate asOf;

  public SummarisePurchases(LocalDate asOf) {
    this.asOf = asOf;
  }

  public Dataset<Row> apply(Dataset<Row> dailyPurchases) {
    Column net = col("purchase_amount").minus(col("return_amount")).minus(col("cancelled_amount"));
    Column day = col(Columns.EVENT_DATE);
    Dataset<Row> perCustomer =
        dailyPurchases
            .where(day.leq(lit(Date.valueOf(asOf))).and(col("orders").gt(0)))
            .withColumn("net", net)
            .groupBy(Columns.CUSTOMER_ID)
            .agg(
                min(day).as("first"),
                max(day).as("last"),
                count(lit(1)).as("days"),
                sum("net").as("total"),
                min_by(col("net"), day).as("first_net"));
    Column x = col("days").minus(1);
    return perCustomer.select(
        col(Columns.CUSTOMER_ID),
        lit(Date.valueOf(asOf)).as(Columns.AS_OF_DATE),
        col("first").as(FIRST_PURCHASE),
        x.cast("int").as(FREQUENCY),
        datediff(col("last"), col("first")).as(RECENCY),
        datediff(lit(Date.valueOf(asOf)), col("first")).as(AGE),
        when(x.gt(0), col("total").minus(col("first_net")).divide(x)).as(MEAN_REPEAT_SPEND));
  }
}
