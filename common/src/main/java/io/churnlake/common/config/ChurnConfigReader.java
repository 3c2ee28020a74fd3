package io.churnlake.common.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * Reads a merged configuration into a {@link ChurnConfig}, one section reader per family ({@link
 * PipelineSections}, {@link ModelSections}, {@link PlanSections}) on the shared typed-reader kit
 * ({@link ConfigValues}).
 */
final class ChurnConfigReader extends ConfigValues {
  private ChurnConfigReader(Config c) {
    super(c);
  }

  static ChurnConfig read(Config c) {
    ChurnConfigReader r = new ChurnConfigReader(c);
    PipelineSections pipeline = new PipelineSections(c);
    ModelSections models = new ModelSections(c);
    PlanSections plans = new PlanSections(c);
    ChurnConfig config =
        new ChurnConfig(
            r.string("warehouse"),
            pipeline.database(),
            pipeline.spark(),
            pipeline.generate(),
            pipeline.ingest(),
            PipelineSections.sources(c),
            pipeline.features(),
            pipeline.labels(),
            models.train(),
            new ChurnConfig.ScoreSettings(
                r.intAtLeast("score.drivers", 0),
                r.positive("score.psi-threshold"),
                r.choice("score.population", ChurnConfig.ScorePopulation.class),
                r.choice("score.tree-explanations", ChurnConfig.TreeExplanations.class),
                r.reasonCategories("score.reason-categories")),
            plans.segment(),
            models.clv(),
            new ChurnConfig.ExportSettings(
                List.copyOf(
                    r.get(
                        "export.personal-columns",
                        () -> c.getStringList("export.personal-columns"),
                        "a list of column names of the customers table"))),
            plans.kpis(),
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
                    "maintain.optimize", () -> c.getBoolean("maintain.optimize"), "true or false"),
                r.nonNegative("maintain.vacuum-retention-hours"),
                r.intAtLeast("maintain.keep-as-of-days", 0)),
            PipelineSections.fingerprint(c));
    return config;
  }

  /** {@code category = [signal, ...]} pairs; a signal may be listed under one category only. */
  private java.util.Map<String, List<String>> reasonCategories(String key) {
    String allowed = "a block of category = [signal, ...] lists, each signal in one category";
    com.typesafe.config.ConfigObject block = get(key, () -> c.getObject(key), allowed);
    java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    java.util.Map<String, String> seen = new java.util.HashMap<>();
    for (String category : new java.util.TreeSet<>(block.keySet())) {
      String path = key + ".\"" + category + "\"";
      List<String> signals = get(path, () -> c.getStringList(path), allowed);
      for (String g : signals) {
        String before = seen.put(g, category);
        if (before != null && !before.equals(category)) {
          throw io.churnlake.common.errors.ChurnErrors.badConfigValue(
              ChurnConfigLoader.ROOT + "." + key + "." + category,
              g,
              allowed + " (" + g + " is also under " + before + ")");
        }
      }
      out.put(category, List.copyOf(signals));
    }
    return java.util.Collections.unmodifiableMap(out);
  }
}
