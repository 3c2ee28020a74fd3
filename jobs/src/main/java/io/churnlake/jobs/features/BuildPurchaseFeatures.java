package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Recency, frequency and monetary features from {@link AggregateDailyPurchases}, one row per
 * customer with at least one transaction on or before the as-of date, for all requested dates in
 * one aggregation. A customer without a purchase yet has {@code days_since_last_purchase} and
 * {@code avg_order_value} null and {@code has_purchased} 0: missing is explicit, never 0.
 */
public final class BuildPurchaseFeatures {
  private final List<Integer> windows;

  public BuildPurchaseFeatures(List<Integer> windows) {
    List<Integer> sorted = new ArrayList<>(windows);
    Collections.sort(sorted);
    this.windows = List.copyOf(sorted);
  }

  /**
   * @param daily rows of {@link AggregateDailyPurchases}
   * @param asOfDates one column {@code as_of_date} (date), a handful of rows
   */
  public Dataset<Row> apply(Dataset<Row> daily, Dataset<Row> asOfDates) {
    Column asOf = col(Columns.AS_OF_DATE);
    List<Column> a = aggregates();
    Dataset<Row> aggregated =
        daily
            .join(broadcast(asOfDates), col(Columns.EVENT_DATE).leq(asOf))
            .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
            .agg(a.get(0), a.subList(1, a.size()).toArray(new Column[0]));

    List<Column> out = new ArrayList<>();
    out.add(col(Columns.CUSTOMER_ID));
    out.add(asOf);
    out.add(datediff(asOf, col("last_purchase_date")).as("days_since_last_purchase"));
    out.add(datediff(asOf, col("first_purchase_date")).as("days_since_first_purchase"));
    out.add(when(col("orders_total").gt(0), 1).otherwise(0).as("has_purchased"));
    out.add(col("orders_total").cast("int"));
    Column net =
        col("purchase_amount_total")
            .minus(col("return_amount_total"))
            .minus(col("cancelled_amount_total"));
    out.add(net.as("net_spend_total"));
    out.add(
        when(col("orders_total").gt(0), col("purchase_amount_total").divide(col("orders_total")))
            .as("avg_order_value"));
    out.add(
        when(
                col("purchase_amount_total").gt(0),
                col("return_amount_total")
                    .plus(col("cancelled_amount_total"))
                    .divide(col("purchase_amount_total")))
            .otherwise(lit(0.0))
            .as("returned_share"));
    for (int w : windows) {
      out.add(col("orders_" + w + "d").cast("int"));
      out.add(col("net_spend_" + w + "d").cast("double"));
      out.add(col("return_lines_" + w + "d").cast("int"));
      out.add(col("cancelled_orders_" + w + "d").cast("int"));
    }
    return aggregated.select(out.toArray(new Column[0]));
  }

  /** Per customer and date: first and last purchase, lifetime totals and per-window counts. */
  private List<Column> aggregates() {
    Column asOf = col(Columns.AS_OF_DATE);
    List<Column> a = new ArrayList<>();
    Column bought = col("orders").gt(0);
    a.add(min(when(bought, col(Columns.EVENT_DATE))).as("first_purchase_date"));
    a.add(max(when(bought, col(Columns.EVENT_DATE))).as("last_purchase_date"));
    a.add(sum("orders").as("orders_total"));
    a.add(sum("purchase_amount").as("purchase_amount_total"));
    a.add(sum("return_amount").as("return_amount_total"));
    a.add(sum("cancelled_amount").as("cancelled_amount_total"));
    a.add(sum("items").as("items_total"));
    for (int w : windows) {
      Column in = col(Columns.EVENT_DATE).gt(date_sub(asOf, w));
      a.add(sum(when(in, col("orders")).otherwise(0)).as("orders_" + w + "d"));
      a.add(
          sum(when(
                      in,
                      col("purchase_amount")
                          .minus(col("return_amount"))
                          .minus(col("cancelled_amount")))
                  .otherwise(0.0))
              .as("net_spend_" + w + "d"));
      a.add(sum(when(in, col("return_lines")).otherwise(0)).as("return_lines_" + w + "d"));
      a.add(sum(when(in, col("cancelled_orders")).otherwise(0)).as("cancelled_orders_" + w + "d"));
    }
    return a;
  }
}
