package io.churnlake.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit codes and one-line messages an orchestrator relies on. */
class CliExitCodesTest {
  @TempDir static Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ChurnlakeCli.execute(args, new PrintStream(out, true), new PrintStream(err, true));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String[] withWarehouse(String... args) {
    String[] all = new String[args.length + 6];
    all[0] = "--set";
    all[1] = "warehouse=\"" + dir.resolve("wh") + "\"";
    all[2] = "--set";
    all[3] = "spark.master=\"local[1]\"";
    all[4] = "--set";
    all[5] = "spark.shuffle-partitions=1";
    System.arraycopy(args, 0, all, 6, args.length);
    return all;
  }

  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    for (String c :
        new String[] {
          "generate",
          "ingest",
          "features",
          "labels",
          "train",
          "score",
          "segment",
          "nightly",
          "demo",
          "sql"
        }) {
      assertThat(r.out()).contains("  " + c + " ");
    }
    assertThat(r.out()).contains("2  usage or configuration error");
  }

  @Test
  void commandHelpStatesDefaultsFromTheConfiguration() {
    Run r = run("generate", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Customers to simulate (default: 2000)")
        .contains("(default: 2026-01-01)");
  }

  @Test
  void statusOnAWarehouseWithoutRunsSaysSoAndABadRunCountIsAUsageError() {
    // A warehouse of its own: the other tests of this class record runs in theirs.
    Run r = run("--set", "warehouse=\"" + dir.resolve("no-runs") + "\"", "status");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "no runs recorded yet in "
                + dir.resolve("no-runs").resolve("pipeline_runs")
                + " (commands record their stages when runs.ledger = true)\n");
    Run bad = run(withWarehouse("status", "--runs", "0"));
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--runs").contains("a whole number >= 1").hasLineCount(1);
  }

  @Test
  void setsAndConfigsBeforeAndAfterTheCommandAllApplyTheLaterWinning() throws Exception {
    // Invariant: options given after the command add to those given before it (picocli's
    // inherited list options started a new list at the command, discarding the warehouse).
    String first = dir.resolve("before").toString();
    String second = dir.resolve("after").toString();
    Run r =
        run(
            "--set",
            "warehouse=\"" + first + "\"",
            "--set",
            "runs.lease-stale-minutes=7",
            "status",
            "--set",
            "spark.shuffle-partitions=3");
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("no runs recorded yet in " + first + "/pipeline_runs ");
    Run later =
        run(
            "--set",
            "warehouse=\"" + first + "\"",
            "status",
            "--set",
            "warehouse=\"" + second + "\"");
    assertThat(later.out()).startsWith("no runs recorded yet in " + second + "/pipeline_runs ");
    // A --config after the command is read too, and a --set (before or after) wins over it.
    java.nio.file.Path conf = dir.resolve("after.conf");
    java.nio.file.Files.writeString(conf, "churnlake.warehouse = \"" + second + "\"\n");
    assertThat(run("status", "--config", conf.toString()).out())
        .startsWith("no runs recorded yet in " + second + "/pipeline_runs ");
    assertThat(
            run("--set", "warehouse=\"" + first + "\"", "status", "--config", conf.toString())
                .out())
        .startsWith("no runs recorded yet in " + first + "/pipeline_runs ");
  }

  @Test
  void unknownCommandIsUsageError() {
    Run r = run("bogus");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("churnlake: Unmatched argument at index 0: 'bogus'")
        .hasLineCount(1);
  }

  @Test
  void missingOrMalformedAsOfIsUsageError() {
    assertThat(run("features").err()).contains("Missing required option: '--as-of=DATE'");
    Run bad = run("score", "--as-of", "2026-02-30");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("'2026-02-30' is not an ISO date yyyy-MM-dd").hasLineCount(1);
  }

  @Test
  void unknownConfigKeyIsUsageErrorBeforeSparkStarts() {
    // Every command refuses it, those that print documentation without Spark included.
    for (List<String> command :
        List.of(
            List.of("nightly", "--as-of", "2026-03-01"),
            List.of("tables"),
            List.of("dictionary"),
            List.of("status"))) {
      List<String> args = new java.util.ArrayList<>(command);
      args.addAll(List.of("--set", "segment.hi-from=0.5"));
      Run r = run(args.toArray(String[]::new));
      assertThat(r.code()).as(command.get(0)).isEqualTo(2);
      assertThat(r.err())
          .as(command.get(0))
          .startsWith("churnlake: unknown configuration key 'churnlake.segment.hi-from'")
          .hasLineCount(1);
    }
  }

  @Test
  void unreadableInputPathIsRuntimeFailureNamingThePath() {
    Path missing = dir.resolve("no-such-log");
    Run r = run(withWarehouse("--set", "sources.events.path=\"" + missing + "\"", "ingest"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "churnlake: input path '"
                + missing
                + "' (source 'events', churnlake.sources.events.path) does not exist or cannot be"
                + " read\n");
  }

  @Test
  void aWarehouseThatCannotBeWrittenIsAUsageErrorNamingThePath() throws Exception {
    Path file = dir.resolve("plain-file");
    java.nio.file.Files.writeString(file, "x");
    String warehouse = file + "/warehouse";
    Run r = run(withWarehouse("--set", "warehouse=\"" + warehouse + "\"", "ingest"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("churnlake: cannot write the warehouse '" + warehouse + "' (")
        .endsWith(
            "); set warehouse (--set warehouse=DIR or a --config file) to a directory this user"
                + " can create and write\n");
  }

  @Test
  void eachRunRecordsItsExitCodeWhichStatusReturnsForItsRunId() throws Exception {
    // Invariant: what an orchestrator reads back for a run id ('status --run ID --exit-code') is
    // the exit code the command returned: the contract in cluster deploy mode, where spark-submit
    // does not return the driver's code.
    Path warehouse = dir.resolve("outcomes");
    Path empty = java.nio.file.Files.createDirectories(dir.resolve("no-files-yet"));
    String[] at = {"--set", "warehouse=\"" + warehouse + "\""};
    Run failed =
        run(
            withWarehouse(
                at[0], at[1], "--run-id", "night-1", "features", "--as-of", "2020-01-01"));
    assertThat(failed.code()).isEqualTo(1);
    Run refused =
        run(
            withWarehouse(
                at[0],
                at[1],
                "--run-id",
                "night-2",
                "--set",
                "segment.high-from=7",
                "features",
                "--as-of",
                "2020-01-01"));
    assertThat(refused.code()).isEqualTo(2);
    Run done =
        run(
            withWarehouse(
                at[0],
                at[1],
                "--set",
                "sources.events.path=\"" + empty + "\"",
                "ingest",
                "--run-id",
                "night-3"));
    assertThat(done.code()).isZero();

    Run one = run(at[0], at[1], "status", "--run", "night-1", "--exit-code");
    assertThat(one.code()).isEqualTo(1);
    assertThat(one.out())
        .containsPattern("\\|features *\\|failed *\\| *\\|")
        .containsPattern("\\|exit *\\|failed *\\|1 *\\|")
        .endsWith(
            "run night-1: exit 1 (table 'events' has no rows on or before as-of date 2020-01-01;"
                + " ingest files dated on or before it first)\n");
    Run two = run(at[0], at[1], "status", "--run", "night-2", "--exit-code");
    assertThat(two.code()).isEqualTo(2);
    assertThat(two.out())
        .containsPattern("\\|exit *\\|failed *\\|2 *\\|")
        .contains("run night-2: exit 2 (")
        .contains("high-from");
    Run three = run(at[0], at[1], "status", "--run", "night-3", "--exit-code");
    assertThat(three.code()).isZero();
    assertThat(three.out())
        .contains("|ingest")
        .containsPattern("\\|exit *\\|succeeded *\\|0 *\\|")
        .endsWith("run night-3: exit 0\n");
    // Without --exit-code, status itself succeeds whatever the run did.
    assertThat(run(at[0], at[1], "status", "--run", "night-1").code()).isZero();
    Run never = run(at[0], at[1], "status", "--run", "never-ran", "--exit-code");
    assertThat(never.code()).isEqualTo(1);
    assertThat(never.out())
        .isEqualTo(
            "run never-ran: no row in "
                + warehouse
                + "/pipeline_runs; it did not start, or stopped before its configuration named this"
                + " warehouse (exit 1: retry)\n");
    assertThat(run(at[0], at[1], "status", "--exit-code").code()).isEqualTo(2);
    Run badId = run(withWarehouse("--run-id", "two words", "ingest"));
    assertThat(badId.code()).isEqualTo(2);
    assertThat(badId.err()).contains("--run-id").contains("1 to 128 of A-Z a-z 0-9 . _ : -");
  }

  @Test
  void asOfDateWithNoDataIsRuntimeFailureNamingTheDate() {
    Run r = run(withWarehouse("features", "--as-of", "2020-01-01"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "churnlake: table 'events' has no rows on or before as-of date 2020-01-01; ingest files dated on or before it first\n");
  }

  @Test
  void anAsOfDateAndARangeTogetherIsAUsageErrorBeforeSparkStarts() {
    Run r = run(withWarehouse("features", "--as-of", "2026-03-01", "--from", "2026-03-01"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "churnlake: --as-of has value '2026-03-01'; allowed: either --as-of DATE or"
                + " --from DATE --to DATE [--every DAYS]\n");
    Run backwards = run(withWarehouse("labels", "--from", "2026-03-10", "--to", "2026-03-01"));
    assertThat(backwards.code()).isEqualTo(2);
    assertThat(backwards.err())
        .isEqualTo(
            "churnlake: --to has value '2026-03-01'; allowed: --from and --to together,"
                + " --to on or after --from\n");
  }

  @Test
  void malformedSqlIsUsageErrorWithSparksFirstLine() {
    Run r = run(withWarehouse("sql", "SELEC 1"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("churnlake: query failed: [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'")
        .hasLineCount(1);
  }

  @Test
  void sqlPrintsCsvWithSparksTextForms() {
    Run r =
        run(
            withWarehouse(
                "sql",
                "--format",
                "csv",
                "SELECT array('a', 'b') AS drivers, DATE'2026-03-01' AS d, 'x,y' AS s"));
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("drivers,d,s\n\"[a, b]\",2026-03-01,\"x,y\"\n");
    // An unnamed expression is named by its text, dots and all: printed, not re-resolved.
    Run unnamed = run(withWarehouse("sql", "--format", "csv", "SELECT 0.5 * 2 > 0.75"));
    assertThat(unnamed.code()).isZero();
    assertThat(unnamed.out()).isEqualTo("((0.5 * 2) > 0.75)\ntrue\n");
  }
}
