package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig.EventTypes;
import io.churnlake.common.config.ChurnConfig.LevelEvent;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Aggregates canonical events to one row per customer and event date: interactions, sessions and
 * their lengths, a count per configured event type, churn events, billed amount and the level at
 * the day's last interaction (as a {@link LevelCodes} code whose column metadata names the levels).
 * Two steps, both partial aggregations: per (customer, day, session) first, which also gives each
 * session's length, then per (customer, day). Features and labels for any number of as-of dates are
 * then built from this much smaller table. A session that spans midnight counts on each of its
 * days, with the part of its length on that day.
 */
public final class AggregateDailyActivity {
  static final String BILLING = "billing";
  static final String REGISTRATION_TIME = "registration_time";
  private final String churnEvent;
  private final EventTypes types;
  private final LevelCodes levels;

  /**
   * @param levels every level the events hold ({@link LevelCodes#in}); another one fails the query.
   *     The levels that {@code types}' level events set are added to them.
   */
  public AggregateDailyActivity(String churnEvent, EventTypes types, LevelCodes levels) {
    this.churnEvent = churnEvent;
    this.types = types;
    this.levels = levels.with(types.levelsSet());
  }

  public Dataset<Row> apply(Dataset<Row> events) {
    // Step 1: per customer, day and session (billing events have no session).
    List<Column> s = sessionAggregates(List.of(events.columns()));
    Dataset<Row> sessions =
        events
            .groupBy(Columns.CUSTOMER_ID, Columns.EVENT_DATE, Columns.SESSION_ID)
            .agg(s.get(0), s.subList(1, s.size()).toArray(new Column[0]));
    // Step 2: per customer and day.
    List<Column> d = dayAggregates();
    Dataset<Row> days =
        sessions
            .groupBy(Columns.CUSTOMER_ID, Columns.EVENT_DATE)
            .agg(d.get(0), d.subList(1, d.size()).toArray(new Column[0]));
    List<Column> out = new ArrayList<>();
    for (String c : days.columns()) {
      out.add(c.equals("last_level") ? LevelCodes.unpack(col(c)).as(c, levels.metadata()) : col(c));
    }
    return days.select(out.toArray(new Column[0]));
  }

  /** Step 1's aggregates, per customer, day and session, over the events' {@code columns}. */
  private List<Column> sessionAggregates(List<String> columns) {
    Column type = col(Columns.EVENT_TYPE);
    Column activity = type.notEqual(BILLING);
    Column time = col(Columns.EVENT_TIME);
    List<Column> s = new ArrayList<>();
    s.add(sum(when(activity, 1).otherwise(0)).as("events"));
    for (String t : types.counted()) {
      s.add(sum(when(type.equalTo(t), 1).otherwise(0)).as("n_" + t));
    }
    s.add(sum(when(type.equalTo(churnEvent), 1).otherwise(0)).as("churn_events"));
    s.add(sum(when(type.equalTo(BILLING), col(Columns.AMOUNT))).as("billed_amount"));
    s.add(min(when(activity, time)).as("first_time"));
    s.add(max(when(activity, time)).as("last_time"));
    // Optional attributes: a log without them (an app log, say) gets nulls, and tenure falls back
    // to the first event.
    s.add(
        min(columns.contains(REGISTRATION_TIME)
                ? col(REGISTRATION_TIME)
                : lit(null).cast(DataTypes.TimestampType))
            .as(REGISTRATION_TIME));
    // The level after the last event, as a packed code (see LevelCodes: a string here would make
    // Spark sort every event instead of hash-aggregating). A configured level event (in
    // Sparkify-shaped logs a submit event still shows the level it changes from) counts as the
    // level it moves to.
    Column newLevel =
        columns.contains(Columns.LEVEL) ? col(Columns.LEVEL) : lit(null).cast("string");
    // Each event type is configured once, so the order of the cases does not matter.
    for (LevelEvent e : types.levelEvents()) {
      newLevel = when(type.equalTo(e.eventType()), lit(e.level())).otherwise(newLevel);
    }
    s.add(
        LevelCodes.latest(expr("unix_micros(event_time)"), levels.code(newLevel)).as("last_level"));
    return s;
  }

  /** Step 2's aggregates, per customer and day, over step 1's rows. */
  private List<Column> dayAggregates() {
    Column isSession = col(Columns.SESSION_ID).isNotNull().and(col("events").gt(0));
    Column seconds = unix_timestamp(col("last_time")).minus(unix_timestamp(col("first_time")));
    List<Column> d = new ArrayList<>();
    d.add(sum("events").cast("int").as("events"));
    d.add(count(when(isSession, 1)).cast("int").as("sessions"));
    d.add(coalesce(sum(when(isSession, seconds)), lit(0L)).as("session_seconds"));
    d.add(coalesce(max(when(isSession, seconds)), lit(0L)).as("max_session_seconds"));
    for (String t : types.counted()) {
      d.add(sum("n_" + t).cast("int").as("n_" + t));
    }
    d.add(sum("churn_events").cast("int").as("churn_events"));
    d.add(coalesce(sum("billed_amount"), lit(0.0)).as("billed_amount"));
    d.add(min(REGISTRATION_TIME).as(REGISTRATION_TIME));
    d.add(max("last_level").as("last_level"));
    return d;
  }
}
