package io.churnlake.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.runs.PipelineRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nightly on a real Spark standalone cluster (a master and three 1-core workers in JVMs of their
 * own, the shaded jar submitted with SparkSubmit) gives the same tables as the same run in local
 * mode, also when a worker dies mid-stage, when the driver is killed mid-stage and the next
 * invocation resumes, and while a second run for the same date is refused with exit code 3. Faults
 * are injected at pause points (runs.pause-at-stages), not after sleeps. Runs with {@code mvn
 * verify -Pcluster} (after the package phase: it submits the shaded jar).
 */
class NightlyClusterIT extends SparkTestBase {
  private static final String AS_OF = "2026-03-01";
  private static final Duration RUN_LIMIT = Duration.ofMinutes(20);

  @TempDir static Path dir;
  private LocalCluster cluster;
  private Path raw;
  private Path reference;
  private Process referenceRun;

  @BeforeAll
  void clusterAndReference() throws Exception {
    cluster = LocalCluster.prepare(dir.resolve("cluster"));
    raw = dir.resolve("raw");
    reference = dir.resolve("reference");
    // 200 customers over 60 days, generated once (local mode) while the cluster starts; the
    // reference run is local mode.
    Process generate =
        cluster.submit(
            "generate",
            "local[2]",
            List.of(),
            cli(
                dir.resolve("generated"),
                List.of("generate", "--customers", "200", "--days", "60")));
    cluster.start(3);
    assertThat(exit(generate, "generate")).isZero();
    // The reference runs beside the cluster run: that one spends most of its time waiting (on
    // executors, at its pause points), and the reference is needed only to compare at the end.
    referenceRun = nightly("reference", "local[2]", reference, List.of());
  }

  /** The local-mode reference warehouse, once its run has ended (exit 0). */
  private String reference() throws InterruptedException {
    assertThat(exit(referenceRun, "reference")).isZero();
    return reference.toString();
  }

  @AfterAll
  void stopCluster() {
    if (referenceRun != null) {
      referenceRun.destroyForcibly();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * One cluster run, three faults, each at a pause point: while it waits at features, a second run
   * for the same date exits 3; while it trains, a worker running one of its executors dies; while
   * it segments, its driver is killed (SIGKILL: no shutdown hook, no lease release) and the next
   * invocation resumes at segment. The tables end as the local-mode reference's. (One run for all
   * three saves two whole nightlies on the cluster.)
   */
  @Test
  void aRunThatLosesAWorkerAndThenItsDriverIsResumedAndEqualsTheLocalRun() throws Exception {
    Path warehouse = dir.resolve("faults");
    Path pauses = dir.resolve("pauses");
    Path events = Files.createDirectories(dir.resolve("event-log"));
    // Two of the three 1-core workers for the first run, so the second gets an executor too.
    Process first =
        nightly(
            "first",
            cluster.masterUrl(),
            warehouse,
            List.of(
                "spark.cores.max=2",
                "spark.eventLog.enabled=true",
                "spark.eventLog.dir=" + events.toUri()),
            pause(List.of("features", "train", "segment"), pauses));
    awaitPause(pauses, "features", first, "first");
    // The second run in cluster deploy mode: its driver runs on the third worker, where its exit
    // code 3 does not reach spark-submit; the orchestrator reads it back by the run id it gave.
    Process second =
        cluster.submit(
            "second",
            cluster.masterUrl(),
            true,
            sparkConf(List.of("spark.cores.max=1")),
            cli(warehouse, List.of("--run-id", "second-try-1", "nightly", "--as-of", AS_OF)));
    int submitted = exit(second, "second");
    System.out.println("spark-submit --deploy-mode cluster of a run refused with 3: " + submitted);
    CliRun refused = status(warehouse, "second-try-1");
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.out())
        .contains("|lease")
        .containsPattern("\\|exit *\\|failed *\\|3 *\\|")
        .contains("run second-try-1: exit 3 ('nightly " + AS_OF + "' is already running (run ");
    Files.createFile(pauses.resolve("features.resume"));
    awaitPause(pauses, "train", first, "first");
    // Once the second run's executor is gone, the two busy workers run the first run's executors.
    cluster.killWorker(cluster.workerWithExecutors(2));
    Files.createFile(pauses.resolve("train.resume"));
    awaitPause(pauses, "segment", first, "first");
    first.destroyForcibly().waitFor();
    assertThat(stages(warehouse))
        .contains("lease failed", "train succeeded", "score succeeded")
        .endsWith("segment running");
    // The first run had an executor on two of the three workers and lost one (its event log is
    // flushed at each executor event, so the killed driver's log holds them).
    assertThat(count(cluster.log("master"), "Registering worker 127.0.0.1:")).isEqualTo(3);
    String eventLog = eventLog(events);
    assertThat(count(eventLog, "\"Event\":\"SparkListenerExecutorAdded\""))
        .isGreaterThanOrEqualTo(2);
    assertThat(count(eventLog, "\"Event\":\"SparkListenerExecutorRemoved\""))
        .isGreaterThanOrEqualTo(1);
    // The next invocation takes over the dead driver's lease at once and resumes at segment, on
    // the two workers left.
    // Resumed in cluster deploy mode too: the driver on one of the two workers left, an executor
    // on the other; its outcome (exit 0) is read back by its run id.
    Process resumed =
        cluster.submit(
            "resumed",
            cluster.masterUrl(),
            true,
            sparkConf(List.of()),
            cli(warehouse, List.of("--run-id", "resumed-try-1", "nightly", "--as-of", AS_OF)));
    assertThat(exit(resumed, "resumed")).isZero();
    assertThat(cluster.driverOut("resumed-try-1"))
        .contains("  features: skipped, run ")
        .contains("  score: skipped, run ")
        .doesNotContain("  segment: skipped");
    CliRun done = status(warehouse, "resumed-try-1");
    assertThat(done.code()).isZero();
    assertThat(done.out()).endsWith("run resumed-try-1: exit 0\n");
    assertThat(TableComparison.differences(spark(), reference(), warehouse.toString())).isEmpty();
    List<String> stages = stages(warehouse);
    assertThat(stages).contains("features skipped", "score skipped", "clv skipped");
    assertThat(stages.subList(stages.size() - 4, stages.size()))
        .containsExactly(
            "segment succeeded", "kpis succeeded", "report succeeded", "exit succeeded");
  }

  /** The CLI arguments of a run on {@code warehouse}: small windows, fixed hyper-parameters. */
  private List<String> cli(Path warehouse, List<String> command) {
    List<String> args = new ArrayList<>();
    for (String kv :
        List.of(
            "warehouse=\"" + warehouse + "\"",
            "generate.output=\"" + raw + "\"",
            "train.search.mode=none",
            "train.min-history-days=7",
            "train.step-days=4",
            "labels.horizon-days=10",
            "spark.shuffle-partitions=4")) {
      args.add("--set");
      args.add(kv);
    }
    args.addAll(command);
    return args;
  }

  private static List<String> pause(List<String> stages, Path pauses) {
    return List.of(
        "--set",
        "runs.pause-at-stages=[\"" + String.join("\",\"", stages) + "\"]",
        "--set",
        "runs.pause-dir=\"" + pauses + "\"");
  }

  private Process nightly(String name, String master, Path warehouse, List<String> conf)
      throws IOException {
    return nightly(name, master, warehouse, conf, List.of());
  }

  private Process nightly(
      String name, String master, Path warehouse, List<String> conf, List<String> extra)
      throws IOException {
    List<String> command = new ArrayList<>(extra);
    command.addAll(List.of("nightly", "--as-of", AS_OF));
    return cluster.submit(name, master, sparkConf(conf), cli(warehouse, command));
  }

  private static List<String> sparkConf(List<String> conf) {
    List<String> sparkConf = new ArrayList<>(conf);
    sparkConf.addAll(
        List.of(
            "spark.driver.host=127.0.0.1",
            "spark.executor.memory=1g",
            "spark.default.parallelism=2",
            "spark.ui.enabled=false"));
    return sparkConf;
  }

  record CliRun(int code, String out) {}

  /**
   * What an orchestrator runs after spark-submit in cluster deploy mode: {@code status --run ID
   * --exit-code} on the warehouse (Delta Kernel, no Spark), in this JVM.
   */
  private static CliRun status(Path warehouse, String runId) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int code =
        io.churnlake.jobs.cli.ChurnlakeCli.execute(
            new String[] {
              "--set", "warehouse=\"" + warehouse + "\"", "status", "--run", runId, "--exit-code"
            },
            new java.io.PrintStream(out, true),
            new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
    return new CliRun(code, out.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  private int exit(Process p, String name) throws InterruptedException {
    if (!p.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not end within " + RUN_LIMIT + ":\n" + tail(name));
    }
    if (p.exitValue() != 0) {
      System.out.println(name + " exited " + p.exitValue() + ":\n" + tail(name));
    }
    return p.exitValue();
  }

  private void awaitPause(Path pauses, String stage, Process run, String name) {
    LocalCluster.await(
        name + " to pause at " + stage,
        RUN_LIMIT,
        () -> {
          if (!run.isAlive()) {
            throw new AssertionError(
                name + " ended before pausing at " + stage + ":\n" + tail(name));
          }
          return Files.exists(pauses.resolve(stage + ".paused"));
        });
  }

  private String tail(String name) {
    String log = cluster.log(name);
    return log.substring(Math.max(0, log.length() - 3000));
  }

  /** "stage status" of each stage of every run on the warehouse, in start order. */
  private List<String> stages(Path warehouse) {
    DeltaTableStore store = new DeltaTableStore(spark(), warehouse.toString());
    return PipelineRuns.latest(store.read(ChurnTable.PIPELINE_RUNS))
        .orderBy("started_at", "stage_seq")
        .selectExpr("concat(stage, ' ', status)")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private static String eventLog(Path events) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(events)) {
      for (Path f : files.toList()) {
        all.append(Files.readString(f));
      }
    }
    return all.toString();
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
