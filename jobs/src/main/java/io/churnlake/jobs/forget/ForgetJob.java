package io.churnlake.jobs.forget;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.maintain.VacuumSettings;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake forget --customer ID}: erases one customer from every table that has a {@code
 * customer_id} column (the id as given and, when the hash key is set, its keyed hash, so
 * pseudonymised tables are covered), then vacuums those tables with zero retention so that the
 * deleted rows' files are removed from storage, not only from the current version. Quarantine rows
 * whose customer id was unreadable cannot be attributed; they expire with the quarantine retention.
 *
 * <p>The id itself is kept out of the Delta log's commit information (the delete joins a one-row
 * frame instead of naming the id in a predicate). Older commit files still hold per-file statistics
 * that may name it (minimum and maximum of {@code customer_id}) until Delta removes expired log
 * files; docs/operations.md says when.
 */
public final class ForgetJob {
  private static final Logger LOG = LoggerFactory.getLogger(ForgetJob.class);

  private static final String FORGOTTEN = "forgotten_id";

  private ForgetJob() {}

  /**
   * @return rows deleted per table name (tables without the customer are listed with 0)
   */
  public static Map<String, Long> run(JobContext ctx, String customerId) {
    return ctx.stage("forget", () -> forget(ctx, customerId));
  }

  private static Map<String, Long> forget(JobContext ctx, String customerId) {
    List<String> ids = new ArrayList<>(List.of(customerId));
    String key = System.getenv(ctx.config().ingest().hashKeyEnv());
    if (key != null && key.length() >= 16) {
      // The same keyed hash ingest writes for pseudonymised ids (CanonicalRecords).
      ids.add(
          ctx.spark()
              .range(1)
              .select(sha2(concat(lit(key), lit("\u0001"), lit(customerId)), 256))
              .head()
              .getString(0));
    }
    Column match = col(Columns.CUSTOMER_ID).isin(ids.toArray());
    Map<String, Long> deleted = new LinkedHashMap<>();
    VacuumSettings.with(
        ctx.spark(),
        () -> {
          for (ChurnTable t : ChurnTable.values()) {
            if (!ctx.store().exists(t)) {
              continue;
            }
            Dataset<Row> table = ctx.store().read(t);
            if (!Arrays.asList(table.columns()).contains(Columns.CUSTOMER_ID)) {
              continue;
            }
            long n = table.where(match).count();
            deleted.put(t.tableName(), n);
            if (n > 0) {
              DeltaTable delta = DeltaTable.forPath(ctx.spark(), ctx.store().location(t));
              // A delete by join, not delete(predicate): Delta records an operation's predicate in
              // the commit's info, and a literal id there would outlive the rows in the log.
              delta
                  .as("t")
                  .merge(
                      ctx.spark()
                          .createDataset(ids, org.apache.spark.sql.Encoders.STRING())
                          .toDF(FORGOTTEN)
                          .as("f"),
                      col("t." + Columns.CUSTOMER_ID).equalTo(col("f." + FORGOTTEN)))
                  .whenMatched()
                  .delete()
                  .execute();
              // Zero retention: the files that held the rows go now, so time travel cannot bring
              // them back. Readers of older versions lose those versions.
              delta.vacuum(0.0);
              LOG.info("forget: {} rows deleted from {} and vacuumed", n, t.tableName());
            }
          }
          return null;
        });
    return deleted;
  }
}
