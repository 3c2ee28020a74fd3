package io.churnlake.common.config;

import static io.churnlake.common.config.ChurnConfigLoader.ROOT;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.churnlake.common.errors.ChurnErrors;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration sections of what the pipeline decides and tracks: segment (tiers, actions,
 * budget) and kpis (grain, goals).
 */
final class PlanSections extends ConfigValues {
  PlanSections(Config c) {
    super(c);
  }

  ChurnConfig.SegmentSettings segment() {
    String p = "segment.";
    double medium = fraction(p + "medium-from");
    double high = fraction(p + "high-from");
    if (!(medium < high)) {
      throw ChurnErrors.badConfigValue(
          ROOT + ".segment.high-from",
          high,
          "a probability above segment.medium-from (" + medium + ")");
    }
    double mediumQ = fraction(p + "medium-quantile");
    double highQ = ordered(p + "high-quantile", mediumQ, p + "medium-quantile");
    double valueMediumQ = fraction(p + "value-medium-quantile");
    double valueHighQ =
        ordered(p + "value-high-quantile", valueMediumQ, p + "value-medium-quantile");
    Map<String, ChurnConfig.RetentionAction> actions = actions();
    Map<String, String> bySegment = new LinkedHashMap<>();
    for (String value : ChurnConfig.SegmentSettings.TIERS) {
      for (String risk : ChurnConfig.SegmentSettings.TIERS) {
        String key = p + "actions-by-segment." + ChurnConfig.SegmentSettings.cellKey(value, risk);
        String action = string(key);
        if (!actions.containsKey(action)) {
          throw ChurnErrors.badConfigValue(
              ROOT + "." + key,
              action,
              "an action defined under " + ROOT + ".segment.actions: " + actions.keySet());
        }
        bySegment.put(ChurnConfig.SegmentSettings.cellKey(value, risk), action);
      }
    }
    for (String key : c.getConfig(p + "actions-by-segment").root().keySet()) {
      if (!bySegment.containsKey(key)) {
        throw ChurnErrors.unknownConfigKey(
            ROOT + ".segment.actions-by-segment." + key,
            List.of("<low|medium|high>-value-<low|medium|high>-risk"));
      }
    }
    return new ChurnConfig.SegmentSettings(
        choice(p + "risk-tiers", ChurnConfig.RiskTiers.class),
        medium,
        high,
        mediumQ,
        highQ,
        choice(p + "value-source", ChurnConfig.ValueSource.class),
        string(p + "revenue-feature"),
        valueMediumQ,
        valueHighQ,
        Collections.unmodifiableMap(bySegment),
        actions,
        budget(p + "budget"),
        fraction(p + "control.fraction"),
        string(p + "control.campaign-id"),
        positive(p + "save-rate-prior-strength"),
        choice(p + "save-rates", ChurnConfig.SaveRates.class),
        controlPower(p + "control."),
        choice(p + "targeting", ChurnConfig.Targeting.class),
        choice(p + "uplift-learner", ChurnConfig.UpliftLearner.class));
  }

  private ChurnConfig.ControlPower controlPower(String p) {
    double effect = fraction(p + "minimum-effect");
    double significance = fraction(p + "significance");
    double power = fraction(p + "power");
    double max = fraction(p + "max-fraction");
    if (!(effect > 0 && effect < 1)) {
      throw ChurnErrors.badConfigValue(
          ROOT + "." + p + "minimum-effect", effect, "a relative churn reduction in (0, 1)");
    }
    if (!(significance > 0 && significance < 0.5)) {
      throw ChurnErrors.badConfigValue(
          ROOT + "." + p + "significance", significance, "a number in (0, 0.5), e.g. 0.05");
    }
    if (!(power >= 0.5 && power < 1)) {
      throw ChurnErrors.badConfigValue(
          ROOT + "." + p + "power", power, "a number in [0.5, 1), e.g. 0.8");
    }
    if (!(max > 0 && max <= 0.5)) {
      throw ChurnErrors.badConfigValue(ROOT + "." + p + "max-fraction", max, "a share in (0, 0.5]");
    }
    return new ChurnConfig.ControlPower(
        choice(p + "sizing", ChurnConfig.ControlSizing.class), effect, significance, power, max);
  }

  static final java.util.regex.Pattern GOAL =
      java.util.regex.Pattern.compile(
          "\\s*([a-z_]+)\\s+([+-]\\d+(?:\\.\\d+)?)(%?)\\s+vs\\s+(\\S+)\\s+by\\s+(\\S+)\\s*");

  ChurnConfig.KpiSettings kpis() {
    ChurnConfig.KpiGrain grain = choice("kpis.grain", ChurnConfig.KpiGrain.class);
    List<ChurnConfig.Goal> goals = new ArrayList<>();
    List<? extends ConfigValue> raw =
        get("kpis.goals", () -> c.getList("kpis.goals"), "a list of goals");
    for (int i = 0; i < raw.size(); i++) {
      String key = ROOT + ".kpis.goals[" + i + "]";
      Object v = raw.get(i).unwrapped();
      String id;
      String text;
      if (v instanceof String str) {
        text = str;
        id = "goal-" + (i + 1);
      } else if (v instanceof Map<?, ?> m
          && m.get("goal") instanceof String g
          && m.keySet().stream().allMatch(k -> k.equals("goal") || k.equals("id"))) {
        text = g;
        id = m.get("id") == null ? "goal-" + (i + 1) : String.valueOf(m.get("id"));
      } else {
        throw ChurnErrors.badConfigValue(
            key, v, "\"METRIC CHANGE vs BASELINE by DEADLINE\" or { id = ..., goal = \"...\" }");
      }
      goals.add(goal(key, id, text, grain));
    }
    Set<String> ids = new HashSet<>();
    for (ChurnConfig.Goal g : goals) {
      if (!ids.add(g.id())) {
        throw ChurnErrors.badConfigValue(ROOT + ".kpis.goals", g.id(), "goals with distinct ids");
      }
    }
    List<String> dimensions =
        List.copyOf(
            get(
                "kpis.dimensions",
                () -> c.getStringList("kpis.dimensions"),
                "a list of column names of the customers table"));
    return new ChurnConfig.KpiSettings(grain, dimensions, List.copyOf(goals));
  }

  /** Parses "churn_rate -10% vs 2026-01 by 2026-07" (or "+0.05" for an absolute change). */
  static ChurnConfig.Goal goal(String key, String id, String text, ChurnConfig.KpiGrain grain) {
    String form =
        "\"METRIC +N% vs BASELINE by DEADLINE\" (or an absolute +N), e.g. \"churn_rate -10% vs"
            + (grain == ChurnConfig.KpiGrain.MONTH
                ? " 2026-01 by 2026-07\""
                : " 2026-01-05 by 2026-06-29\"");
    java.util.regex.Matcher m = GOAL.matcher(text);
    if (!m.matches()) {
      throw ChurnErrors.badConfigValue(key, text, form);
    }
    String metric = m.group(1);
    if (!ChurnConfig.KpiSettings.GOAL_METRICS.contains(metric)) {
      throw ChurnErrors.badConfigValue(
          key, metric, "a metric of churn_kpis: " + ChurnConfig.KpiSettings.GOAL_METRICS);
    }
    boolean relative = !m.group(3).isEmpty();
    double change = Double.parseDouble(m.group(2)) / (relative ? 100 : 1);
    if (change == 0 || (relative && change <= -1)) {
      throw ChurnErrors.badConfigValue(
          key, m.group(2) + m.group(3), "a change other than 0 (relative: above -100%)");
    }
    LocalDate baseline = period(key, m.group(4), grain);
    LocalDate deadline = period(key, m.group(5), grain);
    if (!deadline.isAfter(baseline)) {
      throw ChurnErrors.badConfigValue(
          key, m.group(5), "a deadline period after the baseline " + m.group(4));
    }
    return new ChurnConfig.Goal(id, text.trim(), metric, relative, change, baseline, deadline);
  }

  /** A period's first day: yyyy-MM for months, a Monday yyyy-MM-dd for weeks. */
  static LocalDate period(String key, String text, ChurnConfig.KpiGrain grain) {
    try {
      if (grain == ChurnConfig.KpiGrain.MONTH) {
        return java.time.YearMonth.parse(text).atDay(1);
      }
      LocalDate d = LocalDate.parse(text);
      if (d.getDayOfWeek() == java.time.DayOfWeek.MONDAY) {
        return d;
      }
    } catch (DateTimeParseException e) {
      // reported below
    }
    throw ChurnErrors.badConfigValue(
        key,
        text,
        grain == ChurnConfig.KpiGrain.MONTH
            ? "a month yyyy-MM (kpis.grain = month)"
            : "a Monday yyyy-MM-dd, the start of a week (kpis.grain = week)");
  }

  /** segment.actions.NAME { cost, save-rate, description }, by name in name order. */
  Map<String, ChurnConfig.RetentionAction> actions() {
    Map<String, ChurnConfig.RetentionAction> out = new LinkedHashMap<>();
    Config all = get("segment.actions", () -> c.getConfig("segment.actions"), "an object");
    for (String name : new TreeSet<>(all.root().keySet())) {
      String p = "segment.actions." + name;
      get(p, () -> c.getConfig(p), "an object { cost, save-rate, description }");
      for (String key : c.getConfig(p).root().keySet()) {
        if (!List.of("cost", "save-rate", "description").contains(key)) {
          throw ChurnErrors.unknownConfigKey(
              ROOT + "." + p + "." + key, List.of("cost", "save-rate", "description"));
        }
      }
      out.put(
          name,
          new ChurnConfig.RetentionAction(
              nonNegative(p + ".cost"),
              fraction(p + ".save-rate"),
              c.hasPath(p + ".description") ? string(p + ".description") : name));
    }
    return Collections.unmodifiableMap(out);
  }
}
