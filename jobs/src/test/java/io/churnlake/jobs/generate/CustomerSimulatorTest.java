package io.churnlake.jobs.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class CustomerSimulatorTest {
  static final long START = java.time.LocalDate.of(2026, 1, 1).toEpochDay();
  static final SimulationSpec SPEC = spec(42, SimulationSpec.NO_SHIFT, 1.0);

  /** 300 customers over 150 days with the default rates, {@code seed}, and a planted shift. */
  static SimulationSpec spec(long seed, int shiftDay, double errorFactor) {
    return spec(seed, shiftDay, errorFactor, 150);
  }

  /** The same over {@code days} days; new customers arrive over 150 days whatever the length. */
  static SimulationSpec spec(long seed, int shiftDay, double errorFactor, int days) {
    return new SimulationSpec(
        300,
        days,
        START,
        seed,
        3.0 / 7,
        0.4,
        0.3,
        9.99,
        List.of(30),
        60,
        7,
        40,
        shiftDay,
        errorFactor,
        30,
        0.08,
        150);
  }

  // Field positions in SparkifyLog.SCHEMA.
  static final int LEVEL = 7, PAGE = 10, SESSION = 12, TS = 15, USER = 17, AMOUNT = 18;

  static List<Row> events(SimulationSpec spec, long id) {
    List<Row> rows = new ArrayList<>();
    new CustomerSimulator(spec, id).events(rows::add);
    return rows;
  }

  static List<Row> truth(SimulationSpec spec, long id) {
    List<Row> rows = new ArrayList<>();
    new CustomerSimulator(spec, id).truth(rows::add);
    return rows;
  }

  /**
   * Truth rows as plain values (the drivers column is a String[], which Row.equals compares by
   * identity).
   */
  static List<List<Object>> truthValues(SimulationSpec spec, long id) {
    return truth(spec, id).stream()
        .map(r -> List.of(r.get(0), r.get(1), r.get(2), r.get(3), List.of((String[]) r.get(4))))
        .toList();
  }

  static int day(Row r) {
    return (int) (Math.floorDiv(r.getLong(TS), 86_400_000L) - START);
  }

  @Test
  void sameSeedGivesTheSameLogAndAnotherSeedAnother() {
    assertThat(events(SPEC, 7)).isEqualTo(events(SPEC, 7));
    assertThat(truthValues(SPEC, 7)).isEqualTo(truthValues(SPEC, 7));
    SimulationSpec other = spec(43, SimulationSpec.NO_SHIFT, 1.0);
    assertThat(events(other, 7)).isNotEqualTo(events(SPEC, 7));
  }

  /**
   * Invariant: a planted shift changes nothing before its day (the log up to it is the unshifted
   * log, event for event) and from its day on multiplies the error pages per session.
   */
  @Test
  void aPlantedShiftKeepsTheLogBeforeItsDayAndMultipliesErrorsFromIt() {
    int shiftDay = 100;
    SimulationSpec shifted = spec(42, shiftDay, 4.0);
    long[] plain = new long[2];
    long[] planted = new long[2];
    for (long id = 0; id < 300; id++) {
      List<Row> before = events(SPEC, id);
      List<Row> after = events(shifted, id);
      assertThat(after.stream().filter(r -> day(r) < shiftDay).toList())
          .isEqualTo(before.stream().filter(r -> day(r) < shiftDay).toList());
      count(before, shiftDay, plain);
      count(after, shiftDay, planted);
    }
    double plainRate = (double) plain[0] / plain[1];
    double plantedRate = (double) planted[0] / planted[1];
    assertThat(plantedRate / plainRate).isBetween(2.5, 5.0);
  }

  /** Adds the error pages and the sessions from {@code fromDay} on to {@code counts}. */
  private static void count(List<Row> rows, int fromDay, long[] counts) {
    Set<Long> sessions = new HashSet<>();
    for (Row r : rows) {
      if (day(r) >= fromDay && !r.isNullAt(SESSION)) {
        sessions.add(r.getLong(SESSION));
        if (r.getString(PAGE).equals("Error")) {
          counts[0]++;
        }
      }
    }
    counts[1] += sessions.size();
  }

  /**
   * Invariant behind extending a log (generate.write-from, the campaign loop): with the same
   * arrival days, a log of 100 days is the first 100 days of the 150-day log, event for event, new
   * customers included.
   */
  @Test
  void aShorterLogWithTheSameArrivalDaysIsThePrefixOfTheLongerOne() {
    SimulationSpec shorter = spec(42, SimulationSpec.NO_SHIFT, 1.0, 100);
    int newCustomers = 0;
    for (long id = 0; id < 300; id++) {
      List<Row> longer = events(SPEC, id);
      assertThat(events(shorter, id)).isEqualTo(longer.stream().filter(r -> day(r) < 100).toList());
      if (!longer.isEmpty() && day(longer.get(0)) >= 100) {
        newCustomers++;
      }
    }
    // Some customers arrive after day 100: absent from the shorter log, present in the longer.
    assertThat(newCustomers).isGreaterThan(5);
  }

  static final int PLAN_DAY = 80;

  static List<Row> events(SimulationSpec spec, long id, List<CampaignResponse.Contact> contacts) {
    List<Row> rows = new ArrayList<>();
    new CustomerSimulator(spec, id, contacts).events(rows::add);
    return rows;
  }

  /** The day of the customer's cancellation, or MAX_VALUE when the log has none. */
  static int churnDay(List<Row> rows) {
    return rows.stream()
        .filter(r -> r.getString(PAGE).equals("Cancellation Confirmation"))
        .mapToInt(CustomerSimulatorTest::day)
        .findFirst()
        .orElse(Integer.MAX_VALUE);
  }

  /**
   * Invariants of the played campaign: a contact changes nothing up to its plan's day; from the
   * next day it moves only the churn decision, and in the planted direction (a fragile customer
   * churns no sooner, a do-not-disturb customer no later, a steady customer's log is unchanged); a
   * planned but uncontacted (control) customer's log is the log without plans.
   */
  @Test
  void aContactMovesOnlyTheChurnDecisionAfterThePlanAndInThePlantedDirection() {
    List<CampaignResponse.Contact> call =
        List.of(new CampaignResponse.Contact(PLAN_DAY, "agent-call", true));
    List<CampaignResponse.Contact> held =
        List.of(new CampaignResponse.Contact(PLAN_DAY, "agent-call", false));
    Map<CampaignResponse.Group, int[]> moved = new HashMap<>();
    for (long id = 0; id < 2000; id++) {
      List<Row> plain = events(SPEC, id);
      List<Row> contacted = events(SPEC, id, call);
      assertThat(events(SPEC, id, held)).isEqualTo(plain);
      assertThat(contacted.stream().filter(r -> day(r) <= PLAN_DAY).toList())
          .isEqualTo(plain.stream().filter(r -> day(r) <= PLAN_DAY).toList());
      CampaignResponse.Group group = new CustomerSimulator(SPEC, id, call).group();
      int before = churnDay(plain);
      int after = churnDay(contacted);
      switch (group) {
        case FRAGILE -> assertThat(after).isGreaterThanOrEqualTo(before);
        case DO_NOT_DISTURB -> assertThat(after).isLessThanOrEqualTo(before);
        case STEADY -> assertThat(contacted).isEqualTo(plain);
      }
      if (after != before) {
        moved.computeIfAbsent(group, g -> new int[1])[0]++;
      }
    }
    assertThat(moved.keySet())
        .containsExactlyInAnyOrder(
            CampaignResponse.Group.FRAGILE, CampaignResponse.Group.DO_NOT_DISTURB);
  }

  /**
   * Invariant: the response groups are read from traits the log shows through behaviour, so a model
   * can find them: fragile customers are exactly those with the frequent frustrating experiences
   * (error-prone sessions), do-not-disturb customers exactly the other customers whose base
   * thumbs-down rate lies in the lowest do-not-disturb-share / 0.75 of its range (0.02-0.10), and
   * they are about that share of all customers.
   */
  @Test
  void theResponseGroupsFollowTraitsTheLogShows() {
    double cut = 0.02 + 0.08 * SPEC.doNotDisturbShare() / 0.75;
    int doNotDisturb = 0;
    int n = 4000;
    for (long id = 0; id < n; id++) {
      CustomerSimulator c = new CustomerSimulator(SPEC, id, List.of());
      Behaviour b = c.behaviour();
      CampaignResponse.Group expected =
          b.shockRate > 0.01
              ? CampaignResponse.Group.FRAGILE
              : b.thumbsDownBase < cut
                  ? CampaignResponse.Group.DO_NOT_DISTURB
                  : CampaignResponse.Group.STEADY;
      assertThat(c.group()).as("customer %d", id).isEqualTo(expected);
      if (expected == CampaignResponse.Group.DO_NOT_DISTURB) {
        doNotDisturb++;
      }
    }
    assertThat(doNotDisturb / (double) n).isCloseTo(SPEC.doNotDisturbShare(), within(0.015));
  }

  /**
   * Invariant: the truth is calibrated against the log it describes: over the customers alive on
   * the plan's day, the churners within 30 days in the log with the contact, and in the log without
   * it, match the sums of p_churn_contacted and p_churn_not_contacted in generated_effects per
   * response group, within 3.5 standard deviations (the sum of p(1 - p)).
   */
  @Test
  void theLogsChurnMatchesTheTrueProbabilitiesWithAndWithoutTheContact() {
    int groups = CampaignResponse.Group.values().length;
    double[] expected = new double[2 * groups];
    double[] variance = new double[2 * groups];
    double[] observed = new double[2 * groups];
    List<CampaignResponse.Contact> call =
        List.of(new CampaignResponse.Contact(PLAN_DAY, "agent-call", true));
    for (long id = 0; id < 4000; id++) {
      List<Row> effects = new ArrayList<>();
      CustomerSimulator customer = new CustomerSimulator(SPEC, id, call);
      customer.effects(effects::add);
      if (effects.isEmpty()) {
        continue;
      }
      int g = customer.group().ordinal();
      double[] p = {effects.get(0).getDouble(7), effects.get(0).getDouble(6)};
      int[] churned = {churnDay(events(SPEC, id, call)), churnDay(events(SPEC, id))};
      for (int k = 0; k < 2; k++) {
        int i = k * groups + g;
        expected[i] += p[k];
        variance[i] += p[k] * (1 - p[k]);
        observed[i] += churned[k] > PLAN_DAY && churned[k] <= PLAN_DAY + 30 ? 1 : 0;
      }
    }
    for (int i = 0; i < expected.length; i++) {
      assertThat(expected[i]).as("group %d", i).isPositive();
      assertThat(Math.abs(observed[i] - expected[i]) / Math.sqrt(variance[i]))
          .as(
              "log %s, group %s: %s churners against %s expected",
              i < groups ? "contacted" : "plain",
              CampaignResponse.Group.values()[i % groups],
              observed[i],
              expected[i])
          .isLessThan(3.5);
    }
  }

  /**
   * Invariants of generated_effects: one row per planned customer alive on the plan's day and
   * horizon, probabilities in [0, 1], true_effect = not contacted - contacted, and its sign by
   * group (paired continuations: 0 for steady customers exactly, >= 0 fragile, <= 0
   * do-not-disturb); the fragile customers' planted save rate for the strongest action is large but
   * below the hazard's cut of 0.8 (a 30-day probability saturates where the hazard is high).
   */
  @Test
  void trueEffectsHaveThePlantedSignPerGroupAndSizeForFragileCustomers() {
    double saved = 0;
    double wouldChurn = 0;
    int rows = 0;
    for (long id = 0; id < 300; id++) {
      List<CampaignResponse.Contact> call =
          List.of(new CampaignResponse.Contact(PLAN_DAY, "agent-call", id % 2 == 0));
      List<Row> effects = new ArrayList<>();
      CustomerSimulator customer = new CustomerSimulator(SPEC, id, call);
      customer.effects(effects::add);
      boolean alive = churnDay(events(SPEC, id)) > PLAN_DAY;
      // Registered by the plan's day: seen in the log by then (or silent since before it).
      boolean seen = events(SPEC, id).stream().anyMatch(r -> day(r) <= PLAN_DAY);
      assertThat(effects).hasSizeLessThanOrEqualTo(alive ? 1 : 0);
      assertThat(effects).hasSizeGreaterThanOrEqualTo(alive && seen ? 1 : 0);
      for (Row e : effects) {
        rows++;
        assertThat(e.getString(0)).isEqualTo(Long.toString(100_000 + id));
        assertThat(e.getDate(1).toLocalDate()).isEqualTo(SPEC.date(PLAN_DAY));
        assertThat(e.getInt(2)).isEqualTo(30);
        assertThat(e.getString(3)).isEqualTo("agent-call");
        assertThat(e.getBoolean(4)).isEqualTo(id % 2 == 0);
        assertThat(e.getString(5)).isEqualTo(customer.group().label());
        double pu = e.getDouble(6);
        double pt = e.getDouble(7);
        assertThat(pu).isBetween(0.0, 1.0);
        assertThat(pt).isBetween(0.0, 1.0);
        assertThat(e.getDouble(8)).isEqualTo(pu - pt);
        switch (customer.group()) {
          case FRAGILE -> {
            assertThat(pu - pt).isGreaterThanOrEqualTo(0.0);
            saved += pu - pt;
            wouldChurn += pu;
          }
          case DO_NOT_DISTURB -> assertThat(pu - pt).isLessThanOrEqualTo(0.0);
          case STEADY -> assertThat(pu - pt).isZero();
        }
      }
    }
    assertThat(rows).isGreaterThan(150);
    assertThat(saved / wouldChurn).isBetween(0.3, 0.8);
  }

  @Test
  void churnersEndWithACancellationAndNothingFollowsAndTimeOnlyMovesForward() {
    int churners = 0;
    for (long id = 0; id < 300; id++) {
      List<Row> rows = events(SPEC, id);
      long previous = Long.MIN_VALUE;
      for (Row r : rows) {
        assertThat(r.getLong(TS)).isGreaterThanOrEqualTo(previous);
        assertThat(day(r)).isBetween(0, SPEC.days() - 1);
        previous = r.getLong(TS);
      }
      List<String> pages =
          rows.stream()
              .filter(r -> !r.getString(USER).isEmpty())
              .map(r -> r.getString(PAGE))
              .toList();
      int cancel = pages.indexOf("Cancellation Confirmation");
      if (cancel >= 0) {
        churners++;
        assertThat(cancel).isEqualTo(pages.size() - 1);
        assertThat(pages.get(cancel - 1)).isEqualTo("Cancel");
      }
      for (Row r : rows) {
        if (r.getString(PAGE).equals("Billing")) {
          assertThat(r.getDouble(AMOUNT)).isEqualTo(9.99);
          assertThat(r.getString(LEVEL)).isEqualTo("paid");
        }
      }
    }
    assertThat(churners).isGreaterThan(10);
  }

  @Test
  void trueProbabilitiesAreProbabilitiesOnTheTruthCalendar() {
    for (long id = 0; id < 100; id++) {
      for (Row t : truth(SPEC, id)) {
        assertThat(t.getDouble(3)).isBetween(0.0, 1.0);
        int d = (int) (t.getDate(1).toLocalDate().toEpochDay() - START);
        // Counted back every 7 days from (last day - horizon) = 119, down to day 60.
        assertThat((119 - d) % 7).isZero();
        assertThat(d).isBetween(60, 119);
      }
    }
  }

  /**
   * The invariant behind the Bayes-optimal AUC: the hazard reads only what the log shows. The
   * drivers recorded with each true probability are recomputed here from the customer's events
   * alone, with the documented formula, and must match.
   */
  @Test
  void hazardTermsAreRecomputableFromTheLogAlone() {
    int compared = 0;
    for (long id = 0; id < 300; id++) {
      List<Row> rows = events(SPEC, id).stream().filter(r -> !r.getString(USER).isEmpty()).toList();
      for (Row t : truth(SPEC, id)) {
        int d = (int) (t.getDate(1).toLocalDate().toEpochDay() - START);
        List<String> recomputed = driversFromLog(rows, d);
        if (recomputed == null) {
          continue;
        }
        assertThat(recomputed)
            .as("customer %d day %d", id, d)
            .isEqualTo(Arrays.asList((String[]) t.get(4)));
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(500);
  }

  /** Hazard drivers as of the end of day {@code d}, from events only; null when not decidable. */
  static List<String> driversFromLog(List<Row> rows, int d) {
    Map<Integer, Set<Long>> sessions = new HashMap<>();
    int[] td = new int[d + 1], he = new int[d + 1], adv = new int[d + 1];
    int lastSession = -1, lastDowngrade = Behaviour.NEVER;
    String level = null;
    for (Row r : rows) {
      int day = day(r);
      if (day > d) {
        break;
      }
      String page = r.getString(PAGE);
      // A submit event still shows the old level; the change holds from then on.
      level =
          page.equals("Submit Upgrade")
              ? "paid"
              : page.equals("Submit Downgrade") ? "free" : r.getString(LEVEL);
      if (page.equals("Billing")) {
        continue;
      }
      sessions.computeIfAbsent(day, k -> new HashSet<>()).add(r.getLong(SESSION));
      lastSession = day;
      switch (page) {
        case "Thumbs Down" -> td[day]++;
        case "Help", "Error" -> he[day]++;
        case "Roll Advert" -> adv[day]++;
        case "Submit Downgrade" -> lastDowngrade = day;
        default -> {}
      }
    }
    if (lastSession < 0) {
      return null;
    }
    int s14 = 0, sPrev = 0, sAll = 0, tdSum = 0, heSum = 0, advSum = 0;
    for (int k = d - Behaviour.RATE_WINDOW + 1; k <= d; k++) {
      int s = k < 0 ? 0 : sessions.getOrDefault(k, Set.of()).size();
      sAll += s;
      if (k > d - 14) s14 += s;
      else if (k > d - 28) sPrev += s;
      if (k >= 0) {
        tdSum += td[k];
        heSum += he[k];
        advSum += adv[k];
      }
    }
    double per = sAll + 1.0;
    boolean paid = "paid".equals(level);
    double[] terms = {
      Behaviour.B_THUMBS_DOWN * (tdSum / per),
      Behaviour.B_HELP_ERROR * (heSum / per),
      Behaviour.B_ADVERTS * (paid ? 0 : advSum / per),
      Behaviour.B_FALLING * Math.max(0, (sPrev - s14) / (sPrev + 2.0)),
      d - lastDowngrade <= 30 ? Behaviour.B_DOWNGRADE : 0,
      Behaviour.B_INACTIVE * Math.log1p(Math.max(0, d - lastSession))
    };
    List<String> out = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      if (terms[i] >= 0.5) {
        out.add(Behaviour.DRIVERS[i]);
      }
    }
    return out;
  }
}
