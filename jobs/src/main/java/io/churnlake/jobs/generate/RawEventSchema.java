package io.churnlake.jobs.generate;

import static org.apache.spark.sql.types.DataTypes.*;

import org.apache.spark.sql.types.StructType;

/** The generator's ground-truth table. */
public final class RawEventSchema {
  private RawEventSchema() {}

  /** Ground truth: the true probability of churning within the horizon after the as-of date. */
  public static final StructType TRUTH_SCHEMA =
      new StructType()
          .add("customer_id", StringType, false)
          .add("as_of_date", DateType, false)
          .add("horizon_days", IntegerType, false)
          .add("true_probability", DoubleType, false)
          .add("drivers", createArrayType(StringType, false), false);
}
