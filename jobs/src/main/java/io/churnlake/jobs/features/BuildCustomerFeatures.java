package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Builds one feature row per customer and as-of date from the daily activity table, using only days
 * on or before the as-of date, in a single aggregation for all requested dates. A customer is in
 * the population for date D when they have at least one event on or before D and no churn event on
 * or before D.
 */
public final class BuildCustomerFeatures {
  /** Event types counted per window, with rates per session, as features. */
  static final List<String> TYPE_FEATURES =
      AggregateDailyActivity.TRACKED_TYPES.stream()
          .filter(t -> !List.of("next_song", "settings", "logout").contains(t))
          .toList();

  static final int TREND_DAYS = 14;
  private final List<Integer> windows;

  public BuildCustomerFeatures(List<Integer> windows) {
    List<Integer> sorted = new ArrayList<>(windows);
    Collections.sort(sorted);
    this.windows = List.copyOf(sorted);
  }

  /**
   * @param daily rows of {@link AggregateDailyActivity}
   * @param asOfDates one column {@code as_of_date} (date), a handful of rows
   */
  public Dataset<Row> apply(Dataset<Row> daily, Dataset<Row> asOfDates) {
    return withChurnedBefore(daily, asOfDates)
        .where(col(CHURNED_BEFORE).unary_$bang())
        .drop(CHURNED_BEFORE);
  }

  /** Column of {@link #withChurnedBefore}: the customer's churn event is on or before the date. */
  public static final String CHURNED_BEFORE = "churned_before";

  /**
   * The features of every customer with events on or before each date, churned ones included and
   * flagged in {@link #CHURNED_BEFORE}, so that families from other tables can drop them too.
   */
  public Dataset<Row> withChurnedBefore(Dataset<Row> daily, Dataset<Row> asOfDates) {
    Column asOf = col(Columns.AS_OF_DATE);
    Dataset<Row> history = daily.join(broadcast(asOfDates), col(Columns.EVENT_DATE).leq(asOf));
    Dataset<Row> aggregated =
        history
            .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
            .agg(
                aggregates().get(0),
                aggregates().subList(1, aggregates().size()).toArray(new Column[0]));
    List<Column> out = outputColumns();
    out.add(col("churn_events_to_date").gt(0).as(CHURNED_BEFORE));
    return aggregated.select(out.toArray(new Column[0]));
  }

  private static Column within(int days) {
    return col(Columns.EVENT_DATE).gt(date_sub(col(Columns.AS_OF_DATE), days));
  }

  private static Column between(int fromDaysAgo, int toDaysAgo) {
    return col(Columns.EVENT_DATE)
        .gt(date_sub(col(Columns.AS_OF_DATE), fromDaysAgo))
        .and(col(Columns.EVENT_DATE).leq(date_sub(col(Columns.AS_OF_DATE), toDaysAgo)));
  }

  private static Column sumIf(Column condition, String column) {
    return sum(when(condition, col(column)).otherwise(0));
  }

  private List<Column> aggregates() {
    Column active = col("events").gt(0);
    List<Column> a = new ArrayList<>();
    a.add(sum("churn_events").as("churn_events_to_date"));
    a.add(min(Columns.EVENT_DATE).as("first_event_date"));
    a.add(max(when(active, col(Columns.EVENT_DATE))).as("last_active_date"));
    a.add(min("registration_time").as("registration_time"));
    a.add(sum(when(active, 1).otherwise(0)).as("active_days_total"));
    a.add(sum("sessions").as("sessions_total"));
    a.add(sum("events").as("events_total"));
    a.add(sum("billed_amount").as("billed_amount_total"));
    a.add(expr("max_by(last_level, event_date)").as(Columns.LEVEL));
    for (int w : windows) {
      a.add(sumIf(within(w), "events").as("events_" + w + "d"));
      a.add(sumIf(within(w), "sessions").as("sessions_" + w + "d"));
      a.add(sum(when(within(w).and(active), 1).otherwise(0)).as("active_days_" + w + "d"));
      a.add(sumIf(within(w), "n_next_song").as("songs_" + w + "d"));
    }
    a.add(sumIf(within(TREND_DAYS), "sessions").as("sessions_last_" + TREND_DAYS + "d"));
    a.add(
        sumIf(between(2 * TREND_DAYS, TREND_DAYS), "sessions")
            .as("sessions_prev_" + TREND_DAYS + "d"));
    for (int w : windows) {
      for (String t : TYPE_FEATURES) {
        a.add(sumIf(within(w), "n_" + t).as(t + "_" + w + "d"));
      }
    }
    return a;
  }

  private List<Column> outputColumns() {
    Column asOf = col(Columns.AS_OF_DATE);
    List<Column> out = new ArrayList<>();
    out.add(col(Columns.CUSTOMER_ID));
    out.add(asOf);
    out.add(
        datediff(asOf, coalesce(col("last_active_date"), col("first_event_date")))
            .as("days_since_last_activity"));
    out.add(
        datediff(asOf, coalesce(to_date(col("registration_time")), col("first_event_date")))
            .as("tenure_days"));
    out.add(col("active_days_total").cast("int"));
    out.add(col("sessions_total").cast("int"));
    out.add(col("events_total").cast("int"));
    out.add(col("billed_amount_total").cast("double"));
    for (int w : windows) {
      for (String f : List.of("events_", "sessions_", "active_days_", "songs_")) {
        out.add(col(f + w + "d").cast("int"));
      }
    }
    String last = "sessions_last_" + TREND_DAYS + "d";
    String prev = "sessions_prev_" + TREND_DAYS + "d";
    out.add(col(prev).cast("int"));
    out.add(
        col(last)
            .minus(col(prev))
            .divide(col(prev).plus(1))
            .cast("double")
            .as("session_trend_" + TREND_DAYS + "d"));
    for (int w : windows) {
      Column sessions = greatest(col("sessions_" + w + "d"), lit(1));
      for (String t : TYPE_FEATURES) {
        out.add(col(t + "_" + w + "d").cast("int"));
        out.add(
            col(t + "_" + w + "d")
                .divide(sessions)
                .cast("double")
                .as(t + "_per_session_" + w + "d"));
      }
    }
    out.add(col(Columns.LEVEL));
    out.add(when(col(Columns.LEVEL).equalTo("paid"), 1).otherwise(0).as("is_paid"));
    return out;
  }
}
