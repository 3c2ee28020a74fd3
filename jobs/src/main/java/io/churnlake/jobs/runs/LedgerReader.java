package io.churnlake.jobs.runs;

import io.churnlake.common.table.KernelTables;
import io.delta.kernel.data.Row;
import io.delta.kernel.types.StructType;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads the run ledger ({@code pipeline_runs}) with Delta Kernel, in this JVM, without Spark: an
 * operator's {@code status} answers in a few seconds instead of starting a Spark application and
 * replaying the Delta log with Spark jobs. The ledger grows with runs (about 25 rows a night), not
 * with customers.
 */
public final class LedgerReader {
  private LedgerReader() {}

  /**
   * One row of {@code pipeline_runs}: a stage's start or end, or how the run ended (stage {@code
   * exit}, with the command's exit code).
   */
  public record StageRow(
      String runId,
      String command,
      LocalDate asOfDate,
      int stageSeq,
      String stage,
      String status,
      Instant startedAt,
      Instant endedAt,
      Double seconds,
      Long rowsWritten,
      String error,
      Integer exitCode) {}

  private static final List<String> COLUMNS =
      List.of(
          "run_id",
          "command",
          "as_of_date",
          "stage_seq",
          "stage",
          "status",
          "started_at",
          "ended_at",
          "seconds",
          "rows_written",
          "error",
          "exit_code");

  /**
   * Hadoop settings from the configured Spark settings ({@code spark.hadoop.*}, as Spark passes
   * them on), so that a warehouse on an object store is read with the same credentials.
   */
  public static Configuration hadoopConfiguration(Map<String, String> sparkSettings) {
    Configuration conf = new Configuration();
    sparkSettings.forEach(
        (k, v) -> {
          if (k.startsWith("spark.hadoop.")) {
            conf.set(k.substring("spark.hadoop.".length()), v);
          }
        });
    return conf;
  }

  /** Every row of the ledger at {@code location}, or empty when no ledger table is there. */
  public static Optional<List<StageRow>> read(String location, Configuration hadoop) {
    return KernelTables.scan(location, hadoop, COLUMNS, LedgerReader::stageRow);
  }

  private static StageRow stageRow(Row r) {
    StructType s = r.getSchema();
    return new StageRow(
        KernelTables.string(r, s, "run_id"),
        KernelTables.string(r, s, "command"),
        KernelTables.isNull(r, s, "as_of_date")
            ? null
            : LocalDate.ofEpochDay(r.getInt(s.indexOf("as_of_date"))),
        r.getInt(s.indexOf("stage_seq")),
        KernelTables.string(r, s, "stage"),
        KernelTables.string(r, s, "status"),
        KernelTables.instant(r, s, "started_at"),
        KernelTables.instant(r, s, "ended_at"),
        KernelTables.isNull(r, s, "seconds") ? null : r.getDouble(s.indexOf("seconds")),
        KernelTables.isNull(r, s, "rows_written") ? null : r.getLong(s.indexOf("rows_written")),
        KernelTables.string(r, s, "error"),
        KernelTables.isNull(r, s, "exit_code") ? null : r.getInt(s.indexOf("exit_code")));
  }
}
