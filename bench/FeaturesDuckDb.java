import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The DuckDB side of bench/features.sh: the activity feature family of churnlake's {@code
 * AggregateDailyActivity} + {@code BuildCustomerFeatures} with the default event types (windows
 * 7/30/90, counts per event type and per session, friction and engagement totals, session lengths,
 * session trend and slope, recency, tenure, days since plan change, level), computed in-process by
 * DuckDB over the Parquet files of the events Delta table, for several as-of dates, written to one
 * Parquet file. Same steps as Spark: per (customer, day, session), per (customer, day), then one
 * aggregation over (customer, as-of date). Prints the wall time and the rows written.
 *
 * <p>Run (Java 11+ single-file source): {@code java -cp duckdb_jdbc.jar bench/FeaturesDuckDb.java
 * EVENTS_DIR OUT.parquet THREADS DATE...}
 */
public final class FeaturesDuckDb {
  static final List<String> NEGATIVE =
      List.of("thumbs_down", "roll_advert", "help", "error", "submit_downgrade");
  static final List<String> POSITIVE =
      List.of("thumbs_up", "add_to_playlist", "add_friend", "submit_upgrade");
  static final List<String> TYPE_FEATURES =
      java.util.stream.Stream.concat(NEGATIVE.stream(), POSITIVE.stream()).toList();
  static final List<String> TRACKED =
      java.util.stream.Stream.concat(TYPE_FEATURES.stream(), java.util.stream.Stream.of("next_song"))
          .toList();
  static final int[] WINDOWS = {7, 30, 90};

  /**
   * The feature query over {@code source} (a relation with the events table's columns), with the
   * as-of dates as the CTE {@code datesTable} defines (a relation {@code dates(as_of_date)}).
   */
  static String query(String source, String datesTable, List<String> dates) {
    String last = dates.stream().max(String::compareTo).orElseThrow();
    // Step 1: per customer, day and session; step 2: per customer and day (as in Spark).
    StringJoiner perSession = new StringJoiner(",\n  ");
    perSession.add("customer_id, event_date, session_id");
    perSession.add("count(*) FILTER (WHERE event_type <> 'billing') AS events");
    for (String t : TRACKED) {
      perSession.add("count(*) FILTER (WHERE event_type = '" + t + "') AS n_" + t);
    }
    perSession.add(
        "count(*) FILTER (WHERE event_type = 'cancellation_confirmation') AS churn_events");
    perSession.add("sum(amount) FILTER (WHERE event_type = 'billing') AS billed_amount");
    perSession.add(
        "date_diff('second', min(event_time) FILTER (WHERE event_type <> 'billing'),"
            + " max(event_time) FILTER (WHERE event_type <> 'billing')) AS seconds");
    perSession.add("min(registration_time) AS registration_time");
    perSession.add(
        "arg_max(CASE WHEN event_type = 'submit_upgrade' THEN 'paid' WHEN event_type ="
            + " 'submit_downgrade' THEN 'free' ELSE level END, event_time) AS last_level");
    perSession.add("max(event_time) AS last_event_time");

    StringJoiner daily = new StringJoiner(",\n  ");
    daily.add("customer_id, event_date");
    daily.add("sum(events)::INT AS events");
    String isSession = "session_id IS NOT NULL AND events > 0";
    daily.add("count(*) FILTER (WHERE " + isSession + ")::INT AS sessions");
    daily.add("coalesce(sum(seconds) FILTER (WHERE " + isSession + "), 0) AS session_seconds");
    daily.add(
        "coalesce(max(seconds) FILTER (WHERE " + isSession + "), 0) AS max_session_seconds");
    for (String t : TRACKED) {
      daily.add("sum(n_" + t + ")::INT AS n_" + t);
    }
    daily.add("sum(churn_events)::INT AS churn_events");
    daily.add("coalesce(sum(billed_amount), 0.0) AS billed_amount");
    daily.add("min(registration_time) AS registration_time");
    daily.add("arg_max(last_level, last_event_time) AS last_level");

    StringJoiner agg = new StringJoiner(",\n  ");
    agg.add("d.customer_id, a.as_of_date");
    agg.add(
        "date_diff('day', coalesce(max(event_date) FILTER (WHERE events > 0), min(event_date)),"
            + " a.as_of_date) AS days_since_last_activity");
    agg.add(
        "date_diff('day', coalesce(min(registration_time)::DATE, min(event_date)), a.as_of_date)"
            + " AS tenure_days");
    agg.add(
        "date_diff('day', max(event_date) FILTER (WHERE n_submit_upgrade + n_submit_downgrade >"
            + " 0), a.as_of_date) AS days_since_plan_change");
    agg.add("count(*) FILTER (WHERE events > 0)::INT AS active_days_total");
    agg.add("sum(sessions)::INT AS sessions_total");
    agg.add("sum(events)::INT AS events_total");
    agg.add("sum(billed_amount) AS billed_amount_total");
    for (int w : WINDOWS) {
      String in = "event_date > a.as_of_date - INTERVAL " + w + " DAY";
      agg.add("coalesce(sum(events) FILTER (WHERE " + in + "), 0)::INT AS events_" + w + "d");
      agg.add(
          "coalesce(sum(sessions) FILTER (WHERE " + in + "), 0)::INT AS sessions_" + w + "d");
      agg.add(
          "count(*) FILTER (WHERE " + in + " AND events > 0)::INT AS active_days_" + w + "d");
      agg.add(
          "coalesce(sum(n_next_song) FILTER (WHERE " + in + "), 0)::INT AS content_" + w + "d");
      String sessions = "coalesce(sum(sessions) FILTER (WHERE " + in + "), 0)";
      String perSessionOf = " / greatest(" + sessions + ", 1)::DOUBLE";
      agg.add(
          "sum(session_seconds) FILTER (WHERE "
              + in
              + ") / nullif("
              + sessions
              + ", 0) / 60.0 AS avg_session_minutes_"
              + w
              + "d");
      agg.add(
          "CASE WHEN "
              + sessions
              + " > 0 THEN max(max_session_seconds) FILTER (WHERE "
              + in
              + ") / 60.0 END AS max_session_minutes_"
              + w
              + "d");
      agg.add(
          "coalesce(sum(events) FILTER (WHERE "
              + in
              + "), 0)"
              + perSessionOf
              + " AS events_per_session_"
              + w
              + "d");
      for (String group : List.of("negative", "positive")) {
        List<String> types = group.equals("negative") ? NEGATIVE : POSITIVE;
        String sum =
            "coalesce(sum("
                + String.join(" + ", types.stream().map(t -> "n_" + t).toList())
                + ") FILTER (WHERE "
                + in
                + "), 0)";
        agg.add(sum + "::INT AS " + group + "_events_" + w + "d");
        agg.add(sum + perSessionOf + " AS " + group + "_per_session_" + w + "d");
      }
      for (String t : TYPE_FEATURES) {
        String c = "coalesce(sum(n_" + t + ") FILTER (WHERE " + in + "), 0)";
        agg.add(c + "::INT AS " + t + "_" + w + "d");
        agg.add(
            c
                + " / greatest(coalesce(sum(sessions) FILTER (WHERE "
                + in
                + "), 0), 1)::DOUBLE AS "
                + t
                + "_per_session_"
                + w
                + "d");
      }
    }
    String last14 = "event_date > a.as_of_date - INTERVAL 14 DAY";
    String prev14 =
        "event_date > a.as_of_date - INTERVAL 28 DAY AND event_date <= a.as_of_date - INTERVAL 14"
            + " DAY";
    agg.add("coalesce(sum(sessions) FILTER (WHERE " + prev14 + "), 0)::INT AS sessions_prev_14d");
    agg.add(
        "(coalesce(sum(sessions) FILTER (WHERE "
            + last14
            + "), 0) - coalesce(sum(sessions) FILTER (WHERE "
            + prev14
            + "), 0)) / (coalesce(sum(sessions) FILTER (WHERE "
            + prev14
            + "), 0) + 1)::DOUBLE AS session_trend_14d");
    agg.add(
        "(sum(-floor(date_diff('day', event_date, a.as_of_date) / 7) * sessions) FILTER (WHERE"
            + " event_date > a.as_of_date - INTERVAL 56 DAY) + 3.5 * coalesce(sum(sessions) FILTER"
            + " (WHERE event_date > a.as_of_date - INTERVAL 56 DAY), 0)) / 42.0 AS"
            + " session_slope_8w");
    agg.add("arg_max(last_level, event_date) AS level");

    return "WITH sessions AS (SELECT\n  "
        + perSession
        + "\nFROM "
        + source
        + "\nWHERE event_date <= DATE '"
        + last
        + "'\nGROUP BY customer_id, event_date, session_id),\ndaily AS (SELECT\n  "
        + daily
        + "\nFROM sessions GROUP BY customer_id, event_date),\n"
        + datesTable
        + "\nSELECT\n  "
        + agg
        + "\nFROM daily d JOIN dates a ON d.event_date <= a.as_of_date\n"
        + "GROUP BY d.customer_id, a.as_of_date\nHAVING sum(churn_events) = 0";
  }

  /**
   * The query in Spark SQL's dialect over a view named {@code events}: DuckDB's casts by {@code ::}
   * dropped (Spark's sums are wider integers, its divisions already doubles), {@code date_diff} as
   * {@code timestampdiff}, {@code arg_max} as {@code max_by}, the dates as an inline table.
   */
  static String sparkSql(List<String> dates) {
    List<String> values = new ArrayList<>();
    dates.forEach(d -> values.add("(DATE '" + d + "')"));
    return query(
            "events",
            "dates AS (SELECT * FROM VALUES " + String.join(", ", values) + " AS t(as_of_date))",
            dates)
        .replace("::INT", "")
        .replace("::DOUBLE", "")
        .replace("::DATE", "")
        .replace("date_diff('second', ", "timestampdiff(SECOND, ")
        .replace("date_diff('day', ", "timestampdiff(DAY, ")
        .replace("arg_max(", "max_by(");
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--spark-sql")) {
      // The same query in Spark SQL over a view named events (bench/FeaturesSparkSql.java).
      System.out.println(sparkSql(List.of(args).subList(1, args.length)));
      return;
    }
    String events = args[0];
    String out = args[1];
    int threads = Integer.parseInt(args[2]);
    List<String> dates = List.of(args).subList(3, args.length);
    List<String> values = new ArrayList<>();
    dates.forEach(d -> values.add("(DATE '" + d + "')"));
    String sql =
        "COPY (\n"
            + query(
                "read_parquet('" + events + "/**/*.parquet', hive_partitioning = true)",
                "dates(as_of_date) AS (VALUES " + String.join(", ", values) + ")",
                dates)
            + "\n) TO '"
            + out
            + "' (FORMAT PARQUET)";
    String last = dates.stream().max(String::compareTo).orElseThrow();

    long start = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      s.execute(sql);
      double seconds = (System.nanoTime() - start) / 1e9;
      try (ResultSet r =
          s.executeQuery(
              "SELECT count(*), count(DISTINCT as_of_date) FROM read_parquet('" + out + "')")) {
        r.next();
        System.out.printf(
            "duckdb features: %d as-of dates, %d rows in %.1f s (%d threads)%n",
            r.getLong(2), r.getLong(1), seconds, threads);
      }
      try (ResultSet r =
          s.executeQuery(
              "SELECT count(*) FROM read_parquet('"
                  + events
                  + "/**/*.parquet', hive_partitioning = true) WHERE event_date <= DATE '"
                  + last
                  + "'")) {
        r.next();
        System.out.printf("duckdb events read: %d%n", r.getLong(1));
      }
    }
  }
}
