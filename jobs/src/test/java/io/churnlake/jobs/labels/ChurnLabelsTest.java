package io.churnlake.jobs.labels;

import static io.churnlake.jobs.testing.EventRows.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.testing.EventRows;
import io.churnlake.jobs.testing.Examples;
import io.churnlake.jobs.testing.GeneratorTypes;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The three label definitions. Invariants: a label for as-of T depends only on who is live on T
 * (rows on or before T) and on rows dated T+1 .. T+horizon; customers churned before T are not in
 * T's population; a customer whose horizon ends after the data is censored (no label), never
 * "retained". Hand-built rows for each rule, and a randomised oracle comparison over several seeds.
 */
class ChurnLabelsTest extends SparkTestBase {
  static final Date D = Date.valueOf("2026-03-31");
  static final Date EARLY = Date.valueOf("2026-03-20");
  static final LocalDate END = LocalDate.of(2026, 6, 30);
  static final StructType LABELS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("horizon_days", DataTypes.IntegerType)
          .add("churned", DataTypes.BooleanType)
          .add("churn_date", DataTypes.DateType)
          .add("label_definition", DataTypes.StringType);
  static final StructType ACTIVITY =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("event_date", DataTypes.DateType);
  static final StructType CUSTOMERS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("snapshot_date", DataTypes.DateType)
          .add("churned", DataTypes.BooleanType)
          .add("contract", DataTypes.StringType);

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

  private Dataset<Row> dates(Date... dates) {
    StructType schema = new StructType().add("as_of_date", DataTypes.DateType);
    List<Object[]> rows = new ArrayList<>();
    for (Date d : dates) {
      rows.add(new Object[] {d});
    }
    return rows(schema, rows.toArray(new Object[0][]));
  }

  private Dataset<Row> explicit(Dataset<Row> events, LocalDate end, Date... asOf) {
    Dataset<Row> daily = GeneratorTypes.daily(events);
    return new BuildChurnLabels(30, end).apply(daily, dates(asOf));
  }

  @Test
  void explicitLabelsLookOnlyAtTheHorizonAfterTheAsOfDateForCustomersKnownAndLiveOnIt() {
    Dataset<Row> expected =
        rows(
            LABELS,
            // churn two days after D
            new Object[] {"A", D, 30, true, Date.valueOf("2026-04-02"), "explicit"},
            // churn 35 days after D: outside the horizon
            new Object[] {"E", D, 30, false, null, "explicit"},
            // churn on the last day of the horizon counts
            new Object[] {"F", D, 30, true, Date.valueOf("2026-04-30"), "explicit"});
    // B and G churned on or before D (not live), C had no event on or before D (not known).
    assertSameRows(expected, explicit(events(), END, D));
  }

  @Test
  void explicitLabelsForSeveralAsOfDatesInOnePass() {
    Dataset<Row> expected =
        rows(
            LABELS,
            new Object[] {"A", EARLY, 30, true, Date.valueOf("2026-04-02"), "explicit"},
            new Object[] {"B", EARLY, 30, true, Date.valueOf("2026-03-26"), "explicit"},
            new Object[] {"E", EARLY, 30, false, null, "explicit"},
            new Object[] {"F", EARLY, 30, false, null, "explicit"},
            new Object[] {"G", EARLY, 30, true, Date.valueOf("2026-03-31"), "explicit"},
            new Object[] {"A", D, 30, true, Date.valueOf("2026-04-02"), "explicit"},
            new Object[] {"E", D, 30, false, null, "explicit"},
            new Object[] {"F", D, 30, true, Date.valueOf("2026-04-30"), "explicit"});
    assertSameRows(expected, explicit(events(), END, EARLY, D));
  }

  @Test
  void aHorizonEndingAfterTheDataLeavesEveryCustomerOfThatDateUnlabelledNotRetained() {
    // Data ends 2026-04-25: EARLY's horizon (to 04-19) is observed, D's (to 04-30) is not, so
    // even A, whose churn on 04-02 was seen, gets no label as of D (a date's labels are all or
    // nothing, so no table holds only its churners).
    Dataset<Row> expected =
        rows(
            LABELS,
            new Object[] {"A", EARLY, 30, true, Date.valueOf("2026-04-02"), "explicit"},
            new Object[] {"B", EARLY, 30, true, Date.valueOf("2026-03-26"), "explicit"},
            new Object[] {"E", EARLY, 30, false, null, "explicit"},
            new Object[] {"F", EARLY, 30, false, null, "explicit"},
            new Object[] {"G", EARLY, 30, true, Date.valueOf("2026-03-31"), "explicit"},
            new Object[] {"A", D, 30, null, null, "explicit"},
            new Object[] {"E", D, 30, null, null, "explicit"},
            new Object[] {"F", D, 30, null, null, "explicit"});
    assertSameRows(expected, explicit(events(), LocalDate.of(2026, 4, 25), EARLY, D));
  }

  private static Object[] active(String customer, String date) {
    return new Object[] {customer, Date.valueOf(date)};
  }

  @Test
  void inactivityLabelsChurnCustomersSilentForAWholeHorizonAfterTheDate() {
    Dataset<Row> activity =
        rows(
            ACTIVITY,
            // bought again within the horizon: retained
            active("A", "2026-03-20"),
            active("A", "2026-04-29"),
            active("A", "2026-04-29"),
            // silent after D: churned on last purchase + 30 days
            active("B", "2026-03-05"),
            active("B", "2026-03-25"),
            // last purchase on D-30 (03-01): already churned before D, not in the population
            active("C", "2026-03-01"),
            active("C", "2026-04-10"),
            // first purchase after D: not known on D
            active("N", "2026-04-02"),
            // last purchase on D-29: live, and silent until its horizon ends
            active("S", "2026-03-02"));
    Dataset<Row> expected =
        rows(
            LABELS,
            new Object[] {"A", D, 30, false, null, "inactivity"},
            new Object[] {"B", D, 30, true, Date.valueOf("2026-04-24"), "inactivity"},
            new Object[] {"S", D, 30, true, Date.valueOf("2026-04-01"), "inactivity"});
    assertSameRows(expected, new InactivityLabels(30, END).apply(activity, dates(D)));
    // Data ending before D's horizon does: nobody labelled, not even A who bought again.
    assertSameRows(
        rows(
            LABELS,
            new Object[] {"A", D, 30, null, null, "inactivity"},
            new Object[] {"B", D, 30, null, null, "inactivity"},
            new Object[] {"S", D, 30, null, null, "inactivity"}),
        new InactivityLabels(30, LocalDate.of(2026, 4, 29)).apply(activity, dates(D)));
  }

  @Test
  void givenLabelsAreTheFlagOfTheSnapshotDatedOnTheAsOfDate() {
    Dataset<Row> customers =
        rows(
            CUSTOMERS,
            new Object[] {"A", Date.valueOf("2026-02-28"), true, "Month-to-month"},
            new Object[] {"A", D, false, "One year"},
            new Object[] {"B", D, true, "Month-to-month"},
            new Object[] {"C", D, null, "Two year"});
    assertSameRows(
        rows(
            LABELS,
            new Object[] {"A", D, null, false, null, "given"},
            new Object[] {"B", D, null, true, null, "given"},
            new Object[] {"C", D, null, null, null, "given"}),
        new GivenLabels().apply(customers, dates(D)));
  }

  /**
   * Randomised, against a plain-Java oracle over the same rows: for three seeds and four as-of
   * dates (the last one censored), explicit and inactivity labels equal the definition computed
   * directly, and deleting every row dated after T+horizon changes no label for T.
   */
  @Test
  void labelsMatchTheDefinitionOnRandomHistoriesAndIgnoreRowsAfterTheHorizon() {
    LocalDate start = LocalDate.of(2026, 1, 1);
    LocalDate end = start.plusDays(119);
    List<LocalDate> asOf =
        List.of(start.plusDays(35), start.plusDays(60), start.plusDays(85), start.plusDays(100));
    Date[] asOfDates = asOf.stream().map(Date::valueOf).toArray(Date[]::new);
    for (long seed : new long[] {11, 12, 13}) {
      Random random = new Random(seed);
      List<Object[]> events = new ArrayList<>();
      List<Object[]> activity = new ArrayList<>();
      for (int c = 0; c < 15; c++) {
        String customer = "c" + c;
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
          LocalDate day = start.plusDays(random.nextInt(120));
          String type = random.nextInt(8) == 0 ? "cancellation_confirmation" : "next_song";
          events.add(event(customer, day + " 10:00:00", type, (long) i, "free"));
          activity.add(active(customer, day.toString()));
        }
      }
      List<String> expectedExplicit = new ArrayList<>();
      List<String> expectedInactivity = new ArrayList<>();
      for (LocalDate t : asOf) {
        expectedExplicit.addAll(oracleExplicit(events, t, end));
        expectedInactivity.addAll(oracleInactivity(activity, t, end));
      }
      Dataset<Row> allEvents = rows(EventRows.SCHEMA, events.toArray(new Object[0][]));
      assertThat(Examples.text(explicit(allEvents, end, asOfDates)))
          .as("explicit, seed %d", seed)
          .isEqualTo(expectedExplicit.stream().sorted().toList());
      Dataset<Row> allActivity = rows(ACTIVITY, activity.toArray(new Object[0][]));
      assertThat(Examples.text(new InactivityLabels(30, end).apply(allActivity, dates(asOfDates))))
          .as("inactivity, seed %d", seed)
          .isEqualTo(expectedInactivity.stream().sorted().toList());
      for (LocalDate t : asOf) {
        Date cut = Date.valueOf(t.plusDays(30));
        Dataset<Row> eventsToHorizon =
            rows(
                EventRows.SCHEMA,
                events.stream().filter(e -> !((Date) e[2]).after(cut)).toArray(Object[][]::new));
        assertThat(Examples.text(explicit(eventsToHorizon, end, Date.valueOf(t))))
            .as("explicit without rows after the horizon, seed %d, as of %s", seed, t)
            .isEqualTo(Examples.text(explicit(allEvents, end, Date.valueOf(t))));
      }
    }
  }

  /** Explicit churn straight from the definition, as label rows' text. */
  private static List<String> oracleExplicit(List<Object[]> events, LocalDate t, LocalDate end) {
    Map<String, List<Object[]>> byCustomer = new TreeMap<>();
    events.forEach(e -> byCustomer.computeIfAbsent((String) e[0], k -> new ArrayList<>()).add(e));
    List<String> out = new ArrayList<>();
    boolean censored = t.plusDays(30).isAfter(end);
    for (Map.Entry<String, List<Object[]>> c : byCustomer.entrySet()) {
      boolean known = false;
      boolean churnedBefore = false;
      LocalDate churn = null;
      for (Object[] e : c.getValue()) {
        LocalDate day = ((Date) e[2]).toLocalDate();
        boolean isChurn = e[3].equals("cancellation_confirmation");
        if (!day.isAfter(t)) {
          known = true;
          churnedBefore |= isChurn;
        } else if (isChurn
            && !day.isAfter(t.plusDays(30))
            && (churn == null || day.isBefore(churn))) {
          churn = day;
        }
      }
      if (known && !churnedBefore) {
        out.add(
            row(
                c.getKey(),
                t,
                censored ? null : churn != null,
                censored ? null : churn,
                "explicit"));
      }
    }
    return out;
  }

  /** Inactivity churn straight from the definition, as label rows' text. */
  private static List<String> oracleInactivity(
      List<Object[]> activity, LocalDate t, LocalDate end) {
    Map<String, List<LocalDate>> byCustomer = new TreeMap<>();
    activity.forEach(
        a ->
            byCustomer
                .computeIfAbsent((String) a[0], k -> new ArrayList<>())
                .add(((Date) a[1]).toLocalDate()));
    List<String> out = new ArrayList<>();
    boolean censored = t.plusDays(30).isAfter(end);
    for (Map.Entry<String, List<LocalDate>> c : byCustomer.entrySet()) {
      LocalDate last = null;
      boolean after = false;
      for (LocalDate day : c.getValue()) {
        if (!day.isAfter(t) && day.isAfter(t.minusDays(30))) {
          last = last == null || day.isAfter(last) ? day : last;
        }
        after |= day.isAfter(t) && !day.isAfter(t.plusDays(30));
      }
      if (last != null) {
        boolean churned = !after;
        out.add(
            row(
                c.getKey(),
                t,
                censored ? null : churned,
                censored || !churned ? null : last.plusDays(30),
                "inactivity"));
      }
    }
    return out;
  }

  private static String row(
      String customer, LocalDate t, Boolean churned, LocalDate churnDate, String definition) {
    return "[" + customer + "," + t + ",30," + churned + "," + churnDate + "," + definition + "]";
  }
}
