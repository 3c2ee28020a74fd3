package io.churnlake.jobs.labels;

import static io.churnlake.jobs.testing.EventRows.event;

import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.features.AggregateDailyActivity;
import io.churnlake.jobs.testing.EventRows;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class BuildChurnLabelsTest extends SparkTestBase {
  static final Date D = Date.valueOf("2026-03-31");
  static final Date EARLY = Date.valueOf("2026-03-20");
  static final StructType LABELS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("horizon_days", DataTypes.IntegerType)
          .add("churned", DataTypes.BooleanType)
          .add("churn_date", DataTypes.DateType);

  private Dataset<Row> events() {
    return rows(
        EventRows.SCHEMA,
        event("A", "2026-03-10 08:00:00", "next_song", 1L, "free"),
        event("A", "2026-04-02 08:00:00", "cancellation_confirmation", 2L, "free"),
        event("B", "2026-03-01 08:00:00", "next_song", 3L, "free"),
        event("B", "2026-03-26 08:00:00", "cancellation_confirmation", 4L, "free"),
        event("C", "2026-04-01 08:00:00", "next_song", 5L, "free"),
        event("E", "2026-03-10 08:00:00", "next_song", 6L, "paid"),
        event("E", "2026-05-05 08:00:00", "cancellation_confirmation", 7L, "paid"),
        event("F", "2026-03-10 08:00:00", "next_song", 8L, "paid"),
        event("F", "2026-04-30 23:00:00", "cancellation_confirmation", 9L, "paid"),
        event("G", "2026-03-10 08:00:00", "next_song", 10L, "free"),
        event("G", "2026-03-31 23:59:00", "cancellation_confirmation", 11L, "free"));
  }

  private Dataset<Row> labels(List<Date> dates) {
    StructType schema = new StructType().add("as_of_date", DataTypes.DateType);
    Dataset<Row> asOf =
        rows(schema, dates.stream().map(d -> new Object[] {d}).toArray(Object[][]::new));
    Dataset<Row> daily = new AggregateDailyActivity("cancellation_confirmation").apply(events());
    return new BuildChurnLabels(30).apply(daily, asOf);
  }

  @Test
  void labelsLookOnlyAtTheHorizonAfterTheAsOfDateForCustomersKnownAndLiveOnIt() {
    Dataset<Row> expected =
        rows(
            LABELS,
            // churn two days after D
            new Object[] {"A", D, 30, true, Date.valueOf("2026-04-02")},
            // churn 35 days after D: outside the horizon
            new Object[] {"E", D, 30, false, null},
            // churn on the last day of the horizon counts
            new Object[] {"F", D, 30, true, Date.valueOf("2026-04-30")});
    // B and G churned on or before D (not live), C had no event on or before D (not known).
    assertSameRows(expected, labels(List.of(D)));
  }

  @Test
  void severalAsOfDatesInOnePass() {
    Dataset<Row> expected =
        rows(
            LABELS,
            new Object[] {"A", EARLY, 30, true, Date.valueOf("2026-04-02")},
            new Object[] {"B", EARLY, 30, true, Date.valueOf("2026-03-26")},
            new Object[] {"E", EARLY, 30, false, null},
            new Object[] {"F", EARLY, 30, false, null},
            new Object[] {"G", EARLY, 30, true, Date.valueOf("2026-03-31")},
            new Object[] {"A", D, 30, true, Date.valueOf("2026-04-02")},
            new Object[] {"E", D, 30, false, null},
            new Object[] {"F", D, 30, true, Date.valueOf("2026-04-30")});
    assertSameRows(expected, labels(List.of(EARLY, D)));
  }
}
