package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.JobContext;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a source one ingest run loads: those listed under its path (for a Delta source, its
 * table's newest snapshot) that the ingest ledger does not hold yet, dated on or before the as-of
 * date when one is given, and files changed since they were ingested when the configuration reloads
 * them.
 */
final class PendingFiles {
  private static final Logger LOG = LoggerFactory.getLogger(PendingFiles.class);

  private PendingFiles() {}

  /** The source's files to load in this run, in listing order. */
  static List<SourceFiles.SourceFile> of(
      JobContext ctx, SourceSpec spec, Optional<LocalDate> asOf) {
    List<SourceFiles.SourceFile> listed =
        spec.format() == SourceSpec.Format.DELTA
            ? List.of(deltaSnapshot(ctx, spec))
            : SourceFiles.list(spec, ctx.spark().sparkContext().hadoopConfiguration());
    return pending(ctx, spec, listed, asOf);
  }

  /** Files not yet in the ledger, and changed ones when the configuration reloads them. */
  private static List<SourceFiles.SourceFile> pending(
      JobContext ctx,
      SourceSpec spec,
      List<SourceFiles.SourceFile> listed,
      Optional<LocalDate> asOf) {
    Map<String, Row> done = new HashMap<>();
    if (ctx.store().exists(ChurnTable.INGESTED_FILES)) {
      // One row per file of this source, not per customer: driver-sized.
      for (Row r :
          ctx.store()
              .read(ChurnTable.INGESTED_FILES)
              .where(col("source").equalTo(spec.name()))
              .select("file_name", "file_size", "file_modified")
              .collectAsList()) {
        done.put(r.getString(0), r);
      }
    }
    List<SourceFiles.SourceFile> out = new ArrayList<>();
    for (SourceFiles.SourceFile f : listed) {
      if (asOf.isPresent() && f.date().isPresent() && f.date().get().isAfter(asOf.get())) {
        continue;
      }
      Row before = done.get(f.name());
      if (before == null) {
        out.add(f);
        continue;
      }
      boolean changed =
          before.getLong(1) != f.size() || before.getTimestamp(2).getTime() != f.modificationTime();
      if (!changed) {
        continue;
      }
      if (spec.format() == SourceSpec.Format.DELTA
          || ctx.config().ingest().onChangedFile() == ChurnConfig.OnChangedFile.RELOAD) {
        LOG.warn(
            "ingest {}: file {} changed since it was ingested; reloading it",
            spec.name(),
            f.name());
        out.add(f);
      } else {
        throw ChurnErrors.changedFile(
            spec.name(), f.name(), before.getLong(1), f.size(), "churnlake.ingest.on-changed-file");
      }
    }
    return out;
  }

  /** A Delta source is one snapshot: its version plays the file's size, so a new one reloads. */
  private static SourceFiles.SourceFile deltaSnapshot(JobContext ctx, SourceSpec spec) {
    if (!DeltaTable.isDeltaTable(ctx.spark(), spec.path())) {
      throw ChurnErrors.inputPathMissing(
          spec.path(), "Delta table of source '" + spec.name() + "'");
    }
    Row last =
        DeltaTable.forPath(ctx.spark(), spec.path())
            .history(1)
            .select("version", "timestamp")
            .head();
    return new SourceFiles.SourceFile(
        "delta-table",
        spec.path(),
        last.getLong(0),
        last.getTimestamp(1).getTime(),
        Optional.empty());
  }
}
