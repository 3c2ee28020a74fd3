package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.Columns;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Per-file counts of a judged batch (read, blank, malformed, loaded, quarantined, dropped, records
 * whose text was dropped before the shuffle, implausible times) and the file's content hash, from
 * one aggregation over the batch: one row per file reaches the driver.
 */
record FileStats(
    String file,
    long read,
    long blank,
    long malformed,
    long loaded,
    long quarantined,
    long dropped,
    Long hash,
    long untexted,
    long badTime) {
  static FileStats empty(String file) {
    return new FileStats(file, 0, 0, 0, 0, 0, 0, null, 0, 0);
  }

  /** The column holding each line's hash (with its offset), summed into the file's hash. */
  static final String LINE_HASH = "_line_hash";

  /** The reasons of a time that parsed to no plausible moment. */
  static final List<String> BAD_TIME =
      List.of(
          "unparseable_event_time",
          "event_time_before_1970",
          "event_time_before_earliest_date",
          "event_time_in_future");

  /**
   * A file whose every record has an implausible epoch time was written in the other unit (seconds
   * read as milliseconds land in January 1970; milliseconds read as seconds, thousands of years
   * ahead): the message names the key to change, not a quarantine of the whole file.
   */
  static Optional<String> unitMismatch(SourceSpec spec, long records, long badTime) {
    if (records == 0 || badTime != records || !spec.timeFormat().startsWith("epoch-")) {
      return Optional.empty();
    }
    String other = spec.timeFormat().equals("epoch-millis") ? "epoch-seconds" : "epoch-millis";
    return Optional.of(
        "every record's time is implausible as "
            + spec.timeFormat()
            + " (before "
            + spec.earliestDate()
            + " or in the future); if the file holds "
            + other
            + ", set churnlake.sources."
            + spec.name()
            + ".time-format = "
            + other
            + " (or an earlier churnlake.sources."
            + spec.name()
            + ".earliest-date if such times are real)");
  }

  /**
   * Fails naming the first file no record of which parses in the source's format, or whose every
   * record's time is implausible in the configured unit.
   */
  static void check(SourceSpec spec, java.util.Collection<FileStats> files) {
    for (FileStats s : files) {
      if (s.malformed() > 0 && s.malformed() == s.read() - s.blank()) {
        throw ChurnErrors.badInputFile(
            spec.name(),
            s.file(),
            "no record parses as "
                + spec.format().id()
                + "; check the source's format, delimiter and encoding in churnlake.sources."
                + spec.name());
      }
      Optional<String> unit = unitMismatch(spec, s.read() - s.dropped(), s.badTime());
      if (unit.isPresent()) {
        throw ChurnErrors.badInputFile(spec.name(), s.file(), unit.get());
      }
    }
  }

  /**
   * The counts of each file of a judged batch ({@link CanonicalRecords}, {@link MarkDuplicates}).
   */
  static Map<String, FileStats> of(Dataset<Row> marked) {
    Column reason = col(CanonicalRecords.REASON);
    Column drop = col(CanonicalRecords.DROP);
    Map<String, FileStats> out = new HashMap<>();
    for (Row r :
        marked
            .groupBy(Columns.SOURCE_FILE)
            .agg(
                count(lit(1)),
                sum(when(drop.equalTo("blank_line"), 1).otherwise(0)),
                sum(when(reason.startsWith("malformed_"), 1).otherwise(0)),
                sum(when(reason.isNull().and(drop.isNull()), 1).otherwise(0)),
                sum(when(reason.isNotNull(), 1).otherwise(0)),
                sum(when(drop.isNotNull(), 1).otherwise(0)),
                // Order-independent: the sum of the lines' hashes (with their offsets).
                sum(col(LINE_HASH)),
                // Duplicates whose text was dropped before the shuffle: their files are re-read.
                sum(
                    when(
                            reason
                                .equalTo(MarkDuplicates.DUPLICATE)
                                .and(col(ReadLines.RECORD).isNull()),
                            1)
                        .otherwise(0)),
                sum(when(reason.isin(BAD_TIME.toArray()), 1).otherwise(0)))
            .collectAsList()) {
      String file = r.getString(0);
      out.put(
          file,
          new FileStats(
              file,
              r.getLong(1),
              r.getLong(2),
              r.getLong(3),
              r.getLong(4),
              r.getLong(5),
              r.getLong(6),
              r.isNullAt(7) ? null : r.getLong(7),
              r.getLong(8),
              r.getLong(9)));
    }
    return out;
  }
}
