package io.churnlake.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.churnlake.common.errors.ChurnErrors;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/** Reads and validates one {@code churnlake.sources.<name>} block into a {@link SourceSpec}. */
final class SourceSpecReader {
  static final Set<String> KEYS =
      Set.of(
          "kind",
          "format",
          "path",
          "file-pattern",
          "file-date",
          "encoding",
          "header",
          "delimiter",
          "quote",
          "escape",
          "fields",
          "widths",
          "columns",
          "time-format",
          "earliest-date",
          "values",
          "attributes",
          "personal",
          "personal-mode",
          "pseudonymise-customer-id",
          "dedup-key",
          "filter",
          "limits",
          "max-record-bytes",
          "max-depth",
          "cancelled-order-pattern",
          "snapshot-date",
          "churn-flag");

  /**
   * Before this date a time is implausible for a churn log (epoch seconds read as milliseconds land
   * in January 1970); a source with older history sets {@code earliest-date}.
   */
  static final LocalDate DEFAULT_EARLIEST_DATE = LocalDate.of(2000, 1, 1);

  /** Canonical columns a source of each kind may map, and those it must map. */
  static final Map<SourceSpec.Kind, List<String>> MAPPABLE =
      Map.of(
          SourceSpec.Kind.EVENTS,
          List.of("customer_id", "event_time", "event_type", "session_id", "amount"),
          SourceSpec.Kind.TRANSACTIONS,
          List.of(
              "order_id",
              "customer_id",
              "event_time",
              "product_id",
              "quantity",
              "unit_price",
              "amount",
              "line_type"),
          SourceSpec.Kind.CUSTOMERS,
          List.of("customer_id", "snapshot_date"));

  static final Map<SourceSpec.Kind, List<String>> REQUIRED =
      Map.of(
          SourceSpec.Kind.EVENTS,
          List.of("customer_id", "event_time", "event_type"),
          SourceSpec.Kind.TRANSACTIONS,
          List.of("order_id", "customer_id", "event_time"),
          SourceSpec.Kind.CUSTOMERS,
          List.of("customer_id"));

  /** Names the table columns every kind adds itself; attributes may not take them. */
  static final Set<String> RESERVED =
      Set.of(
          "event_date",
          "source",
          "source_file",
          "ingest_run_id",
          "churned",
          "snapshot_date",
          "line_type");

  private static final Map<String, Double> DEFAULT_LIMITS =
      Map.of("quantity", 1e6, "unit_price", 1e7, "amount", 1e9);

  private final String name;
  private final String prefix;

  /** Largest JSON record loaded by default: beyond it, {@code record_too_large}. */
  static final long DEFAULT_MAX_RECORD_BYTES = 64L << 20;

  /** Deepest JSON nesting loaded by default: beyond it, {@code record_too_deep}. */
  static final int DEFAULT_MAX_DEPTH = 10_000;

  private final Config c;

  private SourceSpecReader(String name, Config c) {
    this.name = name;
    this.prefix = ChurnConfigLoader.ROOT + ".sources." + name;
    this.c = c;
  }

  static Map<String, SourceSpec> readAll(Config sources) {
    Map<String, SourceSpec> out = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : sources.root().entrySet()) {
      String name = e.getKey();
      if (!name.matches("[a-z][a-z0-9_-]{0,62}")) {
        throw ChurnErrors.badConfigValue(
            ChurnConfigLoader.ROOT + ".sources." + name,
            name,
            "a source name of lower-case letters, digits, '-' and '_'");
      }
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        throw ChurnErrors.badConfigValue(
            ChurnConfigLoader.ROOT + ".sources." + name, e.getValue().unwrapped(), "a block { }");
      }
      out.put(name, new SourceSpecReader(name, sources.getConfig("\"" + name + "\"")).read());
    }
    return Map.copyOf(out);
  }

  private SourceSpec read() {
    for (String key : c.root().keySet()) {
      if (!KEYS.contains(key)) {
        throw ChurnErrors.unknownConfigKey(prefix + "." + key, new TreeSet<>(KEYS));
      }
    }
    SourceSpec.Kind kind = choice("kind", SourceSpec.Kind.class, null);
    SourceSpec.Format format = choice("format", SourceSpec.Format.class, null);
    String path = string("path", null);
    Optional<String> fileDate = optionalString("file-date").map(r -> regex("file-date", r));
    String encoding = string("encoding", "UTF-8");
    try {
      if (!java.nio.charset.Charset.forName(encoding).newEncoder().canEncode('\n')) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw bad("encoding", encoding, "a charset Java knows, ASCII-compatible (UTF-8, ISO-8859-1)");
    }
    boolean header = bool("header", format == SourceSpec.Format.CSV);
    String delimiter =
        string(
            "delimiter",
            format == SourceSpec.Format.CSV ? "," : format == SourceSpec.Format.TEXT ? "" : ",");
    List<String> fields = strings("fields");
    List<Integer> widths = ints("widths");
    Map<String, String> columns = stringMap("columns");
    List<String> mappable = MAPPABLE.get(kind);
    for (String canonical : columns.keySet()) {
      if (!mappable.contains(canonical)) {
        throw ChurnErrors.unknownConfigKey(prefix + ".columns." + canonical, mappable);
      }
    }
    for (String required : REQUIRED.get(kind)) {
      if (!columns.containsKey(required)) {
        throw bad("columns." + required, "missing", "the source field holding " + required);
      }
    }
    List<SourceSpec.Attribute> attributes = attributes();
    Optional<String> cancelled =
        optionalString("cancelled-order-pattern").map(r -> regex("cancelled-order-pattern", r));
    Optional<LocalDate> snapshotDate =
        optionalString("snapshot-date").map(v -> date("snapshot-date", v));
    Optional<SourceSpec.ChurnFlag> churnFlag = churnFlag();
    if (kind == SourceSpec.Kind.TRANSACTIONS
        && !columns.containsKey("amount")
        && !(columns.containsKey("quantity") && columns.containsKey("unit_price"))) {
      throw bad("columns", columns.keySet(), "amount, or quantity and unit_price");
    }
    if (kind == SourceSpec.Kind.CUSTOMERS
        && !columns.containsKey("snapshot_date")
        && snapshotDate.isEmpty()
        && fileDate.isEmpty()) {
      throw bad(
          "snapshot-date",
          "missing",
          "a yyyy-MM-dd date, or columns.snapshot_date, or file-date (customers need a snapshot"
              + " date)");
    }
    if (kind != SourceSpec.Kind.CUSTOMERS && churnFlag.isPresent()) {
      throw bad("churn-flag", "set", "only for kind = customers");
    }
    if (kind != SourceSpec.Kind.TRANSACTIONS && cancelled.isPresent()) {
      throw bad("cancelled-order-pattern", cancelled.get(), "only for kind = transactions");
    }
    if (format == SourceSpec.Format.TEXT) {
      if (fields.isEmpty()) {
        throw bad("fields", "[]", "the field names of each text line, in order");
      }
      if (widths.isEmpty() == delimiter.isEmpty()) {
        throw bad("widths", widths, "either widths (fixed width) or delimiter (a regex), not both");
      }
      if (!widths.isEmpty() && widths.size() != fields.size()) {
        throw bad("widths", widths, "one width >= 1 per field (" + fields.size() + " fields)");
      }
      if (!delimiter.isEmpty()) {
        regex("delimiter", delimiter);
      }
    }
    if (format == SourceSpec.Format.CSV) {
      if (delimiter.length() != 1 || delimiter.charAt(0) > 127) {
        throw bad("delimiter", delimiter, "one ASCII character for csv");
      }
      for (String key : List.of("quote", "escape")) {
        String c = string(key, "\"");
        if (c.length() != 1 || c.charAt(0) > 127) {
          throw bad(key, c, "one ASCII character");
        }
      }
      if (!header && fields.isEmpty()) {
        throw bad("fields", "[]", "the field names in column order (header = false)");
      }
    }
    List<String> personal = strings("personal");
    List<String> referenced = new ArrayList<>(columns.values());
    attributes.forEach(a -> referenced.add(a.from()));
    churnFlag.ifPresent(f -> referenced.add(f.field()));
    if (!fields.isEmpty()) {
      for (String field : referenced) {
        if (!fields.contains(field)) {
          throw bad("fields", fields, "a list containing every mapped field, including " + field);
        }
      }
    }
    for (String p : personal) {
      if (columns.containsValue(p) && !p.equals(columns.get("customer_id"))) {
        throw bad("personal", p, "fields not mapped to canonical columns");
      }
    }
    List<String> outputs = new ArrayList<>(columns.keySet());
    attributes.forEach(a -> outputs.add(a.name()));
    List<String> dedupKey = strings("dedup-key");
    for (String k : dedupKey) {
      if (!outputs.contains(k) && !k.equals("event_date")) {
        throw bad("dedup-key", k, "output columns of this source " + outputs);
      }
    }
    Map<String, Double> limits = new LinkedHashMap<>(DEFAULT_LIMITS);
    if (c.hasPath("limits")) {
      for (Map.Entry<String, ConfigValue> e : c.getConfig("limits").root().entrySet()) {
        Object v = e.getValue().unwrapped();
        if (!(v instanceof Number) || ((Number) v).doubleValue() <= 0) {
          throw bad("limits." + e.getKey(), v, "a number > 0");
        }
        limits.put(e.getKey(), ((Number) v).doubleValue());
      }
    }
    return new SourceSpec(
        name,
        kind,
        format,
        path,
        string("file-pattern", "*"),
        fileDate,
        encoding,
        header,
        delimiter,
        string("quote", "\""),
        string("escape", string("quote", "\"")),
        fields,
        widths,
        columns,
        string("time-format", "yyyy-MM-dd HH:mm:ss"),
        optionalString("earliest-date")
            .map(v -> date("earliest-date", v))
            .orElse(DEFAULT_EARLIEST_DATE),
        stringMap("values"),
        attributes,
        personal,
        choice("personal-mode", SourceSpec.PersonalMode.class, SourceSpec.PersonalMode.DROP),
        bool("pseudonymise-customer-id", false),
        dedupKey,
        optionalString("filter"),
        Map.copyOf(limits),
        bytesWithin("max-record-bytes", DEFAULT_MAX_RECORD_BYTES, 1024, 1L << 30),
        intWithin("max-depth", DEFAULT_MAX_DEPTH, 1, 100_000),
        cancelled,
        snapshotDate,
        churnFlag);
  }

  private List<SourceSpec.Attribute> attributes() {
    List<SourceSpec.Attribute> out = new ArrayList<>();
    if (!c.hasPath("attributes")) {
      return out;
    }
    for (Map.Entry<String, ConfigValue> e : c.getConfig("attributes").root().entrySet()) {
      String attr = e.getKey();
      String key = "attributes." + attr;
      if (!attr.matches("[a-z][a-z0-9_]*")
          || RESERVED.contains(attr)
          || MAPPABLE.values().stream().anyMatch(l -> l.contains(attr))) {
        throw bad(
            key,
            attr,
            "a lower_snake_case column name that is not a canonical column or one of " + RESERVED);
      }
      ConfigValue v = e.getValue();
      if (v.valueType() == ConfigValueType.STRING) {
        out.add(
            new SourceSpec.Attribute(
                attr, (String) v.unwrapped(), SourceSpec.AttributeType.STRING, Optional.empty()));
      } else if (v.valueType() == ConfigValueType.OBJECT) {
        Config a = c.getConfig("attributes.\"" + attr + "\"");
        for (String k : a.root().keySet()) {
          if (!List.of("from", "type", "format").contains(k)) {
            throw ChurnErrors.unknownConfigKey(
                prefix + "." + key + "." + k, List.of("from", "type", "format"));
          }
        }
        if (!a.hasPath("from")) {
          throw bad(key + ".from", "missing", "the source field");
        }
        SourceSpec.AttributeType type = SourceSpec.AttributeType.STRING;
        if (a.hasPath("type")) {
          String t = a.getString("type");
          try {
            type = SourceSpec.AttributeType.valueOf(t.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException ex) {
            throw bad(key + ".type", t, lower(SourceSpec.AttributeType.values()));
          }
        }
        out.add(
            new SourceSpec.Attribute(
                attr,
                a.getString("from"),
                type,
                a.hasPath("format") ? Optional.of(a.getString("format")) : Optional.empty()));
      } else {
        throw bad(key, v.unwrapped(), "a source field name or { from, type, format }");
      }
    }
    // HOCON objects are unordered: columns follow the attribute names, so schemas are stable.
    out.sort(java.util.Comparator.comparing(SourceSpec.Attribute::name));
    return List.copyOf(out);
  }

  private Optional<SourceSpec.ChurnFlag> churnFlag() {
    if (!c.hasPath("churn-flag")) {
      return Optional.empty();
    }
    Config f;
    try {
      f = c.getConfig("churn-flag");
    } catch (ConfigException e) {
      throw bad("churn-flag", "not a block", "{ field, true-values, false-values }");
    }
    try {
      List<String> yes = f.getStringList("true-values");
      List<String> no = f.getStringList("false-values");
      if (yes.isEmpty() || no.isEmpty()) {
        throw bad("churn-flag", "empty value list", "non-empty true-values and false-values");
      }
      return Optional.of(new SourceSpec.ChurnFlag(f.getString("field"), yes, no));
    } catch (ConfigException e) {
      throw bad(
          "churn-flag",
          e.getMessage(),
          "{ field = ..., true-values = [...], false-values = [...] }");
    }
  }

  private RuntimeException bad(String key, Object value, String allowed) {
    return ChurnErrors.badConfigValue(prefix + "." + key, value, allowed);
  }

  private String string(String key, String dflt) {
    if (!c.hasPath(key)) {
      if (dflt == null) {
        throw bad(key, "missing", "a value (see docs/sources.md)");
      }
      return dflt;
    }
    try {
      return c.getString(key);
    } catch (ConfigException e) {
      throw bad(key, c.getValue(key).unwrapped(), "a string");
    }
  }

  /** A size in bytes (a number or {@code 64 MiB}) within [min, max]. */
  private int bytesWithin(String key, long dflt, long min, long max) {
    String allowed = "a size from " + min + " bytes to " + (max >> 20) + " MiB, e.g. 64 MiB";
    return (int) within(key, dflt, min, max, c::getBytes, allowed);
  }

  private int intWithin(String key, int dflt, int min, int max) {
    return (int)
        within(key, dflt, min, max, c::getInt, "a whole number from " + min + " to " + max);
  }

  /** The key's number read by {@code read}, the default when absent; refused outside [min, max]. */
  private long within(
      String key,
      long dflt,
      long min,
      long max,
      java.util.function.Function<String, ? extends Number> read,
      String allowed) {
    if (!c.hasPath(key)) {
      return dflt;
    }
    long v;
    try {
      v = read.apply(key).longValue();
    } catch (ConfigException e) {
      throw bad(key, c.getValue(key).unwrapped(), allowed);
    }
    if (v < min || v > max) {
      throw bad(key, c.getValue(key).unwrapped(), allowed);
    }
    return v;
  }

  private Optional<String> optionalString(String key) {
    String v = string(key, "");
    return v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  private boolean bool(String key, boolean dflt) {
    if (!c.hasPath(key)) {
      return dflt;
    }
    try {
      return c.getBoolean(key);
    } catch (ConfigException e) {
      throw bad(key, c.getValue(key).unwrapped(), "true or false");
    }
  }

  private List<String> strings(String key) {
    if (!c.hasPath(key)) {
      return List.of();
    }
    try {
      return List.copyOf(c.getStringList(key));
    } catch (ConfigException e) {
      throw bad(key, c.getValue(key).unwrapped(), "a list of strings");
    }
  }

  private List<Integer> ints(String key) {
    if (!c.hasPath(key)) {
      return List.of();
    }
    try {
      List<Integer> v = c.getIntList(key);
      if (v.stream().anyMatch(i -> i < 1)) {
        throw bad(key, v, "whole numbers >= 1");
      }
      return List.copyOf(v);
    } catch (ConfigException e) {
      throw bad(key, c.getValue(key).unwrapped(), "a list of whole numbers >= 1");
    }
  }

  private Map<String, String> stringMap(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!c.hasPath(key)) {
      return out;
    }
    ConfigValue v = c.getValue(key);
    if (v.valueType() != ConfigValueType.OBJECT) {
      throw bad(key, v.unwrapped(), "a block of name = value pairs");
    }
    // root() keys are unquoted names, so values containing dots or spaces work when quoted.
    for (Map.Entry<String, ConfigValue> e : c.getConfig(key).root().entrySet()) {
      if (e.getValue().valueType() != ConfigValueType.STRING
          && e.getValue().valueType() != ConfigValueType.NUMBER
          && e.getValue().valueType() != ConfigValueType.BOOLEAN) {
        throw bad(key + "." + e.getKey(), e.getValue().unwrapped(), "a string");
      }
      out.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    return out;
  }

  private <E extends Enum<E>> E choice(String key, Class<E> type, E dflt) {
    String v = string(key, dflt == null ? null : dflt.name().toLowerCase(Locale.ROOT));
    try {
      return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw bad(key, v, lower(type.getEnumConstants()));
    }
  }

  private static String lower(Enum<?>[] values) {
    return Arrays.stream(values)
        .map(v -> v.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  private String regex(String key, String regex) {
    try {
      Pattern.compile(regex);
      return regex;
    } catch (PatternSyntaxException e) {
      throw bad(key, regex, "a Java regular expression (" + e.getDescription() + ")");
    }
  }

  private LocalDate date(String key, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw bad(key, value, "an ISO date yyyy-MM-dd");
    }
  }
}
