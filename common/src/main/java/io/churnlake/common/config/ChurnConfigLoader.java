package io.churnlake.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.churnlake.common.errors.ChurnErrors;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /**
   * The warehouse a configuration names, read without validating anything else: where a command
   * whose configuration was refused can still record that outcome for an orchestrator. Empty when
   * the files or the warehouse key themselves cannot be read.
   */
  public static java.util.Optional<String> warehouseOf(List<File> files, List<String> overrides) {
    try {
      Config merged = ConfigFactory.empty();
      for (String override : overrides) {
        merged = parseOverride(override).withFallback(merged);
      }
      for (File file : files) {
        merged = merged.withFallback(parseFile(file));
      }
      String key = ROOT + ".warehouse";
      Config config = merged.withFallback(loadDefaults()).resolve();
      return config.hasPath(key)
          ? java.util.Optional.of(config.getString(key))
          : java.util.Optional.empty();
    } catch (RuntimeException e) {
      return java.util.Optional.empty();
    }
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
}
