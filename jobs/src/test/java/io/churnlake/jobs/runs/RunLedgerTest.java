package io.churnlake.jobs.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.errors.ExitCode;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.table.TableActivity;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run ledger records every stage's start and end (a failed stage with its one-line error, a
 * stage whose driver died stays running), and the lease lets exactly one run per command and date
 * proceed: a second run exits 3, a released or stale lease can be taken, and of two runs racing for
 * the same lease exactly one wins.
 */
class RunLedgerTest extends SparkTestBase {
  @TempDir static Path dir;
  private DeltaTableStore store;

  @BeforeAll
  void warehouse() {
    store = new DeltaTableStore(spark(), dir.resolve("warehouse").toString());
  }

  @Test
  void stagesAreRecordedWhenTheyStartAndWhenTheyEndWithTheirErrors() {
    PipelineRuns ledger =
        new PipelineRuns(spark(), store, "run-0001-x", "nightly", LocalDate.of(2026, 7, 19));
    JobContext ctx =
        new JobContext(
            ChurnConfigLoader.load(List.of(), List.of()), spark(), store, "run-0001-x", ledger);
    assertThat(ctx.stage("features", () -> 42)).isEqualTo(42);
    assertThatThrownBy(
            () ->
                ctx.stage(
                    "train",
                    () -> {
                      throw new IllegalStateException("no churners\nsecond line");
                    }))
        .isInstanceOf(ChurnException.class)
        .hasMessage("stage 'train' failed: no churners");
    // A stage started by a driver that then died: its start row only.
    ledger.started("score");

    List<String> rows =
        store
            .read(ChurnTable.PIPELINE_RUNS)
            .orderBy("stage_seq", "ended_at")
            .selectExpr(
                "concat_ws('|', run_id, command, as_of_date, stage_seq, stage, status,"
                    + " coalesce(error, ''), ended_at IS NULL, seconds IS NULL,"
                    + " coalesce(ended_at >= started_at, true))")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    assertThat(rows)
        .containsExactly(
            "run-0001-x|nightly|2026-07-19|1|features|running||true|true|true",
            "run-0001-x|nightly|2026-07-19|1|features|succeeded||false|false|true",
            "run-0001-x|nightly|2026-07-19|2|train|running||true|true|true",
            "run-0001-x|nightly|2026-07-19|2|train|failed|stage 'train' failed: no churners"
                + "|false|false|true",
            "run-0001-x|nightly|2026-07-19|3|score|running||true|true|true");
    // status reads the same rows with Delta Kernel, without Spark: one row per stage, last status.
    List<LedgerReader.StageRow> ledgerRows =
        LedgerReader.read(
                store.location(ChurnTable.PIPELINE_RUNS),
                spark().sparkContext().hadoopConfiguration())
            .orElseThrow();
    assertThat(ledgerRows).hasSize(5);
    assertThat(
            RunStatus.latestRuns(ledgerRows, 1).stream()
                .map(r -> String.join("|", RunStatus.cells(r)))
                .map(
                    r ->
                        r.replaceAll(
                            "\\|2026-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\|[0-9.]*\\|", "|T|"))
                .toList())
        .containsExactly(
            "run-0001|nightly|2026-07-19|features|succeeded||T|0|",
            "run-0001|nightly|2026-07-19|train|failed||T|0|stage 'train' failed: no churners",
            "run-0001|nightly|2026-07-19|score|running||T||");
    assertThat(LedgerReader.read(dir.resolve("none").toString(), new Configuration())).isEmpty();
  }

  @Test
  void statusShowsTheLatestRunsNewestFirstEachStageAtItsLastStatus() {
    // Invariant: of each stage, the row that ended last (a running row only while nothing ended);
    // runs ordered by their latest stage start; long errors cut at 80 characters.
    Instant t0 = Instant.parse("2026-07-19T02:00:00Z");
    String longError = "stage 'train' failed: " + "x".repeat(100);
    List<LedgerReader.StageRow> ledger =
        List.of(
            stage("aaaaaaaa-1", 1, "lease", "succeeded", t0, t0.plusSeconds(2), 2.0, 0L, null),
            stage("aaaaaaaa-1", 1, "lease", "running", t0, null, null, null, null),
            stage(
                "aaaaaaaa-1",
                2,
                "train",
                "failed",
                t0.plusSeconds(2),
                t0.plusSeconds(9),
                7.25,
                null,
                longError),
            stage("bbbbbbbb-2", 1, "lease", "running", t0.plusSeconds(60), null, null, null, null),
            stage("cccccccc-3", 1, "lease", "succeeded", t0.minusSeconds(60), t0, 1.0, 3L, null));
    assertThat(RunStatus.render(RunStatus.latestRuns(ledger, 2)))
        .isEqualTo(
            String.join(
                "\n",
                "+--------+-------+----------+-----+---------+----+-------------------+-------+--------+"
                    + "-".repeat(80)
                    + "+",
                "|run     |command|as_of_date|stage|status   |exit|started_at         |seconds|rows_out|"
                    + "error"
                    + " ".repeat(75)
                    + "|",
                "+--------+-------+----------+-----+---------+----+-------------------+-------+--------+"
                    + "-".repeat(80)
                    + "+",
                "|bbbbbbbb|nightly|2026-07-19|lease|running  |    |2026-07-19 02:01:00|       |        |"
                    + " ".repeat(80)
                    + "|",
                "|aaaaaaaa|nightly|2026-07-19|lease|succeeded|    |2026-07-19 02:00:00|2.0    |0       |"
                    + " ".repeat(80)
                    + "|",
                "|aaaaaaaa|nightly|2026-07-19|train|failed   |    |2026-07-19 02:00:02|7.3    |        |"
                    + longError.substring(0, 77)
                    + "...|",
                "+--------+-------+----------+-----+---------+----+-------------------+-------+--------+"
                    + "-".repeat(80)
                    + "+",
                ""));
  }

  private static LedgerReader.StageRow stage(
      String run,
      int seq,
      String stage,
      String status,
      Instant started,
      Instant ended,
      Double seconds,
      Long rows,
      String error) {
    return new LedgerReader.StageRow(
        run,
        "nightly",
        LocalDate.of(2026, 7, 19),
        seq,
        stage,
        status,
        started,
        ended,
        seconds,
        rows,
        error,
        null);
  }

  @Test
  void aStageRecordsTheTableVersionsItReadAndWroteTheRowsItWroteAndTheBuild() {
    // Invariant: pipeline_runs names the exact table versions a stage's result came from and the
    // rows each of its commits wrote, also for a stage that failed after writing; the run ledger
    // itself is never listed.
    DeltaTableStore s = new DeltaTableStore(spark(), dir.resolve("lineage").toString());
    s.append(ChurnTable.MODEL_SEARCH, spark().range(4).toDF());
    s.append(ChurnTable.MODEL_SEARCH, spark().range(1).toDF()); // version 1
    PipelineRuns ledger = new PipelineRuns(spark(), s, "run-l", "train", LocalDate.of(2026, 7, 19));
    JobContext ctx =
        new JobContext(ChurnConfigLoader.load(List.of(), List.of()), spark(), s, "run-l", ledger);
    ctx.stage(
        "train",
        () -> {
          s.read(ChurnTable.MODEL_SEARCH).count();
          s.append(ChurnTable.CHURN_DRIVERS, spark().range(2).toDF()); // version 0, 2 rows
          s.append(ChurnTable.CHURN_DRIVERS, spark().range(3).toDF()); // version 1, 3 rows
          s.read(ChurnTable.CHURN_DRIVERS).count();
          return null;
        });
    assertThatThrownBy(
            () ->
                ctx.stage(
                    "score",
                    () -> {
                      s.append(ChurnTable.FEATURE_DRIFT, spark().range(7).toDF());
                      throw new IllegalStateException("lost");
                    }))
        .isInstanceOf(ChurnException.class);
    List<String> ended =
        s
            .read(ChurnTable.PIPELINE_RUNS)
            .where("status <> 'running'")
            .orderBy("stage_seq")
            .selectExpr(
                "concat_ws('|', stage, status, to_json(tables_read), to_json(tables_written),"
                    + " rows_written, git_commit = '"
                    + PipelineRuns.gitCommit()
                    + "')")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    assertThat(ended)
        .containsExactly(
            // Reading back its own output (churn_drivers) is not an input.
            "train|succeeded|[{\"table\":\"model_search\",\"version\":1}]"
                + "|[{\"table\":\"churn_drivers\",\"version\":1,\"rows\":5,\"commits\":2}]"
                + "|5|true",
            "score|failed|[]"
                + "|[{\"table\":\"feature_drift\",\"version\":0,\"rows\":7,\"commits\":1}]"
                + "|7|true");
    // The build's commit: abbreviated hash (dirty when built from changed files), or unknown.
    assertThat(PipelineRuns.gitCommit()).matches("[0-9a-f]{10}(-dirty)?|unknown");
  }

  @Test
  void aSecondRunForTheSameDateExitsThreeUntilTheLeaseIsReleasedOrStale() throws Exception {
    RunLease first = RunLease.acquire(spark(), store, "nightly 2026-07-19", "run-a", 30, 3600);
    assertThatThrownBy(
            () -> RunLease.acquire(spark(), store, "nightly 2026-07-19", "run-b", 30, 3600))
        .isInstanceOfSatisfying(
            ChurnException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.ALREADY_RUNNING))
        .hasMessageStartingWith(
            "'nightly 2026-07-19' is already running (run run-a on " + PipelineRuns.holder())
        .hasMessageEndingWith(
            "retry when it ends, or after runs.lease-stale-minutes (30) without a heartbeat,"
                + " when the lease can be taken over");
    // Another date is another lease.
    RunLease.acquire(spark(), store, "nightly 2026-07-20", "run-c", 30, 3600).close();
    first.close();
    RunLease second = RunLease.acquire(spark(), store, "nightly 2026-07-19", "run-b", 30, 3600);
    assertThat(RunLease.holderOf(spark(), store, "nightly 2026-07-19").getString(0))
        .isEqualTo("run-b");
    // run-b's driver dies without releasing: once stale, the next run takes over.
    Thread.sleep(20);
    RunLease takeover = RunLease.acquire(spark(), store, "nightly 2026-07-19", "run-d", 10L, 3600);
    assertThat(RunLease.holderOf(spark(), store, "nightly 2026-07-19").getString(0))
        .isEqualTo("run-d");
    takeover.close();
    second.close(); // releases nothing: run-b no longer holds it
    Row released = RunLease.holderOf(spark(), store, "nightly 2026-07-19");
    assertThat(released.getString(0)).isEqualTo("run-d");
    assertThat(released.isNullAt(3)).isFalse();
  }

  @Test
  void ofTwoRunsRacingForOneLeaseExactlyOneWins() throws Exception {
    for (int round = 0; round < 3; round++) {
      String key = "nightly 2026-08-0" + (round + 1);
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<RunLease>> runs = new ArrayList<>();
      for (String run : List.of("racer-1", "racer-2")) {
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  return RunLease.acquire(spark(), store, key, run, 30, 3600);
                }));
      }
      start.countDown();
      List<RunLease> won = new ArrayList<>();
      List<ExitCode> lost = new ArrayList<>();
      for (Future<RunLease> f : runs) {
        try {
          won.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          lost.add(((ChurnException) e.getCause()).exitCode());
        }
      }
      pool.shutdown();
      assertThat(won).as(key).hasSize(1);
      assertThat(lost).as(key).containsExactly(ExitCode.ALREADY_RUNNING);
      won.get(0).close();
    }
  }

  @Test
  void aStageIsDoneOnlyWhenItsLatestSuccessForTheDateHadTheSameInputs() {
    // Invariant: nightly skips a stage only when the stage's latest success for the date was
    // nightly's with the same inputs; a failed stage, other inputs or a stand-alone rerun redo it.
    DeltaTableStore runs = new DeltaTableStore(spark(), dir.resolve("resume").toString());
    LocalDate d = LocalDate.of(2026, 7, 19);
    RunLedger first = new PipelineRuns(spark(), runs, "run-1", "nightly", d).withInputs("abc");
    first.succeeded(first.started("features"), TableActivity.none());
    first.failed(first.started("score"), "executor lost", TableActivity.none());
    RunLedger second = new PipelineRuns(spark(), runs, "run-2", "nightly", d).withInputs("abc");
    assertThat(second.succeededWith("features", "abc")).contains("run-1");
    assertThat(second.succeededWith("features", "new-files")).isEmpty();
    assertThat(second.succeededWith("score", "abc")).isEmpty();
    assertThat(
            new PipelineRuns(spark(), runs, "run-3", "nightly", d.plusDays(1))
                .succeededWith("features", "abc"))
        .isEmpty();
    second.skipped("features", "run-1");
    assertThat(
            runs
                .read(ChurnTable.PIPELINE_RUNS)
                .where("run_id = 'run-2'")
                .selectExpr(
                    "concat_ws('|', command, stage_seq, stage, status, error, inputs,"
                        + " seconds = 0, ended_at = started_at)")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList())
        .containsExactly(
            "nightly|1|features|skipped|succeeded in run run-1 with the same inputs|abc|true|true");
    // `features --as-of D` on its own replaced D's features since: the next nightly must redo
    // them. (A flow reads the date's successes once, under its lease: the next run sees this.)
    RunLedger manual = new PipelineRuns(spark(), runs, "run-4", "features", d);
    manual.succeeded(manual.started("features"), TableActivity.none());
    RunLedger third = new PipelineRuns(spark(), runs, "run-5", "nightly", d).withInputs("abc");
    assertThat(third.succeededWith("features", "abc")).isEmpty();
    // The flow's own success is seen at once: its ledger reads again after recording one.
    third.succeeded(third.started("score"), TableActivity.none());
    assertThat(third.succeededWith("score", "abc")).contains("run-5");
  }

  @Test
  void aLeaseWhoseHolderDiedOnThisHostIsTakenOverAtOnce() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String me = PipelineRuns.holder();
    String host = me.substring(0, me.lastIndexOf('/'));
    assertThat(RunLease.isDeadLocalProcess(host + "/" + gone.pid())).isTrue();
    assertThat(RunLease.isDeadLocalProcess(me)).isFalse();
    assertThat(RunLease.isDeadLocalProcess("another-host/" + gone.pid())).isFalse();
    // A killed driver's lease: held, fresh heartbeat, its process gone.
    java.sql.Timestamp now = new java.sql.Timestamp(System.currentTimeMillis());
    store.append(
        ChurnTable.PIPELINE_LEASES,
        spark()
            .createDataFrame(
                List.of(
                    org.apache.spark.sql.RowFactory.create(
                        "nightly 2026-09-01",
                        "run-killed",
                        host + "/" + gone.pid(),
                        now,
                        now,
                        null)),
                RunLease.SCHEMA));
    RunLease next = RunLease.acquire(spark(), store, "nightly 2026-09-01", "run-next", 30, 3600);
    assertThat(RunLease.holderOf(spark(), store, "nightly 2026-09-01").getString(0))
        .isEqualTo("run-next");
    next.close();
  }

  /**
   * Invariant: a ledger row appended with Delta Kernel (no Spark job) reads back through Spark
   * exactly as the same row appended through Spark, nested columns and timestamps included; appends
   * racing from two threads all land, each in its own commit; a table whose columns differ from the
   * rows' is left to Spark (which adds columns).
   */
  @Test
  void ledgerRowsAppendedWithKernelReadBackAsTheSameRowsAppendedWithSpark() throws Exception {
    DeltaTableStore s = new DeltaTableStore(spark(), dir.resolve("kernel").toString());
    Configuration hadoop = spark().sessionState().newHadoopConf();
    org.apache.spark.sql.types.StructType schema = PipelineRuns.SCHEMA;
    java.util.function.IntFunction<Row> row =
        i ->
            org.apache.spark.sql.RowFactory.create(
                "run-" + i,
                "nightly",
                java.sql.Date.valueOf("2026-07-19"),
                i,
                "stage-" + i,
                i % 2 == 0 ? "running" : "succeeded",
                java.sql.Timestamp.valueOf("2026-07-20 01:02:03.456789"),
                i % 2 == 0 ? null : java.sql.Timestamp.valueOf("2026-07-20 01:03:04.5"),
                i % 2 == 0 ? null : 61.044211,
                i % 3 == 0 ? "stage 'x' failed: \"quoted\", ümlaut" : null,
                "host/1",
                "0.1.0",
                i % 2 == 0 ? null : "inputs-" + i,
                i % 2 == 0
                    ? null
                    : new Object[] {
                      org.apache.spark.sql.RowFactory.create("events", 3L),
                      org.apache.spark.sql.RowFactory.create("daily_activity", (long) i)
                    },
                i % 2 == 0
                    ? null
                    : new Object[] {
                      org.apache.spark.sql.RowFactory.create("customer_features", 7L, 123L, 2)
                    },
                i % 2 == 0 ? null : 123L + i,
                "abc1234567",
                i % 4 == 3 ? Integer.valueOf(i % 4) : null);
    // The first row creates the table through Spark; Kernel then appends to it.
    assertThat(
            KernelAppend.append(
                hadoop, s.location(ChurnTable.PIPELINE_RUNS), schema, List.of(row.apply(0))))
        .isEmpty();
    s.append(ChurnTable.PIPELINE_RUNS, spark().createDataFrame(List.of(row.apply(0)), schema));
    DeltaTableStore viaSpark = new DeltaTableStore(spark(), dir.resolve("spark").toString());
    viaSpark.append(
        ChurnTable.PIPELINE_RUNS, spark().createDataFrame(List.of(row.apply(0)), schema));
    for (int i = 1; i <= 3; i++) {
      assertThat(
              KernelAppend.append(
                  hadoop, s.location(ChurnTable.PIPELINE_RUNS), schema, List.of(row.apply(i))))
          .hasValue(i);
      viaSpark.append(
          ChurnTable.PIPELINE_RUNS, spark().createDataFrame(List.of(row.apply(i)), schema));
    }
    assertThat(s.read(ChurnTable.PIPELINE_RUNS).schema())
        .isEqualTo(viaSpark.read(ChurnTable.PIPELINE_RUNS).schema());
    assertSameRows(
        viaSpark.read(ChurnTable.PIPELINE_RUNS).selectExpr("to_json(struct(*)) AS row"),
        s.read(ChurnTable.PIPELINE_RUNS).selectExpr("to_json(struct(*)) AS row"));

    // Kernel's files carry min and max statistics (Kernel 3.3 would record only numRecords), so a
    // skip check for one date reads that date's files only.
    String commit3 =
        java.nio.file.Files.readString(
            java.nio.file.Path.of(
                s.location(ChurnTable.PIPELINE_RUNS), "_delta_log/00000000000000000003.json"));
    assertThat(commit3)
        .contains("\\\"minValues\\\":{")
        .contains("\\\"as_of_date\\\":\\\"2026-07-19\\\"")
        .contains("\\\"run_id\\\":\\\"run-3\\\"");
    // Two writers at once: every row lands, in commits 4 .. 13.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<java.util.OptionalLong>> commits = new ArrayList<>();
    for (int i = 10; i < 20; i++) {
      int n = i;
      commits.add(
          pool.submit(
              () ->
                  KernelAppend.append(
                      hadoop,
                      s.location(ChurnTable.PIPELINE_RUNS),
                      schema,
                      List.of(row.apply(n)))));
    }
    List<Long> versions = new ArrayList<>();
    for (Future<java.util.OptionalLong> c : commits) {
      versions.add(c.get().orElseThrow());
    }
    pool.shutdown();
    assertThat(versions).containsExactlyInAnyOrder(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L);
    assertThat(
            s
                .read(ChurnTable.PIPELINE_RUNS)
                .selectExpr("stage_seq")
                .orderBy("stage_seq")
                .collectAsList()
                .stream()
                .map(r -> r.getInt(0))
                .toList())
        .containsExactly(0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);

    // A ledger written before a column existed: Kernel leaves it to Spark.
    DeltaTableStore old = new DeltaTableStore(spark(), dir.resolve("old").toString());
    org.apache.spark.sql.Dataset<Row> first =
        spark().createDataFrame(List.of(row.apply(1)), schema).drop("git_commit");
    old.append(ChurnTable.PIPELINE_RUNS, first);
    assertThat(
            KernelAppend.append(
                hadoop, old.location(ChurnTable.PIPELINE_RUNS), schema, List.of(row.apply(2))))
        .isEmpty();
  }
}
