package io.churnlake.jobs.ingest;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.KernelTables;
import io.churnlake.jobs.JobContext;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes quarantined records older than {@code churnlake.ingest.quarantine-retention-days}, and
 * only when the quarantine's file statistics show that some file may hold one.
 */
final class QuarantinePurge {
  private static final Logger LOG = LoggerFactory.getLogger(QuarantinePurge.class);

  private QuarantinePurge() {}

  static boolean run(JobContext ctx) {
    int days = ctx.config().ingest().quarantineRetentionDays();
    // Most nights nothing is old enough: the files' quarantined_at statistics (read with Delta
    // Kernel from the log, no Spark job) show it, and no DELETE is planned. A file without those
    // statistics (a quarantine table created before they were kept) may hold old rows: then the
    // DELETE runs, as it does when a file's oldest row is past the retention. The cutoff is taken
    // here, a moment before the DELETE's own: a row aged in between is purged the next night.
    long cutoffMillis = System.currentTimeMillis() - days * 86_400_000L;
    Predicate older =
        new Predicate(
            "<",
            new io.delta.kernel.expressions.Column("quarantined_at"),
            Literal.ofTimestamp(Math.multiplyExact(cutoffMillis, 1000L)));
    if (!KernelTables.mayHoldRows(
        ctx.store().location(ChurnTable.QUARANTINE),
        ctx.spark().sessionState().newHadoopConf(),
        older)) {
      LOG.info("quarantine: no file holds rows older than {} days (file statistics)", days);
      return false;
    }
    ctx.store()
        .delete(
            ChurnTable.QUARANTINE,
            "quarantined_at < current_timestamp() - INTERVAL " + days + " DAYS");
    return true;
  }
}
