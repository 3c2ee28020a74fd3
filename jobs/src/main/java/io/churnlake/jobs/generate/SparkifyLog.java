package io.churnlake.jobs.generate;

import static org.apache.spark.sql.types.DataTypes.*;

import org.apache.spark.sql.types.StructType;

/** The raw JSON-lines event log shaped like the public Sparkify logs (what generate writes). */
public final class SparkifyLog {
  private SparkifyLog() {}

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
}
