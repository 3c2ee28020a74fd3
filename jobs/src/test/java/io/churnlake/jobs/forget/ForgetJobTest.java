package io.churnlake.jobs.forget;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.testing.Examples;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasure: after {@code forget}, no row of the customer is left in any table, nor in any data file
 * of those tables on storage (older versions included), while other customers are untouched.
 */
class ForgetJobTest extends SparkTestBase {
  @TempDir Path dir;

  @Test
  void forgetDeletesTheCustomerFromEveryTableAndItsFiles() throws Exception {
    Path data = Examples.copyFixtures("retail", dir.resolve("retail"));
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(Examples.config("retail-transactions.conf").toFile()),
            List.of(
                "warehouse=\"" + dir.resolve("warehouse") + "\"",
                "sources.retail.path=\"" + data + "\""));
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    IngestJob.run(ctx, Optional.empty());
    long others = ctx.store().read(ChurnTable.TRANSACTIONS).where("customer_id <> '13047'").count();

    Map<String, Long> deleted = ForgetJob.run(ctx, "13047");

    // 13047: two loaded lines (700002, C700003); quarantined: a duplicate, an unparseable time
    // and the line that lost its country.
    assertThat(deleted).containsEntry("transactions", 2L).containsEntry("quarantine", 3L);
    for (ChurnTable t : List.of(ChurnTable.TRANSACTIONS, ChurnTable.QUARANTINE)) {
      String location = ctx.store().location(t);
      // Every parquet file on storage, including those of older table versions.
      long left =
          spark()
              .read()
              .option("recursiveFileLookup", "true")
              .option("pathGlobFilter", "*.parquet")
              .parquet(location)
              .where("customer_id = '13047'")
              .count();
      assertThat(left).as(t.tableName() + " files").isZero();
    }
    assertThat(ctx.store().read(ChurnTable.TRANSACTIONS).count()).isEqualTo(others);
  }
}
