package io.churnlake.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.cli.ChurnlakeCli;
import io.churnlake.jobs.generate.GenerateJob;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery with a real process: an {@code ingest} in a child JVM is killed with SIGKILL right
 * after its first table commit (events written, quarantine and ledger not yet); ingesting again
 * leaves every table equal to that of one clean run. Invariant: nothing lost, nothing doubled.
 */
class IngestKillTest extends SparkTestBase {
  @TempDir Path dir;

  private JobContext context(String warehouse) {
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(),
            List.of(
                "warehouse=\"" + dir.resolve(warehouse) + "\"",
                "generate.output=\"" + dir.resolve("raw") + "\"",
                "generate.customers=60",
                "generate.days=20",
                "generate.partitions=2",
                "generate.truth.paths=1",
                "generate.truth.first-day=1000"));
    return new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
  }

  @Test
  void ingestKilledAfterItsFirstCommitCompletesOnReRunWithoutDuplicates() throws Exception {
    JobContext clean = context("clean");
    GenerateJob.run(clean);
    IngestJob.run(clean, Optional.empty());

    Path killedWarehouse = dir.resolve("killed");
    Process child = startIngest(killedWarehouse);
    Path firstCommit = killedWarehouse.resolve("events/_delta_log/00000000000000000000.json");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(firstCommit) && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(Files.exists(firstCommit)).as("the child committed events").isTrue();
    child.destroyForcibly(); // SIGKILL on Unix
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);

    JobContext killed = context("killed");
    assertThat(killed.store().exists(ChurnTable.EVENTS)).isTrue();
    assertThat(killed.store().exists(ChurnTable.INGESTED_FILES))
        .as("killed before the ledger commit")
        .isFalse();

    IngestResult rerun = IngestJob.run(killed, Optional.empty());
    assertThat(rerun.files()).isEqualTo(20);
    for (ChurnTable t :
        List.of(ChurnTable.EVENTS, ChurnTable.QUARANTINE, ChurnTable.INGESTED_FILES)) {
      assertThat(content(killed, t)).as(t.tableName()).isEqualTo(content(clean, t));
    }
  }

  /** A table's rows without the columns that name the run or its time, sorted. */
  private static List<String> content(JobContext ctx, ChurnTable t) {
    return ctx
        .store()
        .read(t)
        .drop("ingest_run_id", "ingested_at", "quarantined_at", "file_modified")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .sorted()
        .collect(Collectors.toList());
  }

  private Process startIngest(Path warehouse) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Duser.timezone")) {
        cmd.add(arg);
      }
    }
    cmd.add("-Xmx1g");
    cmd.add("-Dchurnlake.fault.pause-after-commit-ms=120000");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChurnlakeCli.class.getName());
    cmd.add("ingest");
    cmd.add("--set");
    cmd.add("warehouse=\"" + warehouse + "\"");
    cmd.add("--set");
    cmd.add("generate.output=\"" + dir.resolve("raw") + "\"");
    cmd.add("--set");
    cmd.add("spark.master=\"local[2]\"");
    File log = dir.resolve("child.log").toFile();
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }
}
