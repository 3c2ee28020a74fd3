package io.churnlake.jobs.features;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.SourceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The data dictionary of {@code customer_features}: every column the feature families write, with
 * its type, family, source table, window and meaning, for the configured windows and customer
 * sources. {@code ./churnlake dictionary} prints it; docs/customer_features.md is its output for
 * the default configuration, and tests check both that the file is current and that the columns
 * built from all three tables are exactly the ones listed.
 */
public final class FeatureDictionary {
  private FeatureDictionary() {}

  /** One column of customer_features. {@code window} is empty for whole-history columns. */
  public record Entry(
      String column, String type, String family, String table, String window, String meaning) {}

  private static final String ACTIVITY = "activity";
  private static final String PURCHASES = "purchases (RFM)";
  private static final String ATTRIBUTES = "customer attributes";

  /**
   * The entries of the families the configured sources ({@code ingest.sources}) feed, for the
   * configured windows: activity from an events source, purchases from a transactions source,
   * attributes from a customers source (one column per attribute). A configuration without sources
   * lists the keys only.
   */
  public static List<Entry> entries(ChurnConfig config) {
    List<SourceSpec.Attribute> attributes = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    java.util.Set<SourceSpec.Kind> kinds = java.util.EnumSet.noneOf(SourceSpec.Kind.class);
    for (String name : config.ingest().sources()) {
      SourceSpec s = config.source(name);
      kinds.add(s.kind());
      if (s.kind() == SourceSpec.Kind.CUSTOMERS) {
        for (SourceSpec.Attribute a : s.attributes()) {
          attributes.add(a);
          sources.add(s.name());
        }
      }
    }
    List<Entry> out = new ArrayList<>();
    List<Integer> windows = config.features().windows().stream().sorted().distinct().toList();
    out.add(key("customer_id", "string", "the customer (pseudonymised when the source says so)"));
    out.add(key("as_of_date", "date", "the end of this day (UTC): nothing after it is used"));
    if (kinds.contains(SourceSpec.Kind.EVENTS)) {
      activity(out, windows, config.features().eventTypes());
    }
    if (kinds.contains(SourceSpec.Kind.TRANSACTIONS)) {
      purchases(out, windows);
    }
    if (!kinds.contains(SourceSpec.Kind.CUSTOMERS)) {
      return out;
    }
    out.add(
        new Entry(
            "days_since_snapshot",
            "int",
            ATTRIBUTES,
            "customers",
            "",
            "days from the snapshot the attributes come from (the latest on or before the date)"
                + " to the date"));
    for (int i = 0; i < attributes.size(); i++) {
      SourceSpec.Attribute a = attributes.get(i);
      out.add(
          new Entry(
              a.name(),
              a.type().name().toLowerCase(Locale.ROOT),
              ATTRIBUTES,
              "customers",
              "",
              "field '"
                  + a.from()
                  + "' of source '"
                  + sources.get(i)
                  + "' in the latest snapshot on or before the date"));
    }
    return out;
  }

  private static Entry key(String column, String type, String meaning) {
    return new Entry(column, type, "key", "", "", meaning);
  }

  /** The activity family (from daily_activity), in the order its builder writes the columns. */
  private static void activity(
      List<Entry> out, List<Integer> windows, ChurnConfig.EventTypes types) {
    activityTotals(out, types);
    activityCounts(out, windows, types);
    activityTrend(out);
    activitySessions(out, windows, types);
    activityTypes(out, windows, types);
    activityLevel(out, types);
  }

  /** Recency, tenure, plan change and lifetime totals. */
  private static void activityTotals(List<Entry> out, ChurnConfig.EventTypes types) {
    out.add(
        act(
            "days_since_last_activity",
            "int",
            "",
            "days from the last day with an interaction (any event but billing) to the date"));
    out.add(
        act(
            "tenure_days",
            "int",
            "",
            "days since registration (the log's registration time, else the first event)"));
    out.add(
        act(
            "days_since_plan_change",
            "int",
            "",
            "days since the last plan change event " + types.planChange() + "; null when none"));
    out.add(act("active_days_total", "int", "", "days with at least one interaction"));
    out.add(act("sessions_total", "int", "", "distinct sessions with an interaction"));
    out.add(act("events_total", "int", "", "interactions (events other than billing)"));
    out.add(act("billed_amount_total", "double", "", "sum of billing events' amounts"));
  }

  /** Interactions, sessions, active days and content per window. */
  private static void activityCounts(
      List<Entry> out, List<Integer> windows, ChurnConfig.EventTypes types) {
    for (int w : windows) {
      String in = "last " + w + " days";
      out.add(act("events_" + w + "d", "int", in, "interactions"));
      out.add(act("sessions_" + w + "d", "int", in, "distinct sessions"));
      out.add(act("active_days_" + w + "d", "int", in, "days with an interaction"));
      if (!types.content().isEmpty()) {
        out.add(
            act(
                BuildCustomerFeatures.CONTENT + w + "d",
                "int",
                in,
                "content consumed: events " + types.content()));
      }
    }
  }

  /** Sessions in the last weeks against the weeks before, and their weekly slope. */
  private static void activityTrend(List<Entry> out) {
    int t = BuildCustomerFeatures.TREND_DAYS;
    out.add(
        act(
            "sessions_prev_" + t + "d",
            "int",
            "days " + (2 * t) + ".." + (t + 1) + " before",
            "sessions in the " + t + " days before the last " + t));
    out.add(
        act(
            "session_trend_" + t + "d",
            "double",
            "last " + t + " vs previous " + t + " days",
            "(sessions last "
                + t
                + " - previous "
                + t
                + ") / (previous "
                + t
                + " + 1): below 0"
                + " when activity falls"));
    int weeks = BuildCustomerFeatures.SLOPE_WEEKS;
    out.add(
        act(
            "session_slope_" + weeks + "w",
            "double",
            "last " + weeks + " weeks",
            "least-squares slope of sessions per week (sessions/week per week): below 0 when"
                + " activity falls"));
  }

  /** Session lengths, per-session rates and the friction and engagement groups per window. */
  private static void activitySessions(
      List<Entry> out, List<Integer> windows, ChurnConfig.EventTypes types) {
    for (int w : windows) {
      String in = "last " + w + " days";
      out.add(
          act(
              "avg_session_minutes_" + w + "d",
              "double",
              in,
              "mean session length (first to last interaction of a session on a day), minutes;"
                  + " null without sessions"));
      out.add(
          act(
              "max_session_minutes_" + w + "d",
              "double",
              in,
              "longest session, minutes; null without sessions"));
      out.add(
          act(
              "events_per_session_" + w + "d",
              "double",
              in,
              "interactions per session (sessions floored at 1)"));
      out.add(act("negative_events_" + w + "d", "int", in, "friction events " + types.negative()));
      out.add(
          act(
              "negative_per_session_" + w + "d",
              "double",
              in,
              "friction events per session (sessions floored at 1)"));
      out.add(
          act("positive_events_" + w + "d", "int", in, "engagement events " + types.positive()));
      out.add(
          act(
              "positive_per_session_" + w + "d",
              "double",
              in,
              "engagement events per session (sessions floored at 1)"));
    }
  }

  /** Each featured event type per window, counted and per session. */
  private static void activityTypes(
      List<Entry> out, List<Integer> windows, ChurnConfig.EventTypes types) {
    for (int w : windows) {
      for (String type : types.featured()) {
        String in = "last " + w + " days";
        out.add(act(type + "_" + w + "d", "int", in, "'" + type + "' events"));
        out.add(
            act(
                type + "_per_session_" + w + "d",
                "double",
                in,
                "'" + type + "' events per session (sessions floored at 1)"));
      }
    }
  }

  /** The plan level at the date, and whether it pays. */
  private static void activityLevel(List<Entry> out, ChurnConfig.EventTypes types) {
    out.add(
        act(
            "level",
            "string",
            "",
            "plan level after the last event on or before the date"
                + levelEvents(types)
                + "; null when the log has no level"));
    if (!types.paidLevels().isEmpty()) {
      out.add(
          act("is_paid", "int", "", "1 when level is one of " + types.paidLevels() + ", else 0"));
    }
  }

  /** How the configured level events set the level, for the level's meaning. */
  private static String levelEvents(ChurnConfig.EventTypes types) {
    if (types.levelEvents().isEmpty()) {
      return "";
    }
    return " ("
        + String.join(
            ", ",
            types.levelEvents().stream()
                .map(e -> "'" + e.eventType() + "' sets " + e.level())
                .toList())
        + ")";
  }

  private static Entry act(String column, String type, String window, String meaning) {
    return new Entry(column, type, ACTIVITY, "events", window, meaning);
  }

  private static void purchases(List<Entry> out, List<Integer> windows) {
    out.add(
        buy(
            "days_since_last_purchase",
            "int",
            "",
            "days from the last purchase line to the date; null when none (see has_purchased)"));
    out.add(
        buy(
            "days_since_first_purchase",
            "int",
            "",
            "days from the first purchase line to the date; null when none"));
    out.add(buy("has_purchased", "int", "", "1 when the customer bought anything, else 0"));
    out.add(buy("orders_total", "int", "", "distinct orders with a purchase line"));
    out.add(
        buy(
            "net_spend_total",
            "double",
            "",
            "purchases minus returns minus cancellations (amounts)"));
    out.add(
        buy(
            "avg_order_value",
            "double",
            "",
            "purchase amount per order; null when there is no order"));
    out.add(
        buy(
            "returned_share",
            "double",
            "",
            "returned and cancelled amount / purchase amount (0 with no purchase)"));
    for (int w : windows) {
      String in = "last " + w + " days";
      out.add(buy("orders_" + w + "d", "int", in, "distinct orders with a purchase line"));
      out.add(buy("net_spend_" + w + "d", "double", in, "net spend"));
      out.add(buy("return_lines_" + w + "d", "int", in, "return lines"));
      out.add(buy("cancelled_orders_" + w + "d", "int", in, "cancelled orders"));
    }
  }

  private static Entry buy(String column, String type, String window, String meaning) {
    return new Entry(column, type, PURCHASES, "transactions", window, meaning);
  }

  /** The dictionary as a markdown page. */
  public static String markdown(ChurnConfig config) {
    StringBuilder b = new StringBuilder();
    b.append("# `customer_features`: data dictionary\n\n");
    b.append(
        "Generated by `./churnlake dictionary` for the configured windows "
            + config.features().windows()
            + " and sources "
            + config.ingest().sources()
            + " (the families their kinds feed); do not edit by hand (`FeatureDictionaryTest`"
            + " fails when this file is stale).\n\n");
    b.append(
        "One row per customer known on the as-of date and not churned before it, keyed by"
            + " (`customer_id`, `as_of_date`), partitioned by `as_of_date`. Every value uses rows"
            + " dated on or before the as-of date only. A family whose table was never ingested is"
            + " left out; a customer with no rows in a family has null there (missing, never 0)."
            + " Customer attributes are one column per `attributes` entry of a `kind = customers`"
            + " source ([sources-customers.md](sources-customers.md)); protected ones can be kept"
            + " out of models with `features.exclude-from-model`.\n\n");
    b.append("| column | type | family | table | window | meaning |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (Entry e : entries(config)) {
      b.append("| `")
          .append(e.column())
          .append("` | ")
          .append(e.type())
          .append(" | ")
          .append(e.family())
          .append(" | ")
          .append(e.table())
          .append(" | ")
          .append(e.window())
          .append(" | ")
          .append(e.meaning())
          .append(" |\n");
    }
    return b.toString();
  }
}
