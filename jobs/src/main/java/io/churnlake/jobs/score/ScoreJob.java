package io.churnlake.jobs.score;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.train.ModelInfo;
import io.churnlake.jobs.train.ModelRegistry;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code churnlake score --as-of D}: scores D's features with the newest model into churn_scores.
 */
public final class ScoreJob {
  private ScoreJob() {}

  public static long run(JobContext ctx, LocalDate asOf) {
    return ctx.stage(
        "score",
        () -> {
          ModelRegistry registry =
              new ModelRegistry(
                  ctx.config().warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
          ModelInfo info =
              registry.latest().orElseThrow(() -> ChurnErrors.noModel(registry.location()));
          Dataset<Row> features =
              ctx.store().read(ChurnTable.CUSTOMER_FEATURES).where(History.asOfPredicate(asOf));
          if (features.isEmpty()) {
            throw ChurnErrors.noDataBefore(
                ChurnTable.CUSTOMER_FEATURES.tableName() + " (run 'features --as-of " + asOf + "')",
                asOf);
          }
          Dataset<Row> scores =
              new ScoreCustomers(registry.load(info), info.version()).apply(features);
          ctx.store().replaceWhere(ChurnTable.CHURN_SCORES, scores, History.asOfPredicate(asOf));
          return ctx.store()
              .read(ChurnTable.CHURN_SCORES)
              .where(History.asOfPredicate(asOf))
              .count();
        });
  }
}
