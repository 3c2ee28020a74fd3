package io.churnlake.common.config;

import static io.churnlake.common.config.ChurnConfigLoader.ROOT;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.churnlake.common.errors.ChurnErrors;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration sections of the pipeline's inputs and engine: warehouse catalog, spark,
 * generate, ingest and sources, features and labels.
 */
final class PipelineSections extends ConfigValues {
  PipelineSections(Config c) {
    super(c);
  }

  ChurnConfig.FeatureSettings features() {
    return new ChurnConfig.FeatureSettings(
        positiveInts("features.windows"),
        List.copyOf(
            get(
                "features.exclude-from-model",
                () -> c.getStringList("features.exclude-from-model"),
                "a list of customer_features column names")),
        new ChurnConfig.EventTypes(
            eventTypes("features.event-types.content"),
            eventTypes("features.event-types.negative"),
            eventTypes("features.event-types.positive"),
            eventTypes("features.event-types.plan-change"),
            levelEvents("features.plan.level-events"),
            levels("features.plan.paid-levels")));
  }

  /** {@code [{event = type, level = name}, ...]}: each type once, each level a plan level. */
  private List<ChurnConfig.LevelEvent> levelEvents(String key) {
    String allowed = "a list of {event = <canonical event type>, level = <plan level>}";
    List<? extends Config> items = get(key, () -> c.getConfigList(key), allowed);
    List<ChurnConfig.LevelEvent> out = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Config item : items) {
      String event = item.hasPath("event") ? item.getValue("event").unwrapped().toString() : "";
      String level = item.hasPath("level") ? item.getValue("level").unwrapped().toString() : "";
      if (!EVENT_TYPE.matcher(event).matches() || level.isBlank() || !seen.add(event)) {
        throw ChurnErrors.badConfigValue(
            ROOT + "." + key,
            item.root().render(com.typesafe.config.ConfigRenderOptions.concise()),
            allowed + ", each event type once");
      }
      out.add(new ChurnConfig.LevelEvent(event, level));
    }
    return out;
  }

  /** A list of plan level names (the values of the events' level column), none blank. */
  private List<String> levels(String key) {
    List<String> levels =
        List.copyOf(get(key, () -> c.getStringList(key), "a list of plan level names"));
    for (String l : levels) {
      if (l.isBlank()) {
        throw ChurnErrors.badConfigValue(ROOT + "." + key, l, "non-blank plan level names");
      }
    }
    return levels;
  }

  private static final java.util.regex.Pattern EVENT_TYPE =
      java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,39}");

  /** A list of canonical event types; each becomes part of column names, so it must be one. */
  List<String> eventTypes(String key) {
    List<String> types =
        List.copyOf(get(key, () -> c.getStringList(key), "a list of canonical event types"));
    for (String t : types) {
      if (!EVENT_TYPE.matcher(t).matches()) {
        throw ChurnErrors.badConfigValue(
            ROOT + "." + key,
            t,
            "event types of lower-case letters, digits and _ (up to 40), starting with a letter");
      }
    }
    return types;
  }

  ChurnConfig.LabelSettings labels() {
    ChurnConfig.LabelDefinition d = choice("labels.definition", ChurnConfig.LabelDefinition.class);
    ChurnConfig.InactivityTable table =
        choice("labels.inactivity.table", ChurnConfig.InactivityTable.class);
    return new ChurnConfig.LabelSettings(
        d,
        intAtLeast("labels.horizon-days", 1),
        string("labels.churn-event"),
        table,
        string("labels.inactivity.qualifying"));
  }

  ChurnConfig.SparkSettings spark() {
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

  ChurnConfig.GenerateSettings generate() {
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
            intAtLeast("generate.truth.paths", 1)),
        new ChurnConfig.PlantedShift(
            optionalDate("generate.shift.from-date"), positive("generate.shift.error-factor")),
        new ChurnConfig.CampaignPlay(
            get(
                "generate.campaign.apply-plans",
                () -> c.getBoolean("generate.campaign.apply-plans"),
                "true or false"),
            intAtLeast("generate.campaign.effect-days", 1),
            doNotDisturbShare("generate.campaign.do-not-disturb-share")),
        optionalDate("generate.write-from"),
        intAtLeast("generate.arrival-days", 0));
  }

  /**
   * catalog.database: "", a database, or {@code catalog.schema} (Unity Catalog and other
   * multi-catalog setups); plain SQL identifiers, since they are spliced into DDL.
   */
  String database() {
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
   * SHA-256 of the resolved configuration (keys sorted), without spark, catalog, runs and maintain.
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

  static java.util.Map<String, SourceSpec> sources(Config c) {
    return SourceSpecReader.readAll(c.getConfig("sources"));
  }

  ChurnConfig.IngestSettings ingest() {
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

  /** The do-not-disturb share: drawn from the steady three quarters, so at most 0.75. */
  private double doNotDisturbShare(String key) {
    double share = fraction(key);
    if (share > 0.75) {
      throw ChurnErrors.badConfigValue(
          ROOT + "." + key, share, "a share in [0, 0.75] (of the steady three quarters)");
    }
    return share;
  }
}
