package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.from_csv;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.SourceSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Parses the lines of a line-oriented source ({@link ReadLines}) into one string column per source
 * field, adding {@code _malformed} (the line does not parse as the configured format) and {@code
 * _blank}. Every value stays a string here; {@link CanonicalRecords} casts and judges them, so a
 * bad value is reported against its column instead of failing the batch. Pure transform.
 */
final class ParseRecords {
  static final String MALFORMED = "_malformed";
  static final String BLANK = "_blank";

  /** A JSON record beyond the source's size or depth limit: its reason, else null. */
  static final String LIMIT = "_limit";

  private static final String CORRUPT = "_corrupt_record";
  private static final String PARSED = "_parsed";

  private final SourceSpec spec;
  private final List<String> fileFields;

  /**
   * @param fileFields the fields of the files parsed, in order (a CSV header's or the configured
   *     ones); JSON ignores it and looks each output field up by key
   */
  ParseRecords(SourceSpec spec, List<String> fileFields) {
    this.spec = spec;
    this.fileFields = List.copyOf(fileFields);
  }

  /** The source fields a source reads: listed, mapped, carried, personal, churn flag. */
  static List<String> sourceFields(SourceSpec spec) {
    Set<String> out = new LinkedHashSet<>(spec.fields());
    out.addAll(spec.columns().values());
    spec.attributes().forEach(a -> out.add(a.from()));
    out.addAll(spec.personal());
    spec.churnFlag().ifPresent(f -> out.add(f.field()));
    return new ArrayList<>(out);
  }

  Dataset<Row> apply(Dataset<Row> lines) {
    Dataset<Row> records = spec.header() ? lines.where(col(ReadLines.OFFSET).notEqual(0)) : lines;
    Column record = col(ReadLines.RECORD);
    Column blank = trim(record).equalTo("");
    List<String> fields = sourceFields(spec);
    List<Column> out = new ArrayList<>();
    out.add(col(ReadLines.FILE));
    out.add(col(ReadLines.OFFSET));
    out.add(record);
    out.add(col(ReadLines.BAD_ENCODING));
    out.add(blank.as(BLANK));
    records =
        switch (spec.format()) {
          case JSON -> json(records, blank, fields, out);
          case CSV -> csv(records, blank, out);
          case TEXT -> {
            out.addAll(text(record, blank));
            yield records;
          }
          default -> throw new IllegalArgumentException("not a line format: " + spec.format());
        };
    if (spec.format() != SourceSpec.Format.JSON) {
      out.add(lit(null).cast(DataTypes.StringType).as(LIMIT));
      // Fields the source reads but these files lack (e.g. an optional personal field).
      fields.stream()
          .filter(f -> !fileFields.contains(f))
          .forEach(f -> out.add(lit(null).cast(DataTypes.StringType).as(f)));
    }
    return records.select(out.toArray(new Column[0]));
  }

  /** JSON: parsed once into a struct column, whose fields the next projection picks. */
  private Dataset<Row> json(
      Dataset<Row> records, Column blank, List<String> fields, List<Column> out) {
    Column record = col(ReadLines.RECORD);
    StructType schema = strings(fields).add(CORRUPT, DataTypes.StringType);
    Map<String, String> options = options();
    // Jackson's guards (20 M characters per string, 1,000 levels) made valid records malformed;
    // the source's limits replace them, and a record beyond one says so.
    options.put("maxStringLen", Integer.toString(spec.maxRecordBytes()));
    options.put("maxNestingDepth", Integer.toString(spec.maxDepth()));
    Column tooLarge = octet_length(record).gt(spec.maxRecordBytes());
    Dataset<Row> parsedRecords =
        records.withColumn(
            PARSED, when(tooLarge.unary_$bang(), from_json(record, schema, options)));
    Column parsed = col(PARSED);
    Column malformed = parsed.getField(CORRUPT).isNotNull().and(blank.unary_$bang());
    out.add(malformed.as(MALFORMED));
    out.add(
        when(tooLarge, "record_too_large")
            .when(malformed.and(JsonDepth.of(record).gt(spec.maxDepth())), "record_too_deep")
            .as(LIMIT));
    fields.forEach(f -> out.add(parsed.getField(f).as(f)));
    return parsedRecords;
  }

  /** CSV per RFC 4180, the file's fields in their order. */
  private Dataset<Row> csv(Dataset<Row> records, Column blank, List<Column> out) {
    StructType schema = strings(fileFields).add(CORRUPT, DataTypes.StringType);
    Map<String, String> options = options();
    options.put("sep", spec.delimiter());
    options.put("quote", spec.quote());
    // RFC 4180: a quote inside a quoted field is doubled (Spark's default escape is a backslash,
    // which leaves such a field with its quotes as text).
    options.put("escape", spec.quote());
    Dataset<Row> parsedRecords =
        records.withColumn(PARSED, from_csv(col(ReadLines.RECORD), lit(schema.toDDL()), options));
    Column parsed = col(PARSED);
    out.add(parsed.getField(CORRUPT).isNotNull().and(blank.unary_$bang()).as(MALFORMED));
    fileFields.forEach(f -> out.add(parsed.getField(f).as(f)));
    return parsedRecords;
  }

  /** Text: split on the delimiter, or cut at fixed widths. */
  private List<Column> text(Column record, Column blank) {
    List<Column> out = new ArrayList<>();
    if (spec.widths().isEmpty()) {
      Column parts = split(record, spec.delimiter(), -1);
      out.add(size(parts).notEqual(fileFields.size()).and(blank.unary_$bang()).as(MALFORMED));
      for (int i = 0; i < fileFields.size(); i++) {
        out.add(trim(element_at(parts, i + 1)).as(fileFields.get(i)));
      }
      return out;
    }
    // Fixed width: every field but the last must be complete; the last may be short.
    int start = 1;
    List<Column> cut = new ArrayList<>();
    for (int i = 0; i < fileFields.size(); i++) {
      int width = spec.widths().get(i);
      cut.add(trim(substring(record, start, width)).as(fileFields.get(i)));
      start += width;
    }
    int lastStart = start - spec.widths().get(spec.widths().size() - 1);
    out.add(length(record).lt(lastStart).and(blank.unary_$bang()).as(MALFORMED));
    out.addAll(cut);
    return out;
  }

  private static StructType strings(List<String> names) {
    StructType schema = new StructType();
    for (String n : names) {
      schema = schema.add(n, DataTypes.StringType);
    }
    return schema;
  }

  private static Map<String, String> options() {
    Map<String, String> options = new HashMap<>();
    options.put("mode", "PERMISSIVE");
    options.put("columnNameOfCorruptRecord", CORRUPT);
    return options;
  }
}
