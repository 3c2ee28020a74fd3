package io.churnlake.jobs.features;

import static io.churnlake.jobs.testing.EventRows.billing;
import static io.churnlake.jobs.testing.EventRows.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.testing.EventRows;
import io.churnlake.jobs.testing.GeneratorTypes;
import java.sql.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class BuildCustomerFeaturesTest extends SparkTestBase {
  static final Date AS_OF = Date.valueOf("2026-03-31");

  private Dataset<Row> history() {
    return rows(
        EventRows.SCHEMA,
        // Customer 1: active on 02-19, 03-21 and 03-28, where the day ends with an upgrade.
        event("1", "2026-02-19 10:00:00", "next_song", 1L, "free"),
        event("1", "2026-02-19 10:04:00", "next_song", 1L, "free"),
        event("1", "2026-03-21 09:00:00", "next_song", 2L, "free"),
        event("1", "2026-03-21 09:03:00", "thumbs_down", 2L, "free"),
        event("1", "2026-03-21 20:00:00", "help", 3L, "free"),
        event("1", "2026-03-28 10:00:00", "next_song", 4L, "free"),
        // As in Sparkify logs, the submit event still shows the level it changes from.
        event("1", "2026-03-28 10:05:00", "submit_upgrade", 4L, "free"),
        // Customer 4: paid, billed once, one song; billing is not activity.
        billing("4", "2026-03-15 00:01:00", 9.99),
        event("4", "2026-03-15 18:00:00", "next_song", 40L, "paid"),
        // Customer 2 churned before the as-of date: not in the population.
        event("2", "2026-03-01 08:00:00", "next_song", 20L, "free"),
        event("2", "2026-03-26 08:00:00", "cancellation_confirmation", 21L, "free"),
        // Customer 3 appears only after the as-of date: not known yet.
        event("3", "2026-04-01 08:00:00", "next_song", 30L, "free"));
  }

  private Dataset<Row> future() {
    return rows(
        EventRows.SCHEMA,
        event("1", "2026-04-01 08:00:00", "thumbs_down", 5L, "paid"),
        event("1", "2026-04-02 08:00:00", "cancellation_confirmation", 5L, "paid"),
        billing("1", "2026-04-28 00:01:00", 9.99));
  }

  private Dataset<Row> features(Dataset<Row> events, List<Date> dates) {
    StructType schema = new StructType().add("as_of_date", DataTypes.DateType);
    Dataset<Row> asOf =
        rows(schema, dates.stream().map(d -> new Object[] {d}).toArray(Object[][]::new));
    Dataset<Row> daily = GeneratorTypes.daily(events);
    return new BuildCustomerFeatures(List.of(30, 7), GeneratorTypes.EVENT_TYPES).apply(daily, asOf);
  }

  @Test
  void oneRowPerKnownLiveCustomerWithEveryFeatureComputedFromEventsOnOrBeforeTheDate() {
    List<Row> out = features(history(), List.of(AS_OF)).orderBy("customer_id").collectAsList();
    assertThat(out).extracting(r -> r.getString(0)).containsExactly("1", "4");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("customer_id", "1");
    expected.put("as_of_date", AS_OF);
    expected.put("days_since_last_activity", 3);
    expected.put("tenure_days", 89);
    // The upgrade on 03-28.
    expected.put("days_since_plan_change", 3);
    expected.put("active_days_total", 3);
    expected.put("sessions_total", 4);
    expected.put("events_total", 7);
    expected.put("billed_amount_total", 0.0);
    expected.put("events_7d", 2);
    expected.put("sessions_7d", 1);
    expected.put("active_days_7d", 1);
    expected.put("content_7d", 1);
    expected.put("events_30d", 5);
    expected.put("sessions_30d", 3);
    expected.put("active_days_30d", 2);
    expected.put("content_30d", 2);
    expected.put("sessions_prev_14d", 0);
    expected.put("session_trend_14d", 3.0);
    // Weekly sessions (x = -week): 1 in week 0, 2 in week 1, 1 in week 5; Sxy = -7, Sy = 4,
    // slope = (Sxy + 3.5 Sy) / 42.
    expected.put("session_slope_8w", 7.0 / 42);
    // Sessions in 7 days: 10:00-10:05 on 03-28. In 30 days also 09:00-09:03 and a single-event
    // session on 03-21: 480 s over 3 sessions, 5 events; friction thumbs_down + help.
    expected.put("avg_session_minutes_7d", 5.0);
    expected.put("max_session_minutes_7d", 5.0);
    expected.put("events_per_session_7d", 2.0);
    expected.put("negative_events_7d", 0);
    expected.put("negative_per_session_7d", 0.0);
    expected.put("positive_events_7d", 1);
    expected.put("positive_per_session_7d", 1.0);
    expected.put("avg_session_minutes_30d", 480.0 / 3 / 60.0);
    expected.put("max_session_minutes_30d", 5.0);
    expected.put("events_per_session_30d", 5.0 / 3);
    expected.put("negative_events_30d", 2);
    expected.put("negative_per_session_30d", 2.0 / 3);
    expected.put("positive_events_30d", 1);
    expected.put("positive_per_session_30d", 1.0 / 3);
    for (String t : GeneratorTypes.EVENT_TYPES.featured()) {
      // In the last 7 days only the upgrade (one session); in 30 days one of each of three types
      // over 3 sessions.
      int n7 = t.equals("submit_upgrade") ? 1 : 0;
      expected.put(t + "_7d", n7);
      expected.put(t + "_per_session_7d", n7 / 1.0);
    }
    for (String t : GeneratorTypes.EVENT_TYPES.featured()) {
      int n = List.of("thumbs_down", "help", "submit_upgrade").contains(t) ? 1 : 0;
      expected.put(t + "_30d", n);
      expected.put(t + "_per_session_30d", n / 3.0);
    }
    expected.put("level", "paid");
    expected.put("is_paid", 1);
    Row row = out.get(0);
    assertThat(row.schema().fieldNames()).containsExactlyElementsOf(expected.keySet());
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      assertThat((Object) row.getAs(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    Row paid = out.get(1);
    assertThat(
            List.of(
                paid.getAs("days_since_last_activity"),
                paid.getAs("active_days_total"),
                paid.getAs("events_total"),
                paid.getAs("sessions_total"),
                paid.getAs("billed_amount_total"),
                paid.getAs("level"),
                paid.getAs("is_paid")))
        .containsExactly(16, 1, 1, 1, 9.99, "paid", 1);
  }

  @Test
  void featuresAsOfADateDoNotChangeWhenEventsAfterItAreAdded() {
    List<Date> dates = List.of(Date.valueOf("2026-03-21"), AS_OF);
    Dataset<Row> before = features(history(), dates);
    Dataset<Row> after = features(history().union(future()), dates);
    assertSameRows(before, after);
  }

  @Test
  void manyDatesInOnePassEqualOneDateAtATime() {
    Date early = Date.valueOf("2026-03-21");
    Dataset<Row> together = features(history(), List.of(early, AS_OF));
    Dataset<Row> separate =
        features(history(), List.of(early)).union(features(history(), List.of(AS_OF)));
    assertSameRows(separate, together);
    // On 03-21 customer 2 is still live, customer 1 was last active that day, customer 4 on 03-15.
    assertThat(
            together
                .where("as_of_date = DATE'2026-03-21'")
                .select("customer_id", "days_since_last_activity")
                .collectAsList())
        .containsExactlyInAnyOrder(
            org.apache.spark.sql.RowFactory.create("1", 0),
            org.apache.spark.sql.RowFactory.create("2", 20),
            org.apache.spark.sql.RowFactory.create("4", 6));
  }
}
