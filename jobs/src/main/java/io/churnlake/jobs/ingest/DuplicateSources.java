package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.JobContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What de-duplicating a batch needs from storage: the table's rows its records can duplicate, and
 * the text of duplicates whose lines were dropped before the shuffle, read again from their files.
 */
final class DuplicateSources {
  private static final Logger LOG = LoggerFactory.getLogger(DuplicateSources.class);

  private DuplicateSources() {}

  /**
   * The rows of the table a batch's records can duplicate: those of the source's other files; with
   * {@code pruneBy} (the partition column equal keys share, {@link MarkDuplicates#clusterColumn})
   * only those of the partitions the batch's loadable records fall in (partition pruning instead of
   * reading the table's whole history).
   */
  static Dataset<Row> existingRows(
      JobContext ctx,
      SourceSpec spec,
      ChurnTable target,
      String batchFiles,
      Optional<String> pruneBy,
      Dataset<Row> batch) {
    Dataset<Row> others =
        ctx.store()
            .read(target)
            .where("source = '" + spec.name() + "' AND NOT (" + batchFiles + ")");
    if (pruneBy.isEmpty()) {
      return others;
    }
    String column = pruneBy.get();
    // One value per partition (a day), not per customer: driver-sized. No value: nothing to read.
    Object[] values =
        batch
            .where(CanonicalRecords.loadable().and(col(column).isNotNull()))
            .select(column)
            .distinct()
            .collectAsList()
            .stream()
            .map(r -> r.get(0))
            .toArray();
    return others.where(values.length == 0 ? lit(false) : col(column).isin(values));
  }

  /**
   * The lines of the files holding duplicates whose text was dropped before the shuffle (beyond the
   * key sample), for {@link QuarantineRecords} to take their text from; none when every quarantined
   * row kept its text (the usual batch: duplicates are rare).
   */
  static Optional<Dataset<Row>> duplicateLines(
      JobContext ctx,
      SourceSpec spec,
      List<SourceFiles.SourceFile> pending,
      Map<String, FileStats> stats) {
    List<String> paths =
        pending.stream()
            .filter(f -> stats.containsKey(f.name()) && stats.get(f.name()).untexted() > 0)
            .map(SourceFiles.SourceFile::path)
            .collect(Collectors.toList());
    if (paths.isEmpty()) {
      return Optional.empty();
    }
    LOG.info(
        "ingest {}: re-reading {} files for the text of duplicates beyond the key sample",
        spec.name(),
        paths.size());
    return Optional.of(ReadLines.read(ctx.spark(), paths, spec));
  }
}
