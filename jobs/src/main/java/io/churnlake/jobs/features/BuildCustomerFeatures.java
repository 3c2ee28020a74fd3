package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig.EventTypes;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
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
  static final int TREND_DAYS = 14;

  /** The daily table's level code column ({@link AggregateDailyActivity}). */
  static final String LAST_LEVEL = "last_level";

  /** Prefix of the per-window count of the configured content types. */
  static final String CONTENT = "content_";

  /** The event type groups summed per window: friction and engagement. */
  private static final List<String> GROUPS = List.of("negative", "positive");

  /** Weeks in the least-squares slope of weekly sessions. */
  static final int SLOPE_WEEKS = 8;

  private final List<Integer> windows;
  private final EventTypes types;

  public BuildCustomerFeatures(List<Integer> windows, EventTypes types) {
    List<Integer> sorted = new ArrayList<>(new java.util.TreeSet<>(windows));
    this.windows = List.copyOf(sorted);
    this.types = types;
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
    List<Column> aggregates = aggregates();
    Dataset<Row> aggregated =
        history
            .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
            .agg(
                aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0]));
    List<Column> out = outputColumns(LevelCodes.from(daily.schema().apply(LAST_LEVEL)));
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

  private static Column typeSum(List<String> types) {
    Column sum = lit(0);
    for (String t : types) {
      sum = sum.plus(col("n_" + t));
    }
    return sum;
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
    // The level of the latest day, packed with its date (LevelCodes): a hash aggregation.
    a.add(LevelCodes.latest(expr("unix_date(event_date)"), col(LAST_LEVEL)).as(LAST_LEVEL));
    Column planChange = lit(false);
    for (String t : types.planChange()) {
      planChange = planChange.or(col("n_" + t).gt(0));
    }
    a.add(max(when(planChange, col(Columns.EVENT_DATE))).as("last_plan_change_date"));
    for (int w : windows) {
      a.add(sumIf(within(w), "events").as("events_" + w + "d"));
      a.add(sumIf(within(w), "sessions").as("sessions_" + w + "d"));
      a.add(sum(when(within(w).and(active), 1).otherwise(0)).as("active_days_" + w + "d"));
      if (!types.content().isEmpty()) {
        a.add(sum(when(within(w), typeSum(types.content())).otherwise(0)).as(CONTENT + w + "d"));
      }
      a.add(sumIf(within(w), "session_seconds").as("session_seconds_" + w + "d"));
      a.add(max(when(within(w), col("max_session_seconds"))).as("max_session_seconds_" + w + "d"));
      a.add(
          sum(when(within(w), typeSum(types.negative())).otherwise(0))
              .as(GROUPS.get(0) + "_" + w + "d"));
      a.add(
          sum(when(within(w), typeSum(types.positive())).otherwise(0))
              .as(GROUPS.get(1) + "_" + w + "d"));
    }
    // Least-squares slope of weekly sessions over the last SLOPE_WEEKS weeks, in the same pass:
    // with x = -week (0 = the last 7 days) and y = sessions that week, the slope
    // (Sxy - mean(x) * Sy) / sum((x - mean(x))^2) needs only the sums Sxy and Sy.
    Column week = floor(datediff(col(Columns.AS_OF_DATE), col(Columns.EVENT_DATE)).divide(7));
    Column inSlope = within(7 * SLOPE_WEEKS);
    a.add(sum(when(inSlope, week.multiply(-1).multiply(col("sessions"))).otherwise(0)).as("_sxy"));
    a.add(sum(when(inSlope, col("sessions")).otherwise(0)).as("_sy"));
    a.add(sumIf(within(TREND_DAYS), "sessions").as("sessions_last_" + TREND_DAYS + "d"));
    a.add(
        sumIf(between(2 * TREND_DAYS, TREND_DAYS), "sessions")
            .as("sessions_prev_" + TREND_DAYS + "d"));
    for (int w : windows) {
      for (String t : types.featured()) {
        a.add(sumIf(within(w), "n_" + t).as(t + "_" + w + "d"));
      }
    }
    return a;
  }

  private List<Column> outputColumns(LevelCodes levels) {
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
    out.add(datediff(asOf, col("last_plan_change_date")).as("days_since_plan_change"));
    out.add(col("active_days_total").cast("int"));
    out.add(col("sessions_total").cast("int"));
    out.add(col("events_total").cast("int"));
    out.add(col("billed_amount_total").cast("double"));
    for (int w : windows) {
      for (String f : List.of("events_", "sessions_", "active_days_", CONTENT)) {
        if (!f.equals(CONTENT) || !types.content().isEmpty()) {
          out.add(col(f + w + "d").cast("int"));
        }
      }
    }
    out.addAll(trendColumns());
    out.addAll(sessionColumns());
    for (int w : windows) {
      Column sessions = greatest(col("sessions_" + w + "d"), lit(1));
      for (String t : types.featured()) {
        out.add(col(t + "_" + w + "d").cast("int"));
        out.add(
            col(t + "_" + w + "d")
                .divide(sessions)
                .cast("double")
                .as(t + "_per_session_" + w + "d"));
      }
    }
    Column level = levels.decode(LevelCodes.unpack(col(LAST_LEVEL)));
    out.add(level.as(Columns.LEVEL));
    if (!types.paidLevels().isEmpty()) {
      out.add(when(level.isin(types.paidLevels().toArray()), 1).otherwise(0).as("is_paid"));
    }
    return out;
  }

  /** Sessions before the last {@link #TREND_DAYS} days, the trend against them, the slope. */
  private static List<Column> trendColumns() {
    List<Column> out = new ArrayList<>();
    String last = "sessions_last_" + TREND_DAYS + "d";
    String prev = "sessions_prev_" + TREND_DAYS + "d";
    out.add(col(prev).cast("int"));
    out.add(
        col(last)
            .minus(col(prev))
            .divide(col(prev).plus(1))
            .cast("double")
            .as("session_trend_" + TREND_DAYS + "d"));
    double meanX = -(SLOPE_WEEKS - 1) / 2.0;
    double sxx = 0;
    for (int k = 0; k < SLOPE_WEEKS; k++) {
      sxx += (-k - meanX) * (-k - meanX);
    }
    out.add(
        col("_sxy")
            .minus(col("_sy").multiply(meanX))
            .divide(sxx)
            .cast("double")
            .as("session_slope_" + SLOPE_WEEKS + "w"));
    return out;
  }

  /** Per window: session lengths, interactions per session and the two groups' counts. */
  private List<Column> sessionColumns() {
    List<Column> out = new ArrayList<>();
    for (int w : windows) {
      Column sessions = col("sessions_" + w + "d");
      Column atLeastOne = greatest(sessions, lit(1));
      out.add(
          when(sessions.gt(0), col("session_seconds_" + w + "d").divide(sessions).divide(60.0))
              .cast("double")
              .as("avg_session_minutes_" + w + "d"));
      out.add(
          when(sessions.gt(0), col("max_session_seconds_" + w + "d").divide(60.0))
              .cast("double")
              .as("max_session_minutes_" + w + "d"));
      out.add(
          col("events_" + w + "d")
              .divide(atLeastOne)
              .cast("double")
              .as("events_per_session_" + w + "d"));
      for (String group : GROUPS) {
        Column count = col(group + "_" + w + "d");
        out.add(count.cast("int").as(group + "_events_" + w + "d"));
        out.add(count.divide(atLeastOne).cast("double").as(group + "_per_session_" + w + "d"));
      }
    }
    return out;
  }
}
