package io.churnlake.jobs.generate;

import static org.apache.spark.sql.types.DataTypes.*;

import org.apache.spark.sql.types.StructType;

/** The Sparkify-shaped raw log keys the generator writes, and its ground-truth table. */
public final class RawEventSchema {
  private RawEventSchema() {}

  /** Keys in the order of the public Sparkify logs, plus {@code amount} on Billing events. */
  public static final StructType SCHEMA =
      new StructType()
          .add("artist", StringType)
          .add("auth", StringType)
          .add("firstName", StringType)
          .add("gender", StringType)
          .add("itemInSession", IntegerType)
          .add("lastName", StringType)
          .add("length", DoubleType)
          .add("level", StringType)
          .add("location", StringType)
          .add("method", StringType)
          .add("page", StringType)
          .add("registration", LongType)
          .add("sessionId", LongType)
          .add("song", StringType)
          .add("status", IntegerType)
          .add("ts", LongType)
          .add("userAgent", StringType)
          .add("userId", StringType)
          .add("amount", DoubleType);

  /** Ground truth: the true probability of churning within the horizon after the as-of date. */
  public static final StructType TRUTH_SCHEMA =
      new StructType()
          .add("customer_id", StringType, false)
          .add("as_of_date", DateType, false)
          .add("horizon_days", IntegerType, false)
          .add("true_probability", DoubleType, false)
          .add("drivers", createArrayType(StringType, false), false);
}
