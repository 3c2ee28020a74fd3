package io.churnlake.jobs.maintain;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.JobContext;
import io.delta.tables.DeltaTable;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake maintain}: per table, prunes as-of dates older than {@code
 * maintain.keep-as-of-days} before the table's newest one (derived, date-keyed tables only: raw
 * events, transactions and customers keep their history), compacts small files (Delta OPTIMIZE) and
 * removes files no version within {@code maintain.vacuum-retention-hours} references (VACUUM; time
 * travel to older versions ends there). Reports each table's data files before and after.
 */
public final class MaintainJob {
  private static final Logger LOG = LoggerFactory.getLogger(MaintainJob.class);

  /** Derived tables keyed by as-of date, whose old dates may be pruned. */
  static final Set<ChurnTable> PRUNABLE =
      Set.of(
          ChurnTable.CUSTOMER_FEATURES,
          ChurnTable.CHURN_LABELS,
          ChurnTable.CHURN_SCORES,
          ChurnTable.RISK_SEGMENTS,
          ChurnTable.SEGMENT_SUMMARY,
          ChurnTable.CUSTOMER_VALUE,
          ChurnTable.CHURN_KPIS,
          ChurnTable.COHORT_RETENTION);

  /** What maintain did to one table. */
  public record TableResult(
      String table, long filesBefore, long filesAfter, long rowsPruned, LocalDate keptFrom) {}

  private MaintainJob() {}

  public static List<TableResult> run(JobContext ctx) {
    return ctx.stage("maintain", () -> maintain(ctx));
  }

  private static List<TableResult> maintain(JobContext ctx) {
    ChurnConfig.MaintainSettings m = ctx.config().maintain();
    List<TableResult> out = new ArrayList<>();
    // The configured retention is the operator's decision, below Delta's 7-day default included.
    return VacuumSettings.with(
        ctx.spark(),
        () -> {
          for (ChurnTable t : ChurnTable.values()) {
            if (!ctx.store().exists(t)) {
              continue;
            }
            DeltaTable delta = DeltaTable.forPath(ctx.spark(), ctx.store().location(t));
            long filesBefore = files(delta);
            long pruned = 0;
            LocalDate keptFrom = null;
            if (m.keepAsOfDays() > 0 && PRUNABLE.contains(t)) {
              String date = t.partitionColumn().orElseThrow();
              Row newest = ctx.store().read(t).agg(max(col(date))).first();
              if (!newest.isNullAt(0)) {
                keptFrom = newest.getDate(0).toLocalDate().minusDays(m.keepAsOfDays());
                var old = col(date).lt(lit(Date.valueOf(keptFrom)));
                pruned = ctx.store().read(t).where(old).count();
                if (pruned > 0) {
                  delta.delete(old);
                }
              }
            }
            if (m.optimize()) {
              delta.optimize().executeCompaction();
            }
            delta.vacuum(m.vacuumRetentionHours());
            long filesAfter = files(delta);
            LOG.info(
                "maintain {}: {} data files before, {} after, {} rows pruned",
                t.tableName(),
                filesBefore,
                filesAfter,
                pruned);
            out.add(new TableResult(t.tableName(), filesBefore, filesAfter, pruned, keptFrom));
          }
          return out;
        });
  }

  /** Data files of the table's current version (one row of Delta's table detail). */
  private static long files(DeltaTable delta) {
    return delta.detail().select("numFiles").first().getLong(0);
  }
}
