package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.json_object_keys;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.jobs.JobContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a batch of a source's files into parsed records in the source's format (lines for JSON,
 * text and CSV, grouped by header; columns for Parquet and Delta), checking that each file offers
 * the fields the source maps, and reports the fields a file offers that are not mapped.
 */
final class SourceReader {
  private static final Logger LOG = LoggerFactory.getLogger(SourceReader.class);

  /** Each file's first bytes whose records keep their text: the key sample. */
  static final long KEY_SAMPLE_BYTES = 64 * 1024;

  private SourceReader() {}

  /** The parsed records of a batch, and the fields each file offered (for reporting). */
  record Parsed(Dataset<Row> records, Map<String, List<String>> fieldsPerFile) {}

  static Parsed parse(
      JobContext ctx, SourceSpec spec, List<SourceFiles.SourceFile> files, Configuration hadoop) {
    return switch (spec.format()) {
      case JSON, TEXT -> {
        Dataset<Row> lines = ReadLines.read(ctx.spark(), paths(files), spec);
        List<String> fields = spec.format() == SourceSpec.Format.JSON ? List.of() : spec.fields();
        yield new Parsed(new ParseRecords(spec, fields).apply(lines), new LinkedHashMap<>());
      }
      case CSV -> {
        Dataset<Row> lines = ReadLines.read(ctx.spark(), paths(files), spec);
        yield spec.header()
            ? csvByHeader(spec, files, lines, hadoop)
            : new Parsed(new ParseRecords(spec, spec.fields()).apply(lines), new LinkedHashMap<>());
      }
      case PARQUET, DELTA -> columnar(ctx, spec, files);
    };
  }

  /**
   * CSV files with a header line: each file's fields from its own header (checked against the
   * fields the source maps), files with the same header parsed together.
   */
  private static Parsed csvByHeader(
      SourceSpec spec,
      List<SourceFiles.SourceFile> files,
      Dataset<Row> lines,
      Configuration hadoop) {
    List<String> referenced = referencedFields(spec);
    Map<String, List<String>> fieldsPerFile = new LinkedHashMap<>();
    Map<List<String>, List<String>> filesByHeader = new LinkedHashMap<>();
    for (SourceFiles.SourceFile f : files) {
      Optional<String> header = ReadLines.firstLine(hadoop, f.path(), spec.encoding());
      if (header.isEmpty()) {
        continue; // an empty file: no records
      }
      List<String> fields = headerFields(header.get(), spec);
      for (String field : referenced) {
        if (!fields.contains(field)) {
          throw ChurnErrors.badInputFile(
              spec.name(), f.name(), missingHeaderColumn(spec, field, fields));
        }
      }
      fieldsPerFile.put(f.name(), fields);
      filesByHeader.computeIfAbsent(fields, k -> new ArrayList<>()).add(f.name());
    }
    Dataset<Row> out = null;
    for (Map.Entry<List<String>, List<String>> group : filesByHeader.entrySet()) {
      Dataset<Row> part =
          new ParseRecords(spec, group.getKey())
              .apply(lines.where(col(ReadLines.FILE).isin(group.getValue().toArray())));
      out = out == null ? part : out.unionByName(part, true);
    }
    if (out == null) {
      out = new ParseRecords(spec, spec.fields()).apply(lines.limit(0));
    }
    return new Parsed(out, fieldsPerFile);
  }

  /**
   * Parquet files or a Delta table: the columns the source maps, as strings, each row's columns as
   * its record text (JSON) for quarantine; no line offsets.
   */
  private static Parsed columnar(
      JobContext ctx, SourceSpec spec, List<SourceFiles.SourceFile> files) {
    Dataset<Row> table =
        spec.format() == SourceSpec.Format.PARQUET
            ? ctx.spark().read().parquet(paths(files).toArray(new String[0]))
            : ctx.spark().read().format("delta").load(spec.path());
    List<String> available = List.of(table.columns());
    for (String field : referencedFields(spec)) {
      if (!available.contains(field)) {
        throw ChurnErrors.badInputFile(
            spec.name(),
            files.get(0).name(),
            "it has no column '" + field + "' (columns: " + available + ")");
      }
    }
    Column file =
        spec.format() == SourceSpec.Format.PARQUET
            ? col("_metadata.file_name")
            : lit(files.get(0).name());
    List<Column> out = new ArrayList<>();
    out.add(file.as(ReadLines.FILE));
    out.add(lit(null).cast(DataTypes.LongType).as(ReadLines.OFFSET));
    out.add(
        to_json(struct(available.stream().map(n -> col("`" + n + "`")).toArray(Column[]::new)))
            .as(ReadLines.RECORD));
    out.add(lit(false).as(ReadLines.BAD_ENCODING));
    out.add(lit(false).as(ParseRecords.BLANK));
    out.add(lit(false).as(ParseRecords.MALFORMED));
    out.add(lit(null).cast(DataTypes.StringType).as(ParseRecords.LIMIT));
    for (String f : ParseRecords.sourceFields(spec)) {
      out.add(
          available.contains(f)
              ? col("`" + f + "`").cast(DataTypes.StringType).as(f)
              : lit(null).cast(DataTypes.StringType).as(f));
    }
    Map<String, List<String>> fieldsPerFile = new LinkedHashMap<>();
    files.forEach(f -> fieldsPerFile.put(f.name(), available));
    return new Parsed(table.select(out.toArray(new Column[0])), fieldsPerFile);
  }

  /** Fields a record must offer: those mapped to canonical columns and attributes. */
  static List<String> referencedFields(SourceSpec spec) {
    List<String> out = new ArrayList<>(spec.columns().values());
    spec.attributes().forEach(a -> out.add(a.from()));
    spec.churnFlag().ifPresent(f -> out.add(f.field()));
    return out;
  }

  /** A CSV header's field names (quotes removed). */
  static List<String> headerFields(String header, SourceSpec spec) {
    String quote = spec.quote();
    List<String> out = new ArrayList<>();
    for (String part : header.split(java.util.regex.Pattern.quote(spec.delimiter()), -1)) {
      String p = part.trim();
      if (!quote.isEmpty() && p.length() >= 2 && p.startsWith(quote) && p.endsWith(quote)) {
        p = p.substring(1, p.length() - 1);
      }
      out.add(p);
    }
    return out;
  }

  /**
   * Per file: fields offered but not read (a new column upstream), reported so that a user can map
   * it. JSON keys are collected from the batch: one row per distinct key.
   */
  static Map<String, String> unmappedFields(
      SourceSpec spec, Parsed parsed, Dataset<Row> marked, List<SourceFiles.SourceFile> files) {
    List<String> read = ParseRecords.sourceFields(spec);
    Map<String, String> out = new HashMap<>();
    Map<String, List<String>> offered = new HashMap<>(parsed.fieldsPerFile());
    if (spec.format() == SourceSpec.Format.JSON) {
      List<String> keys = new ArrayList<>();
      for (Row r :
          marked
              // The keys of each file's first 64 KB of records: enough to see a new field
              // without parsing the whole batch a second time.
              .where(col(ReadLines.OFFSET).lt(KEY_SAMPLE_BYTES))
              .select(explode(json_object_keys(col(ReadLines.RECORD))).as("k"))
              .distinct()
              .collectAsList()) {
        keys.add(r.getString(0));
      }
      for (String required : List.of("customer_id", "event_time", "event_type", "order_id")) {
        Optional<String> field = spec.field(required);
        if (field.isPresent() && !keys.isEmpty() && !keys.contains(field.get())) {
          throw ChurnErrors.badInputFile(
              spec.name(),
              files.size() == 1 ? files.get(0).name() : files.size() + " files",
              "no record has the mapped field '" + field.get() + "' (fields seen: " + keys + ")");
        }
      }
      files.forEach(f -> offered.put(f.name(), keys));
    }
    TreeSet<String> all = new TreeSet<>();
    for (Map.Entry<String, List<String>> e : offered.entrySet()) {
      List<String> extra =
          e.getValue().stream()
              .filter(f -> !read.contains(f))
              .sorted()
              .collect(Collectors.toList());
      if (!extra.isEmpty()) {
        out.put(e.getKey(), String.join(",", extra));
        all.addAll(extra);
      }
    }
    if (!all.isEmpty()) {
      LOG.warn(
          "ingest {}: fields not mapped (add them under attributes to load them): {}",
          spec.name(),
          all);
    }
    return out;
  }

  /**
   * Why a CSV header lacks a mapped column. The header is quoted only when each of its fields looks
   * like a column name: a first line that is a record (a JSON file given to a CSV source) would put
   * its values, personal ones included, into the message and the run ledger.
   */
  static String missingHeaderColumn(SourceSpec spec, String field, List<String> header) {
    boolean looksLikeHeader =
        header.stream().allMatch(f -> f.matches("[\\p{L}_][\\p{L}\\p{N}_ .()/#-]{0,63}"));
    return "its header lacks the mapped column '"
        + field
        + "' ("
        + (looksLikeHeader
            ? "header: " + header
            : "its first line, "
                + header.size()
                + " fields, does not look like a header: is the file CSV with the delimiter '"
                + spec.delimiter()
                + "'?")
        + ")";
  }

  static List<String> paths(List<SourceFiles.SourceFile> files) {
    return files.stream().map(SourceFiles.SourceFile::path).collect(Collectors.toList());
  }
}
