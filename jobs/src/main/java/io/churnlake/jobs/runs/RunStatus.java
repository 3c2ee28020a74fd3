package io.churnlake.jobs.runs;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.jobs.runs.LedgerReader.StageRow;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code churnlake status}: the stages of the latest runs, from {@code pipeline_runs}, read with
 * Delta Kernel (no Spark; {@link LedgerReader}).
 */
public final class RunStatus {
  private RunStatus() {}

  /** The columns {@code status} prints, in order. */
  public static final List<String> HEADER =
      List.of(
          "run",
          "command",
          "as_of_date",
          "stage",
          "status",
          "exit",
          "started_at",
          "seconds",
          "rows_out",
          "error");

  private static final int MAX_CELL = 80;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * The stages of the {@code runs} latest runs (by their latest stage start), newest run first,
   * each run's stages in order: one row per stage with its last status (the row that ended last; a
   * stage whose driver died stays running).
   */
  public static List<StageRow> latestRuns(List<StageRow> ledger, int runs) {
    Map<String, Instant> runStart = new HashMap<>();
    for (StageRow r : ledger) {
      runStart.merge(r.runId(), r.startedAt(), (a, b) -> a.isAfter(b) ? a : b);
    }
    Comparator<String> newestFirst =
        Comparator.comparing((String id) -> runStart.get(id))
            .reversed()
            .thenComparing(Comparator.naturalOrder());
    List<String> newest = runStart.keySet().stream().sorted(newestFirst).limit(runs).toList();
    Map<String, Integer> order = new HashMap<>();
    for (int i = 0; i < newest.size(); i++) {
      order.put(newest.get(i), i);
    }
    Comparator<Instant> endedLast = Comparator.nullsFirst(Comparator.naturalOrder());
    Map<String, StageRow> last = new LinkedHashMap<>();
    for (StageRow r : ledger) {
      if (!order.containsKey(r.runId())) {
        continue;
      }
      last.merge(
          r.runId() + "\u0000" + r.stageSeq(),
          r,
          (a, b) -> endedLast.compare(b.endedAt(), a.endedAt()) > 0 ? b : a);
    }
    return last.values().stream()
        .sorted(
            Comparator.comparing((StageRow r) -> order.get(r.runId()))
                .thenComparingInt(StageRow::stageSeq))
        .toList();
  }

  /** The printed cells of a stage row, in {@link #HEADER}'s order ("" for none). */
  public static List<String> cells(StageRow r) {
    return List.of(
        r.runId().substring(0, Math.min(8, r.runId().length())),
        r.command(),
        r.asOfDate() == null ? "" : r.asOfDate().toString(),
        r.stage(),
        r.status(),
        r.exitCode() == null ? "" : Integer.toString(r.exitCode()),
        TIME.format(r.startedAt()),
        r.seconds() == null ? "" : String.format(Locale.ROOT, "%.1f", r.seconds()),
        r.rowsWritten() == null ? "" : Long.toString(r.rowsWritten()),
        r.error() == null ? "" : r.error().replaceAll("\\s+", " "));
  }

  /** A bordered text table of {@code rows} under {@link #HEADER}; long cells end in "...". */
  public static String render(List<StageRow> rows) {
    List<List<String>> table = new ArrayList<>();
    table.add(HEADER);
    for (StageRow r : rows) {
      table.add(
          cells(r).stream()
              .map(c -> c.length() > MAX_CELL ? c.substring(0, MAX_CELL - 3) + "..." : c)
              .toList());
    }
    int[] width = new int[HEADER.size()];
    for (List<String> row : table) {
      for (int i = 0; i < width.length; i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder line = new StringBuilder("+");
    for (int w : width) {
      line.append("-".repeat(w)).append('+');
    }
    StringBuilder out = new StringBuilder(line).append('\n');
    for (int n = 0; n < table.size(); n++) {
      out.append('|');
      for (int i = 0; i < width.length; i++) {
        String c = table.get(n).get(i);
        out.append(c).append(" ".repeat(width[i] - c.length())).append('|');
      }
      out.append('\n');
      if (n == 0) {
        out.append(line).append('\n');
      }
    }
    return out.append(line).append('\n').toString();
  }

  /**
   * The stages of one run, in order, each with its last status (as {@link #latestRuns}); empty when
   * the ledger holds no row of that run.
   */
  public static List<StageRow> run(List<StageRow> ledger, String runId) {
    return latestRuns(ledger.stream().filter(r -> r.runId().equals(runId)).toList(), 1);
  }

  /**
   * How a run ended, for an orchestrator that cannot see the driver's exit code (cluster deploy
   * mode): the exit code its {@code exit} row records, with a line saying so; a run with no such
   * row (not started, still running, its driver killed, or refused before its configuration named
   * the warehouse) is 1: a failure to retry.
   */
  public record Outcome(int exitCode, String line) {}

  public static Outcome outcome(List<StageRow> stages, String runId, String location) {
    if (stages.isEmpty()) {
      return new Outcome(
          io.churnlake.common.errors.ExitCode.RUNTIME_FAILURE.code(),
          "run "
              + runId
              + ": no row in "
              + location
              + "; it did not start, or stopped before its configuration named this warehouse"
              + " (exit 1: retry)");
    }
    StageRow last = stages.get(stages.size() - 1);
    if (!RunLedger.EXIT_STAGE.equals(last.stage()) || last.exitCode() == null) {
      return new Outcome(
          io.churnlake.common.errors.ExitCode.RUNTIME_FAILURE.code(),
          "run "
              + runId
              + ": no outcome recorded; its last stage is "
              + last.stage()
              + " "
              + last.status()
              + " (still running, or its driver died: exit 1, retry resumes it)");
    }
    return new Outcome(
        last.exitCode(),
        "run "
            + runId
            + ": exit "
            + last.exitCode()
            + (last.error() == null ? "" : " (" + last.error().replaceAll("\\s+", " ") + ")"));
  }

  /**
   * Prints one run's stages and how it ended; returns its recorded exit code ({@link #outcome}).
   */
  public static int printRun(ChurnConfig config, String runId, PrintStream out) {
    String location = DeltaTableStore.location(config.warehouse(), ChurnTable.PIPELINE_RUNS);
    List<StageRow> stages =
        LedgerReader.read(location, LedgerReader.hadoopConfiguration(config.spark().extra()))
            .map(ledger -> run(ledger, runId))
            .orElse(List.of());
    if (!stages.isEmpty()) {
      out.print(render(stages));
    }
    Outcome o = outcome(stages, runId, location);
    out.println(o.line());
    return o.exitCode();
  }

  /** Prints the stages of the {@code runs} latest runs of the configured warehouse. */
  public static void print(ChurnConfig config, int runs, PrintStream out) {
    String location = DeltaTableStore.location(config.warehouse(), ChurnTable.PIPELINE_RUNS);
    Optional<List<StageRow>> ledger =
        LedgerReader.read(location, LedgerReader.hadoopConfiguration(config.spark().extra()));
    if (ledger.isEmpty()) {
      out.println(
          "no runs recorded yet in "
              + location
              + " (commands record their stages when runs.ledger = true)");
      return;
    }
    out.print(render(latestRuns(ledger.get(), runs)));
  }
}
