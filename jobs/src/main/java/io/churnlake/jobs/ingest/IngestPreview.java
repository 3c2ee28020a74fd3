package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What {@code ingest --dry-run} says about each source: how its fields map to canonical columns,
 * which personal fields it drops or hashes, per pending file what would be loaded, quarantined (by
 * reason) and dropped, the fields no column maps, and the first rows as the table would hold them.
 * It reads what a real ingest computes (the judged, de-duplicated batch) and writes nothing; the
 * per-file checks that fail a real ingest fail the dry run the same way.
 */
public final class IngestPreview {
  private final int sampleRows;
  private final List<String> lines = new ArrayList<>();

  /**
   * @param sampleRows how many rows of each source to show as loaded (0: none)
   */
  public IngestPreview(int sampleRows) {
    this.sampleRows = sampleRows;
  }

  /** The description so far, one line per element. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The source's heading and its mapping, before its files are read. */
  void source(SourceSpec spec, ChurnTable target, int pendingFiles) {
    lines.add(
        String.format(
            "source %s: %s files under %s into %s, %d pending",
            spec.name(), spec.format().id(), spec.path(), target.tableName(), pendingFiles));
    lines.add(
        "  columns: "
            + new TreeMap<>(spec.columns())
                .entrySet().stream()
                    .map(e -> e.getKey() + " = " + e.getValue())
                    .collect(Collectors.joining(", "))
            + (spec.columns().containsKey("event_time")
                ? " (time-format " + spec.timeFormat() + ")"
                : ""));
    if (!spec.attributes().isEmpty()) {
      lines.add(
          "  attributes: "
              + spec.attributes().stream()
                  .map(
                      a ->
                          a.name()
                              + " = "
                              + a.from()
                              + " ("
                              + a.type().name().toLowerCase(Locale.ROOT)
                              + ")")
                  .collect(Collectors.joining(", ")));
    }
    if (!spec.personal().isEmpty()) {
      lines.add(
          "  personal fields: "
              + String.join(", ", spec.personal())
              + switch (spec.personalMode()) {
                case DROP -> ": dropped, never copied (personal-mode = drop)";
                case HASH -> ": copied as <field>_hash, a keyed SHA-256 (personal-mode = hash)";
                case KEEP -> ": copied as they are (personal-mode = keep)";
              });
    }
  }

  /** A batch whose every file is corrupt: those files, and nothing it would load. */
  SourceResult onlyCorrupt(SourceSpec spec, ChurnTable target, List<String> corrupt) {
    corrupt.forEach(c -> lines.add("  " + c));
    SourceResult result = IngestLedger.result(spec, target, List.of(), Map.of(), corrupt);
    lines.add("  would record: " + result.reconciliation().lines().findFirst().orElse(""));
    return result;
  }

  /** The batch's files as a real ingest would record them, and the first rows it would load. */
  SourceResult describe(
      SourceSpec spec,
      ChurnTable target,
      List<SourceFiles.SourceFile> files,
      List<String> corrupt,
      SourceReader.Parsed parsed,
      Dataset<Row> judged,
      Dataset<Row> marked) {
    Map<String, FileStats> stats = FileStats.of(marked);
    FileStats.check(spec, stats.values());
    Map<String, String> unmapped = SourceReader.unmappedFields(spec, parsed, marked, files);
    Map<String, TreeMap<String, Long>> reasons = reasonsByFile(marked);
    for (SourceFiles.SourceFile f : files) {
      FileStats s = stats.getOrDefault(f.name(), FileStats.empty(f.name()));
      String why =
          reasons.getOrDefault(f.name(), new TreeMap<>()).entrySet().stream()
              .map(e -> e.getValue() + " " + e.getKey())
              .collect(Collectors.joining(", "));
      lines.add(
          String.format(
              "  %s: %d records read = %d would load + %d quarantined%s + %d dropped",
              f.name(),
              s.read(),
              s.loaded(),
              s.quarantined(),
              why.isEmpty() ? "" : " (" + why + ")",
              s.dropped()));
      if (unmapped.containsKey(f.name())) {
        lines.add("    fields no column maps: " + unmapped.get(f.name()));
      }
    }
    corrupt.forEach(c -> lines.add("  " + c));
    if (sampleRows > 0) {
      sample(target, judged, marked);
    }
    SourceResult result = IngestLedger.result(spec, target, files, stats, corrupt);
    lines.add("  would record: " + result.reconciliation().lines().findFirst().orElse(""));
    return result;
  }

  /** Files x reasons: one row per pair reaches the driver. */
  private static Map<String, TreeMap<String, Long>> reasonsByFile(Dataset<Row> marked) {
    Map<String, TreeMap<String, Long>> reasons = new TreeMap<>();
    for (Row r :
        marked
            .where(col(CanonicalRecords.REASON).isNotNull())
            .groupBy(Columns.SOURCE_FILE, CanonicalRecords.REASON)
            .count()
            .collectAsList()) {
      reasons
          .computeIfAbsent(r.getString(0), k -> new TreeMap<>())
          .put(r.getString(1), r.getLong(2));
    }
    return reasons;
  }

  /** The first loadable rows, in file order, as the table would hold them. */
  private void sample(ChurnTable target, Dataset<Row> judged, Dataset<Row> marked) {
    List<String> columns = new ArrayList<>(CanonicalRecords.tableColumns(judged));
    columns.remove(Columns.INGEST_RUN_ID); // a dry run has no run to name
    lines.add("  first rows as " + target.tableName() + " would hold them: " + columns);
    for (Row r :
        marked
            .where(CanonicalRecords.loadable())
            .orderBy(col(Columns.SOURCE_FILE), col(ReadLines.OFFSET))
            .select(columns.stream().map(Column::new).toArray(Column[]::new))
            .limit(sampleRows)
            .collectAsList()) {
      lines.add("    " + r);
    }
  }
}
