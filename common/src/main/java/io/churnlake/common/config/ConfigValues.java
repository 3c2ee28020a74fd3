package io.churnlake.common.config;

import static io.churnlake.common.config.ChurnConfigLoader.ROOT;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.churnlake.common.errors.ChurnErrors;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The typed-reader kit the section readers share: each value read from the merged configuration as
 * its type, within its range or among its allowed spellings; every wrong type or out-of-range value
 * fails naming its full key and what is allowed.
 */
class ConfigValues {
  final Config c;

  ConfigValues(Config c) {
    this.c = c;
  }

  /** A non-empty list of numbers in (min, max] ({@code [min, max]} with minIncluded). */
  List<Double> doubles(String key, double min, boolean minIncluded, double max) {
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
  <E extends Enum<E> & ChurnConfig.Choice> E choice(String key, Class<E> type) {
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

  String oneOf(String key, String... allowed) {
    String value = string(key);
    if (!List.of(allowed).contains(value)) {
      throw ChurnErrors.badConfigValue(ROOT + "." + key, value, String.join(", ", allowed));
    }
    return value;
  }

  /** A fraction strictly above the one under lowerKey. */
  double ordered(String key, double lower, String lowerKey) {
    double value = fraction(key);
    if (!(value > lower)) {
      throw ChurnErrors.badConfigValue(
          ROOT + "." + key, value, "a number in [0, 1] above " + lowerKey + " (" + lower + ")");
    }
    return value;
  }

  /** A number >= 0, or "unlimited" (empty). */
  OptionalDouble budget(String key) {
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

  interface Getter<T> {
    T get();
  }

  <T> T get(String key, Getter<T> getter, String allowed) {
    try {
      return getter.get();
    } catch (ConfigException e) {
      Object raw = c.hasPath(key) ? c.getValue(key).unwrapped() : "missing";
      throw ChurnErrors.badConfigValue(ROOT + "." + key, raw, allowed);
    }
  }

  String string(String key) {
    String value = get(key, () -> c.getString(key), "a non-empty string");
    if (value.isBlank()) {
      throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a non-empty string");
    }
    return value;
  }

  long longValue(String key) {
    return get(key, () -> c.getLong(key), "a whole number");
  }

  int intAtLeast(String key, int min) {
    int value = get(key, () -> c.getInt(key), "a whole number >= " + min);
    if (value < min) {
      throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a whole number >= " + min);
    }
    return value;
  }

  double positive(String key) {
    double value = get(key, () -> c.getDouble(key), "a number > 0");
    if (!(value > 0)) {
      throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a number > 0");
    }
    return value;
  }

  double nonNegative(String key) {
    double value = get(key, () -> c.getDouble(key), "a number >= 0");
    if (!(value >= 0)) {
      throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a number >= 0");
    }
    return value;
  }

  double fraction(String key) {
    double value = get(key, () -> c.getDouble(key), "a number in [0, 1]");
    if (!(value >= 0 && value <= 1)) {
      throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "a number in [0, 1]");
    }
    return value;
  }

  LocalDate date(String key) {
    String value = string(key);
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw ChurnErrors.badConfigValue(ROOT + "." + key, value, "an ISO date yyyy-MM-dd");
    }
  }

  /** An ISO date, or empty for "" (none). */
  java.util.Optional<LocalDate> optionalDate(String key) {
    String value = get(key, () -> c.getString(key), "an ISO date yyyy-MM-dd or \"\" (none)");
    if (value.isBlank()) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(LocalDate.parse(value));
    } catch (DateTimeParseException e) {
      throw ChurnErrors.badConfigValue(
          ROOT + "." + key, value, "an ISO date yyyy-MM-dd or \"\" (none)");
    }
  }

  List<Integer> positiveInts(String key) {
    List<Integer> values =
        get(key, () -> c.getIntList(key), "a non-empty list of whole numbers >= 1");
    if (values.isEmpty() || values.stream().anyMatch(v -> v < 1)) {
      throw ChurnErrors.badConfigValue(
          ROOT + "." + key, values, "a non-empty list of whole numbers >= 1");
    }
    return List.copyOf(values);
  }
}
