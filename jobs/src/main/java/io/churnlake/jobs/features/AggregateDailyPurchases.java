package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Aggregates canonical {@code transactions} to one row per customer and day, in one pass: purchase
 * orders, items and amount, return lines and amount, cancelled orders and amount (money taken back
 * is positive here). Purchase features for any number of as-of dates are built from this much
 * smaller table.
 */
public final class AggregateDailyPurchases {
  static final String LINE_TYPE = "line_type";

  public Dataset<Row> apply(Dataset<Row> transactions) {
    Column type = col(LINE_TYPE);
    Column purchase = type.equalTo("purchase");
    Column returned = type.equalTo("return");
    Column cancelled = type.equalTo("cancellation");
    Column amount = col(Columns.AMOUNT);
    return transactions
        .groupBy(Columns.CUSTOMER_ID, Columns.EVENT_DATE)
        .agg(
            count_distinct(when(purchase, col("order_id"))).cast("int").as("orders"),
            coalesce(sum(when(purchase, amount)), lit(0.0)).as("purchase_amount"),
            coalesce(sum(when(purchase, col("quantity"))), lit(0.0)).as("items"),
            sum(when(returned, 1).otherwise(0)).cast("int").as("return_lines"),
            coalesce(sum(when(returned, amount.multiply(-1))), lit(0.0)).as("return_amount"),
            count_distinct(when(cancelled, col("order_id"))).cast("int").as("cancelled_orders"),
            coalesce(sum(when(cancelled, amount.multiply(-1))), lit(0.0)).as("cancelled_amount"));
  }
}
