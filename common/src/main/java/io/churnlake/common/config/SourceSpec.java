package io.churnlake.common.config;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One raw input described in configuration ({@code churnlake.sources.<name>}): where its files are,
 * how to parse them, and how their fields map to the canonical columns of the table its kind lands
 * in. Documented per kind in docs/sources-*.md.
 *
 * @param name the key under {@code churnlake.sources}; recorded in every row it produces
 * @param kind which canonical table the source lands in
 * @param format how each file is parsed
 * @param path a directory (every file under it matching {@code filePattern}) or one file
 * @param filePattern glob on file names under {@code path}
 * @param fileDate optional regex whose first group is the yyyy-MM-dd date in a file's name
 * @param encoding charset of text formats; must be ASCII-compatible (UTF-8, ISO-8859-1, ...)
 * @param header csv/text: the first line of each file names the fields
 * @param delimiter csv: the separator character; text: a regex between fields
 * @param quote csv: the quote character
 * @param escape csv: the character that escapes a quote inside a quoted field (RFC 4180: the quote
 *     itself, doubled)
 * @param fields csv without header / text: field names in order
 * @param widths text: fixed field widths (instead of a delimiter)
 * @param columns canonical column name to source field name
 * @param timeFormat how the time field is written: epoch-millis, epoch-seconds or a pattern
 * @param earliestDate events and transactions dated before it are implausible (quarantined)
 * @param valueMap canonical event_type or line_type values, keyed by the raw value
 * @param attributes further source fields carried into the table with a type
 * @param personal source fields holding personal data
 * @param personalMode what happens to the personal fields
 * @param pseudonymiseCustomerId replace customer_id by its keyed hash
 * @param dedupKey output columns identifying one record; later duplicates are quarantined
 * @param filter SQL over source fields; records for which it is not true are dropped and counted
 * @param limits largest absolute value allowed per numeric output column
 * @param maxRecordBytes json: the largest record (line) parsed; a longer one is quarantined as
 *     {@code record_too_large}
 * @param maxDepth json: the deepest nesting of objects and arrays parsed; a deeper record is
 *     quarantined as {@code record_too_deep}
 * @param cancelledOrderPattern transactions: regex on order_id marking cancellation lines
 * @param snapshotDate customers: the snapshot date when no column or file name gives it
 * @param churnFlag customers: how the given churn flag column reads
 */
public record SourceSpec(
    String name,
    Kind kind,
    Format format,
    String path,
    String filePattern,
    Optional<String> fileDate,
    String encoding,
    boolean header,
    String delimiter,
    String quote,
    String escape,
    List<String> fields,
    List<Integer> widths,
    Map<String, String> columns,
    String timeFormat,
    LocalDate earliestDate,
    Map<String, String> valueMap,
    List<Attribute> attributes,
    List<String> personal,
    PersonalMode personalMode,
    boolean pseudonymiseCustomerId,
    List<String> dedupKey,
    Optional<String> filter,
    Map<String, Double> limits,
    int maxRecordBytes,
    int maxDepth,
    Optional<String> cancelledOrderPattern,
    Optional<LocalDate> snapshotDate,
    Optional<ChurnFlag> churnFlag) {

  /** The canonical table a source lands in. */
  public enum Kind {
    EVENTS,
    TRANSACTIONS,
    CUSTOMERS;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How a source's files are parsed. */
  public enum Format {
    JSON,
    CSV,
    TEXT,
    PARQUET,
    DELTA;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Line-oriented formats are read line by line with byte offsets. */
    public boolean lineBased() {
      return this == JSON || this == CSV || this == TEXT;
    }
  }

  /** What happens to fields listed as personal. */
  public enum PersonalMode {
    /** Not copied into any canonical table (default). */
    DROP,
    /** Replaced by a keyed SHA-256 hash in a column named {@code <field>_hash}. */
    HASH,
    /** Copied as they are (only where a lawful purpose is documented). */
    KEEP
  }

  /** Output column types of attributes. */
  public enum AttributeType {
    STRING,
    INT,
    LONG,
    DOUBLE,
    BOOLEAN,
    DATE,
    TIMESTAMP
  }

  /**
   * A source field carried into the canonical table as column {@code name}.
   *
   * @param format date/timestamp: epoch-millis, epoch-seconds or a datetime pattern; else unused
   */
  public record Attribute(String name, String from, AttributeType type, Optional<String> format) {}

  /** A customers source's given churn flag: its field and the values meaning yes and no. */
  public record ChurnFlag(String field, List<String> trueValues, List<String> falseValues) {}

  /** The source field mapped to a canonical column, if mapped. */
  public Optional<String> field(String canonical) {
    return Optional.ofNullable(columns.get(canonical));
  }
}
