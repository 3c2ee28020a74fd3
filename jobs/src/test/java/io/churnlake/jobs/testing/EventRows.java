package io.churnlake.jobs.testing;

import java.sql.Date;
import java.sql.Timestamp;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Inline canonical event rows for transform tests. */
public final class EventRows {
  private EventRows() {}

  /** The canonical columns the daily aggregation reads. */
  public static final StructType SCHEMA =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("event_time", DataTypes.TimestampType)
          .add("event_date", DataTypes.DateType)
          .add("event_type", DataTypes.StringType)
          .add("session_id", DataTypes.StringType)
          .add("amount", DataTypes.DoubleType)
          .add("registration_time", DataTypes.TimestampType)
          .add("level", DataTypes.StringType);

  static final Timestamp REGISTERED = Timestamp.valueOf("2026-01-01 00:00:00");

  /** An interaction event at {@code time} ("yyyy-MM-dd HH:mm:ss", UTC) in a session. */
  public static Object[] event(
      String customer, String time, String type, Long session, String level) {
    Timestamp ts = Timestamp.valueOf(time);
    return new Object[] {
      customer,
      ts,
      Date.valueOf(time.substring(0, 10)),
      type,
      session == null ? null : session.toString(),
      null,
      REGISTERED,
      level
    };
  }

  /** A billing event (no session) with an amount. */
  public static Object[] billing(String customer, String time, double amount) {
    Timestamp ts = Timestamp.valueOf(time);
    return new Object[] {
      customer, ts, Date.valueOf(time.substring(0, 10)), "billing", null, amount, REGISTERED, "paid"
    };
  }
}
