package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Aggregates canonical events to one row per customer and event date, in one pass: activity counts,
 * sessions, a count per tracked event type, churn events, billed amount and the level at the day's
 * last interaction. Features and labels for any number of as-of dates are then built from this much
 * smaller table.
 */
public final class AggregateDailyActivity {
  /** Event types counted per day; "billing" is a system event, not customer activity. */
  public static final List<String> TRACKED_TYPES =
      List.of(
          "next_song",
          "thumbs_up",
          "thumbs_down",
          "add_to_playlist",
          "add_friend",
          "roll_advert",
          "help",
          "error",
          "settings",
          "submit_upgrade",
          "submit_downgrade",
          "logout");

  static final String BILLING = "billing";
  static final String REGISTRATION_TIME = "registration_time";
  private final String churnEvent;

  public AggregateDailyActivity(String churnEvent) {
    this.churnEvent = churnEvent;
  }

  public Dataset<Row> apply(Dataset<Row> events) {
    Column type = col(Columns.EVENT_TYPE);
    Column activity = type.notEqual(BILLING);
    List<Column> aggs = new ArrayList<>();
    aggs.add(sum(when(activity, 1).otherwise(0)).cast("int").as("events"));
    aggs.add(count_distinct(when(activity, col(Columns.SESSION_ID))).cast("int").as("sessions"));
    for (String t : TRACKED_TYPES) {
      aggs.add(sum(when(type.equalTo(t), 1).otherwise(0)).cast("int").as("n_" + t));
    }
    aggs.add(sum(when(type.equalTo(churnEvent), 1).otherwise(0)).cast("int").as("churn_events"));
    aggs.add(
        coalesce(sum(when(type.equalTo(BILLING), col(Columns.AMOUNT))), lit(0.0))
            .as("billed_amount"));
    // Optional attributes: a log without them (an app log, say) gets nulls, and tenure falls back
    // to the first event.
    List<String> columns = List.of(events.columns());
    aggs.add(
        min(columns.contains(REGISTRATION_TIME)
                ? col(REGISTRATION_TIME)
                : lit(null).cast(DataTypes.TimestampType))
            .as(REGISTRATION_TIME));
    // The level after the day's last event. In Sparkify-shaped logs a submit event still shows the
    // level it changes from, so it counts as the new level.
    String level = columns.contains(Columns.LEVEL) ? Columns.LEVEL : "CAST(NULL AS STRING)";
    aggs.add(
        expr("max_by(CASE WHEN event_type = 'submit_upgrade' THEN 'paid'"
                + " WHEN event_type = 'submit_downgrade' THEN 'free' ELSE "
                + level
                + " END, event_time)")
            .as("last_level"));
    return events
        .groupBy(Columns.CUSTOMER_ID, Columns.EVENT_DATE)
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
  }
}
