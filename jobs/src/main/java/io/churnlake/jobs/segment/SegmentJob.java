package io.churnlake.jobs.segment;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code churnlake segment --as-of D}: risk tiers from D's churn scores into risk_segments. */
public final class SegmentJob {
  private SegmentJob() {}

  public static long run(JobContext ctx, LocalDate asOf) {
    return ctx.stage(
        "segment",
        () -> {
          ChurnConfig.SegmentSettings s = ctx.config().segment();
          Dataset<Row> scores =
              ctx.store().read(ChurnTable.CHURN_SCORES).where(History.asOfPredicate(asOf));
          Dataset<Row> segments = new AssignRiskTiers(s.mediumFrom(), s.highFrom()).apply(scores);
          ctx.store().replaceWhere(ChurnTable.RISK_SEGMENTS, segments, History.asOfPredicate(asOf));
          return ctx.store()
              .read(ChurnTable.RISK_SEGMENTS)
              .where(History.asOfPredicate(asOf))
              .count();
        });
  }
}
