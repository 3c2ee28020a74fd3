package io.churnlake.jobs.ingest;

import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.TableSchemas;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest ledger ({@code ingested_files}): one row per file of a batch with its identity (name,
 * path, size, modification time, date, content hash), the run, and its reconciled counts. Written
 * last, after the batch's rows and quarantine commits: a file counts as ingested only once it
 * reconciles, read = loaded + quarantined + dropped.
 */
final class IngestLedger {
  private static final Logger LOG = LoggerFactory.getLogger(IngestLedger.class);

  private IngestLedger() {}

  /**
   * Reconciles each file of the batch and replaces its ledger row; fails naming the first file
   * whose counts do not add up, before any ledger row is written. Corrupt files ({@code corrupt},
   * described) have no ledger row: the next run reads them again.
   */
  static SourceResult record(
      JobContext ctx,
      SourceSpec spec,
      ChurnTable target,
      List<SourceFiles.SourceFile> pending,
      Map<String, FileStats> stats,
      Map<String, String> unmapped,
      String runId,
      List<String> corrupt) {
    // Fails naming the first file that does not reconcile, before any ledger row is written.
    SourceResult result = result(spec, target, pending, stats, corrupt);
    List<Row> ledger = new ArrayList<>();
    Timestamp now = Timestamp.from(Instant.now());
    for (SourceFiles.SourceFile f : pending) {
      FileStats s = stats.getOrDefault(f.name(), FileStats.empty(f.name()));
      ledger.add(row(spec, f, s, runId, now, unmapped.get(f.name())));
    }
    // The ledger is written last: a file counts as ingested only once it reconciles.
    ctx.store()
        .replaceWhere(
            ChurnTable.INGESTED_FILES,
            ctx.spark().createDataFrame(ledger, TableSchemas.INGESTED_FILES),
            "source = '"
                + spec.name()
                + "' AND "
                + IngestJob.inList(
                    "file_name", pending.stream().map(SourceFiles.SourceFile::name)));
    LOG.info("ingest {}", result.reconciliation());
    return result;
  }

  /**
   * The counts a batch records: per file, read = loaded + quarantined + dropped (fails naming the
   * first file that does not add up), summed per source.
   */
  static SourceResult result(
      SourceSpec spec,
      ChurnTable target,
      List<SourceFiles.SourceFile> pending,
      Map<String, FileStats> stats,
      List<String> corrupt) {
    List<FileStats> counted = new ArrayList<>();
    for (SourceFiles.SourceFile f : pending) {
      FileStats s = stats.getOrDefault(f.name(), FileStats.empty(f.name()));
      if (s.read() != s.loaded() + s.quarantined() + s.dropped()) {
        throw ChurnErrors.reconciliationFailed(
            spec.name() + ":" + f.name(), s.read(), s.loaded(), s.quarantined(), s.dropped());
      }
      counted.add(s);
    }
    return new SourceResult(
        spec.name(),
        target.tableName(),
        pending.size(),
        counted.stream().mapToLong(FileStats::read).sum(),
        counted.stream().mapToLong(FileStats::loaded).sum(),
        counted.stream().mapToLong(FileStats::quarantined).sum(),
        counted.stream().mapToLong(FileStats::blank).sum(),
        counted.stream().mapToLong(s -> s.dropped() - s.blank()).sum(),
        corrupt);
  }

  /** A file's ledger row, in the order of {@code ingested_files}' columns. */
  private static Row row(
      SourceSpec spec,
      SourceFiles.SourceFile f,
      FileStats s,
      String runId,
      Timestamp now,
      String unmapped) {
    return RowFactory.create(
        spec.name(),
        f.name(),
        f.path(),
        f.size(),
        new Timestamp(f.modificationTime()),
        f.date().map(Date::valueOf).orElse(null),
        s.hash(),
        runId,
        now,
        s.read(),
        s.loaded(),
        s.quarantined(),
        s.dropped(),
        s.blank(),
        s.dropped() - s.blank(),
        unmapped);
  }
}
