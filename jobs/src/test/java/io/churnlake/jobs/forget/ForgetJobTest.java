package io.churnlake.jobs.forget;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.maintain.MaintainJob;
import io.churnlake.jobs.testing.Examples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
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

  /**
   * Invariant: after {@code forget} and {@code maintain}, no file under the warehouse holds the
   * forgotten customer's personal values (name, user agent) that reached it through quarantined raw
   * records: not a data file of any version, not a Delta log file (commits, checkpoints, checksums,
   * statistics), not a run ledger row. Parquet files are read (their pages are compressed), every
   * other file is searched as text. Another customer's personal values are still there, in the
   * quarantine's records, so the scan can find what it looks for.
   */
  @Test
  void afterForgetAndMaintainNoFileUnderTheWarehouseHoldsTheCustomersPersonalValues()
      throws Exception {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    long t = 1772359200000L;
    String lines =
        line("zz-forgotten-42", t, "Home", "Zelda", "Forgottenson", "ZeldaAgent/9.9")
            + line("zz-forgotten-42", t + 1000, "", "Zelda", "Forgottenson", "ZeldaAgent/9.9")
            + line("43", t + 2000, "Home", "Otto", "Keptman", "OttoAgent/1.0")
            + line("43", t + 3000, "", "Otto", "Keptman", "OttoAgent/1.0");
    Files.writeString(raw.resolve("events-2026-03-01.json"), lines);
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(),
            List.of(
                "warehouse=\"" + dir.resolve("warehouse") + "\"",
                "generate.output=\"" + raw + "\"",
                "maintain.vacuum-retention-hours=0"));
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    IngestJob.run(ctx, Optional.empty());
    assertThat(found(dir.resolve("warehouse"), "Zelda")).as("before forget").isNotEmpty();

    ForgetJob.run(ctx, "zz-forgotten-42");
    MaintainJob.run(ctx);

    for (String value : List.of("Zelda", "Forgottenson", "ZeldaAgent")) {
      assertThat(found(dir.resolve("warehouse"), value)).as(value).isEmpty();
    }
    assertThat(found(dir.resolve("warehouse"), "OttoAgent")).isNotEmpty();
    // The id stays out of every commit's information (forget's delete names no id); statistics of
    // files written before the forget may hold it until Delta's log cleanup (docs/operations.md).
    try (Stream<Path> logs = Files.walk(dir.resolve("warehouse"))) {
      for (Path f : logs.filter(p -> p.toString().endsWith(".json")).toList()) {
        for (String entry : Files.readAllLines(f)) {
          if (entry.startsWith("{\"commitInfo\"")) {
            assertThat(entry).as(f.toString()).doesNotContain("zz-forgotten");
          }
        }
      }
    }
  }

  private static String line(
      String user, long ts, String page, String first, String last, String agent) {
    // The name first: a statistic of the record column (its first 32 characters) would hold it.
    return "{\"firstName\":\""
        + first
        + "\",\"lastName\":\""
        + last
        + "\",\"ts\":"
        + ts
        + ",\"userId\":\""
        + user
        + "\",\"sessionId\":7,\"itemInSession\":2,\"page\":\""
        + page
        + "\",\"userAgent\":\""
        + agent
        + "\"}\n";
  }

  /** The files under {@code root} holding {@code value}: Parquet read by Spark, others as text. */
  private List<String> found(Path root, String value) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        boolean hit;
        if (name.endsWith(".parquet")) {
          hit =
              spark()
                      .read()
                      .parquet(f.toString())
                      .selectExpr("to_json(struct(*)) AS row")
                      .where(org.apache.spark.sql.functions.col("row").contains(value))
                      .count()
                  > 0;
        } else {
          hit = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(value);
        }
        if (hit) {
          out.add(root.relativize(f).toString());
        }
      }
    }
    return out;
  }
}
