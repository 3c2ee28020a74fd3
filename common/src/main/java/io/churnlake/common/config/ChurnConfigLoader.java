package io.churnlake.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.churnlake.common.errors.ChurnErrors;
import java.io.File;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a {@link ChurnConfig} from the bundled defaults (conf/application.conf), user files and
 * {@code --set} overrides, in that order of increasing precedence, and validates every value.
 */
public final class ChurnConfigLoader {
  static final String ROOT = "churnlake";
  private static final String DEFAULTS_RESOURCE = "churnlake/application.conf";
  private static final String EXTRA = ROOT + ".spark.extra";
  private static final String SOURCES = ROOT + ".sources";
  private static final String ACTIONS = ROOT + ".segment.actions";

  private ChurnConfigLoader() {}

  /** Defaults only: the embedded default configuration. */
  public static ChurnConfig defaults() {
    return load(List.of(), List.of());
  }

  /**
   * Loads and validates the configuration.
   *
   * @param files user HOCON files, later ones win
   * @param overrides {@code key=value} strings from {@code --set}, later ones win
   */
  public static ChurnConfig load(List<File> files, List<String> overrides) {
    Config defaults = loadDefaults();
    Config merged = ConfigFactory.empty();
    for (String override : overrides) {
      merged = parseOverride(override).withFallback(merged);
    }
    Config fromFiles = ConfigFactory.empty();
    for (File file : files) {
      fromFiles = parseFile(file).withFallback(fromFiles);
    }
    Config user = merged.withFallback(fromFiles);
    rejectUnknownKeys(user, defaults);
    Config config;
    try {
      config = user.withFallback(defaults).resolve();
    } catch (ConfigException e) {
      throw ChurnErrors.badConfigValue(ROOT, "unresolvable", e.getMessage());
    }
    return ChurnConfigReader.read(config.getConfig(ROOT));
  }

  private static Config loadDefaults() {
    Config defaults =
        ConfigFactory.parseResources(
            ChurnConfigLoader.class.getClassLoader(),
            DEFAULTS_RESOURCE,
            ConfigParseOptions.defaults().setAllowMissing(false));
    return defaults;
  }

  private static Config parseFile(File file) {
    if (!file.isFile() || !file.canRead()) {
      throw ChurnErrors.unreadableConfig(file.getPath(), "no such readable file");
    }
    try {
      return ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw ChurnErrors.unreadableConfig(file.getPath(), e.getMessage());
    }
  }

  static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw ChurnErrors.badOverride(override);
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1).trim();
    if (!key.startsWith(ROOT + ".")) {
      key = ROOT + "." + key;
    }
    try {
      return ConfigFactory.parseString(key + " = " + value);
    } catch (ConfigException e) {
      // Not a HOCON value (e.g. a path with a colon): take it as a plain string.
      return ConfigFactory.parseMap(Map.of(key, value));
    }
  }

  private static void rejectUnknownKeys(Config user, Config defaults) {
    for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
      String key = entry.getKey();
      // Sources and actions are named by users; their readers check the keys inside each one.
      if (key.startsWith(EXTRA + ".")
          || key.startsWith(SOURCES + ".")
          || key.startsWith(ACTIONS + ".")
          || defaults.hasPath(key)) {
        continue;
      }
      throw ChurnErrors.unknownConfigKey(key, sections(defaults));
    }
  }

  private static List<String> sections(Config defaults) {
    return new ArrayList<>(new TreeSet<>(defaults.getConfig(ROOT).root().keySet()));
  }

  /** Reads typed values; every wrong type or out-of-range value names its full key. */
  static final class ChurnConfigReader {
    private final Config c;

    private ChurnConfigReader(Config c) {
      this.c = c;
    }

    static ChurnConfig read(Config c) {
      ChurnConfigReader r = new ChurnConfigReader(c);
      ChurnConfig config =
          new ChurnConfig(
              r.string("warehouse"),
              r.database(),
              r.spark(),
              r.generate(),
              r.ingest(),
              sources(c),
              r.features(),
              r.labels(),
              r.train(),
              new ChurnConfig.ScoreSettings(
                  r.intAtLeast("score.drivers", 0),
                  r.positive("score.psi-threshold"),
                  r.choice("score.population", ChurnConfig.ScorePopulation.class)),
              r.segment(),
              r.clv(),
              new ChurnConfig.ExportSettings(
                  List.copyOf(
                      r.get(
                          "export.personal-columns",
                          () -> c.getStringList("export.personal-columns"),
                          "a list of column names of the customers table"))),
              r.kpis(),
              new ChurnConfig.RunSettings(
                  r.get("runs.ledger", () -> c.getBoolean("runs.ledger"), "true or false"),
                  r.intAtLeast("runs.lease-stale-minutes", 1),
                  r.intAtLeast("runs.heartbeat-seconds", 1),
                  List.copyOf(
                      r.get(
                          "runs.pause-at-stages",
                          () -> c.getStringList("runs.pause-at-stages"),
                          "a list of stage names, e.g. [\"train\"]")),
                  r.get(
                      "runs.pause-dir",
                      () -> c.getString("runs.pause-dir"),
                      "a directory path (\"\" when no stage pauses)"),
                  r.choice("runs.gate", ChurnConfig.Gate.class),
                  r.intAtLeast("runs.gate-trailing-days", 1),
                  r.fraction("runs.gate-min-volume"),
                  r.positive("runs.gate-max-volume")),
              new ChurnConfig.MaintainSettings(
                  r.get(
                      "maintain.optimize",
                      () -> c.getBoolean("maintain.optimize"),
                      "true or false"),
                  r.nonNegative("maintain.vacuum-retention-hours"),
                  r.intAtLeast("maintain.keep-as-of-days", 0)),
              fingerprint(c));
      return config;
    }

    private ChurnConfig.FeatureSettings features() {
      return new ChurnConfig.FeatureSettings(
          positiveInts("features.windows"),
          List.copyOf(
              get(
                  "features.exclude-from-model",
                  () -> c.getStringList("features.exclude-from-model"),
                  "a list of customer_features column names")),
          new ChurnConfig.EventTypes(
              eventTypes("features.event-types.negative"),
              eventTypes("features.event-types.positive"),
              eventTypes("features.event-types.plan-change")));
    }

    /** A list of canonical event types; each becomes part of column names, so it must be one. */
    private List<String> eventTypes(String key) {
      List<String> types =
          List.copyOf(get(key, () -> c.getStringList(key), "a list of canonical event types"));
      for (String t : types) {
        if (!t.matches("[a-z][a-z0-9_]{0,39}")) {
          throw ChurnErrors.badConfigValue(
              ROOT + "." + key,
              t,
              "event types of lower-case letters, digits and _ (up to 40), starting with a letter");
        }
      }
      return types;
    }

    private ChurnConfig.LabelSettings labels() {
      ChurnConfig.LabelDefinition d =
          choice("labels.definition", ChurnConfig.LabelDefinition.class);
      ChurnConfig.InactivityTable table =
          choice("labels.inactivity.table", ChurnConfig.InactivityTable.class);
      return new ChurnConfig.LabelSettings(
          d,
          intAtLeast("labels.horizon-days", 1),
          string("labels.churn-event"),
          table,
          string("labels.inactivity.qualifying"));
    }

    private ChurnConfig.SparkSettings spark() {
      Map<String, String> extra = new TreeMap<>();
      for (Map.Entry<String, ConfigValue> e : c.getConfig("spark.extra").entrySet()) {
        extra.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
      }
      return new ChurnConfig.SparkSettings(
          string("spark.master"),
          string("spark.app-name"),
          intAtLeast("spark.shuffle-partitions", 1),
          Map.copyOf(extra),
          choice("spark.codegen", ChurnConfig.Codegen.class),
          intAtLeast("spark.codegen-from-mb", 0));
    }

    private ChurnConfig.GenerateSettings generate() {
      return new ChurnConfig.GenerateSettings(
          string("generate.output"),
          intAtLeast("generate.customers", 1),
          intAtLeast("generate.days", 1),
          date("generate.start-date"),
          longValue("generate.seed"),
          positive("generate.sessions-per-week"),
          fraction("generate.paid-share"),
          fraction("generate.new-customer-share"),
          positive("generate.monthly-price"),
          intAtLeast("generate.partitions", 0),
          new ChurnConfig.TruthSettings(
              positiveInts("generate.truth.horizon-days"),
              intAtLeast("generate.truth.first-day", 0),
              intAtLeast("generate.truth.every-days", 1),
              intAtLeast("generate.truth.paths", 1)));
    }

    /**
     * catalog.database: "", a database, or {@code catalog.schema} (Unity Catalog and other
     * multi-catalog setups); plain SQL identifiers, since they are spliced into DDL.
     */
    private String database() {
      String db = get("catalog.database", () -> c.getString("catalog.database"), "a database name");
      String identifier = "[A-Za-z_][A-Za-z0-9_]*";
      if (!db.isEmpty() && !db.matches(identifier + "(\\." + identifier + ")?")) {
        throw ChurnErrors.badConfigValue(
            ROOT + ".catalog.database",
            db,
            "\"\" (no registration), a database name or catalog.schema, each of letters, digits"
                + " and _");
      }
      return db;
    }

    /**
     * SHA-256 of the resolved configuration (keys sorted), without spark, catalog, runs and
     * maintain.
     */
    static String fingerprint(Config c) {
      String rendered =
          c.withoutPath("spark")
              .withoutPath("catalog")
              .withoutPath("runs")
              .withoutPath("maintain")
              .root()
              .render(com.typesafe.config.ConfigRenderOptions.concise());
      try {
        byte[] digest =
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }

    private static java.util.Map<String, SourceSpec> sources(Config c) {
      return SourceSpecReader.readAll(c.getConfig("sources"));
    }

    private ChurnConfig.IngestSettings ingest() {
      List<String> sources =
          List.copyOf(
              get(
                  "ingest.sources",
                  () -> c.getStringList("ingest.sources"),
                  "a list of source names"));
      for (String s : sources) {
        if (!c.hasPath("sources.\"" + s + "\"")) {
          throw ChurnErrors.badConfigValue(
              ROOT + ".ingest.sources",
              s,
              "names of blocks under churnlake.sources " + c.getConfig("sources").root().keySet());
        }
      }
      String onChanged = string("ingest.on-changed-file");
      ChurnConfig.OnChangedFile mode;
      try {
        mode = ChurnConfig.OnChangedFile.valueOf(onChanged.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ChurnErrors.badConfigValue(
            ROOT + ".ingest.on-changed-file", onChanged, "reject, reload");
      }
      return new ChurnConfig.IngestSettings(
          sources,
          mode,
          string("ingest.hash-key-env"),
          intAtLeast("ingest.quarantine-retention-days", 1));
    }

    private ChurnConfig.TrainSettings train() {
      ChurnConfig.AlgorithmName algorithm =
          choice("train.algorithm", ChurnConfig.AlgorithmName.class);
      return new ChurnConfig.TrainSettings(
          algorithm,
          intAtLeast("train.min-history-days", 1),
          intAtLeast("train.step-days", 1),
          intAtLeast("train.retrain-interval-days", 1),
          longValue("train.seed"),
          new ChurnConfig.GbtSettings(
              intAtLeast("train.gbt.max-iter", 1),
              intAtLeast("train.gbt.max-depth", 1),
              positive("train.gbt.step-size"),
              fraction("train.gbt.subsampling-rate")),
          new ChurnConfig.LogisticSettings(
              nonNegative("train.logistic.reg-param"),
              fraction("train.logistic.elastic-net"),
              intAtLeast("train.logistic.max-iter", 1)),
          fraction("train.cross-sectional.evaluation-share"),
          new ChurnConfig.RandomForestSettings(
              intAtLeast("train.random-forest.num-trees", 1),
              intAtLeast("train.random-forest.max-depth", 1),
              fraction("train.random-forest.subsampling-rate")),
          choice("train.class-weight", ChurnConfig.ClassWeight.class),
          choice("train.calibration", ChurnConfig.Calibration.class),
          fraction("train.evaluation.top-share"),
          intAtLeast("train.min-positives", 1),
          new ChurnConfig.PromotionSettings(
              choice("train.promotion.metric", ChurnConfig.ModelMetric.class),
              nonNegative("train.promotion.margin")),
          choice("train.non-finite", ChurnConfig.NonFinite.class),
          new ChurnConfig.RetrainSettings(
              fraction("train.retrain-on.auc-drop"),
              get(
                  "train.retrain-on.drift",
                  () -> c.getBoolean("train.retrain-on.drift"),
                  "true or false")),
          search());
    }

    private ChurnConfig.SearchSettings search() {
      String p = "train.search.";
      return new ChurnConfig.SearchSettings(
          choice(p + "mode", ChurnConfig.SearchMode.class),
          intAtLeast(p + "max-models", 1),
          intAtLeast(p + "parallelism", 1),
          intAtLeast(p + "folds", 2),
          choice(p + "metric", ChurnConfig.ModelMetric.class),
          new ChurnConfig.GbtGrid(
              positiveInts(p + "gbt.max-iter"),
              positiveInts(p + "gbt.max-depth"),
              doubles(p + "gbt.step-size", 0, false, 1)),
          new ChurnConfig.RandomForestGrid(
              positiveInts(p + "random-forest.num-trees"),
              positiveInts(p + "random-forest.max-depth")),
          new ChurnConfig.LogisticGrid(
              doubles(p + "logistic.reg-param", 0, true, Double.POSITIVE_INFINITY),
              doubles(p + "logistic.elastic-net", 0, true, 1)));
    }

    /** A non-empty list of numbers in (min, max] ({@code [min, max]} with minIncluded). */
    private List<Double> doubles(String key, double min, boolean minIncluded, double max) {
      String allowed =
          "a non-empty list of numbers in "
              + (minIncluded ? "[" : "(")
              + min
              + ", "
              + (Double.isInfinite(max) ? "infinity)" : max + "]");
      List<Double> values = get(key, () -> c.getDoubleList(key), allowed);
      if (values.isEmpty()
          || values.stream()
              .anyMatch(v -> !(minIncluded ? v >= min : v > min) || !(v <= max) || v.isNaN())) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, values, allowed);
      }
      return List.copyOf(values);
    }

    /** The constant of {@code type} whose id the key holds; else fails naming every id. */
    private <E extends Enum<E> & ChurnConfig.Choice> E choice(String key, Class<E> type) {
      String value = string(key);
      E[] all = type.getEnumConstants();
      for (E e : all) {
        if (e.id().equals(value)) {
          return e;
        }
      }
      throw ChurnErrors.badConfigValue(
          ROOT + "." + key,
          value,
          java.util.Arrays.stream(all)
              .map(ChurnConfig.Choice::id)
              .collect(java.util.stream.Collectors.joining(", ")));
    }

    private String oneOf(String key, String... allowed) {
      String value = string(key);
      if (!List.of(allowed).contains(value)) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, String.join(", ", allowed));
      }
      return value;
    }

    private ChurnConfig.ClvSettings clv() {
      return new ChurnConfig.ClvSettings(
          choice("clv.model", ChurnConfig.ClvModel.class),
          intAtLeast("clv.horizon-months", 1),
          fraction("clv.monthly-discount-rate"),
          fraction("clv.margin"),
          intAtLeast("clv.expected-purchases-days", 1),
          intAtLeast("clv.min-customers", 2),
          intAtLeast("clv.max-groups", 1),
          intAtLeast("clv.spend-significant-digits", 1),
          get(
              "clv.accept-unconverged",
              () -> c.getBoolean("clv.accept-unconverged"),
              "true or false"),
          get("clv.nightly", () -> c.getBoolean("clv.nightly"), "true or false"));
    }

    private ChurnConfig.SegmentSettings segment() {
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
          string(p + "control.campaign-id"));
    }

    private static final java.util.regex.Pattern GOAL =
        java.util.regex.Pattern.compile(
            "\\s*([a-z_]+)\\s+([+-]\\d+(?:\\.\\d+)?)(%?)\\s+vs\\s+(\\S+)\\s+by\\s+(\\S+)\\s*");

    private ChurnConfig.KpiSettings kpis() {
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
    private static ChurnConfig.Goal goal(
        String key, String id, String text, ChurnConfig.KpiGrain grain) {
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
    private static LocalDate period(String key, String text, ChurnConfig.KpiGrain grain) {
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

    /** A fraction strictly above the one under lowerKey. */
    private double ordered(String key, double lower, String lowerKey) {
      double value = fraction(key);
      if (!(value > lower)) {
        throw ChurnErrors.badConfigValue(
            ROOT + "." + key, value, "a number in [0, 1] above " + lowerKey + " (" + lower + ")");
      }
      return value;
    }

    /** segment.actions.NAME { cost, save-rate, description }, by name in name order. */
    private Map<String, ChurnConfig.RetentionAction> actions() {
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

    /** A number >= 0, or "unlimited" (empty). */
    private OptionalDouble budget(String key) {
      String allowed = "a number >= 0 or \"unlimited\"";
      Object raw = get(key, () -> c.getValue(key).unwrapped(), allowed);
      if ("unlimited".equals(raw)) {
        return OptionalDouble.empty();
      }
      double value = get(key, () -> c.getDouble(key), allowed);
      if (!(value >= 0) || Double.isInfinite(value)) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, allowed);
      }
      return OptionalDouble.of(value);
    }

    private interface Getter<T> {
      T get();
    }

    private <T> T get(String key, Getter<T> getter, String allowed) {
      try {
        return getter.get();
      } catch (ConfigException e) {
        Object raw = c.hasPath(key) ? c.getValue(key).unwrapped() : "missing";
        throw ChurnErrors.badConfigValue(ROOT + "." + key, raw, allowed);
      }
    }

    private String string(String key) {
      String value = get(key, () -> c.getString(key), "a non-empty string");
      if (value.isBlank()) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a non-empty string");
      }
      return value;
    }

    private long longValue(String key) {
      return get(key, () -> c.getLong(key), "a whole number");
    }

    private int intAtLeast(String key, int min) {
      int value = get(key, () -> c.getInt(key), "a whole number >= " + min);
      if (value < min) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a whole number >= " + min);
      }
      return value;
    }

    private double positive(String key) {
      double value = get(key, () -> c.getDouble(key), "a number > 0");
      if (!(value > 0)) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a number > 0");
      }
      return value;
    }

    private double nonNegative(String key) {
      double value = get(key, () -> c.getDouble(key), "a number >= 0");
      if (!(value >= 0)) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a number >= 0");
      }
      return value;
    }

    private double fraction(String key) {
      double value = get(key, () -> c.getDouble(key), "a number in [0, 1]");
      if (!(value >= 0 && value <= 1)) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a number in [0, 1]");
      }
      return value;
    }

    private LocalDate date(String key) {
      String value = string(key);
      try {
        return LocalDate.parse(value);
      } catch (DateTimeParseException e) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "an ISO date yyyy-MM-dd");
      }
    }

    private List<Integer> positiveInts(String key) {
      List<Integer> values =
          get(key, () -> c.getIntList(key), "a non-empty list of whole numbers >= 1");
      if (values.isEmpty() || values.stream().anyMatch(v -> v < 1)) {
        throw ChurnErrors.badConfigValue(
            ROOT + "." + key, values, "a non-empty list of whole numbers >= 1");
      }
      return List.copyOf(values);
    }
  }
}
