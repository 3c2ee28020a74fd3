package io.churnlake.jobs.testing;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The canonical {@code transactions} columns the purchase stages read, for inline test rows. */
public final class TransactionRows {
  private TransactionRows() {}

  public static final StructType SCHEMA =
      new StructType()
          .add("order_id", DataTypes.StringType)
          .add("customer_id", DataTypes.StringType)
          .add("event_time", DataTypes.TimestampType)
          .add("event_date", DataTypes.DateType)
          .add("product_id", DataTypes.StringType)
          .add("quantity", DataTypes.DoubleType)
          .add("unit_price", DataTypes.DoubleType)
          .add("amount", DataTypes.DoubleType)
          .add("line_type", DataTypes.StringType);
}
