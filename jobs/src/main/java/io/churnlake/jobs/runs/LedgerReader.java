package io.churnlake.jobs.runs;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
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

  /** One row of {@code pipeline_runs}: a stage's start or end. */
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
      String error) {}

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
          "error");

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
    return scan(location, hadoop, COLUMNS, LedgerReader::stageRow);
  }

  /**
   * Every row of the Delta table at {@code location}, its {@code columns} (those the table has)
   * mapped by {@code row}; empty when no table is there. For small tables read on the driver (the
   * ledger, the leases): no Spark job.
   */
  static <T> Optional<List<T>> scan(
      String location,
      Configuration hadoop,
      List<String> columns,
      java.util.function.Function<Row, T> row) {
    return scan(location, hadoop, columns, Optional.empty(), row);
  }

  /**
   * As {@link #scan(String, Configuration, List, java.util.function.Function)}, reading only the
   * files whose statistics may hold rows matching {@code skip} (Kernel's data skipping: rows of
   * other files can still come back, so the caller filters rows itself).
   */
  static <T> Optional<List<T>> scan(
      String location,
      Configuration hadoop,
      List<String> columns,
      Optional<io.delta.kernel.expressions.Predicate> skip,
      java.util.function.Function<Row, T> row) {
    Engine engine = DefaultEngine.create(hadoop);
    Snapshot snapshot;
    try {
      snapshot = Table.forPath(engine, location).getLatestSnapshot(engine);
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
    StructType schema = snapshot.getSchema(engine);
    StructType wanted = new StructType();
    for (String c : columns) {
      // Ledgers written before a column existed (rows_written) lack it.
      if (schema.fieldNames().contains(c)) {
        wanted = wanted.add(schema.get(c));
      }
    }
    io.delta.kernel.ScanBuilder builder =
        snapshot.getScanBuilder(engine).withReadSchema(engine, wanted);
    if (skip.isPresent()) {
      builder = builder.withFilter(engine, skip.get());
    }
    Scan scan = builder.build();
    Row state = scan.getScanState(engine);
    StructType physical = ScanStateRow.getPhysicalDataReadSchema(engine, state);
    List<T> rows = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            Row file = fileRows.next();
            FileStatus status = InternalScanFileUtils.getAddFileStatus(file);
            CloseableIterator<ColumnarBatch> data =
                engine
                    .getParquetHandler()
                    .readParquetFiles(
                        Utils.singletonCloseableIterator(status), physical, Optional.empty());
            try (CloseableIterator<FilteredColumnarBatch> logical =
                Scan.transformPhysicalData(engine, state, file, data)) {
              while (logical.hasNext()) {
                try (CloseableIterator<Row> r = logical.next().getRows()) {
                  while (r.hasNext()) {
                    rows.add(row.apply(r.next()));
                  }
                }
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the Delta table at " + location, e);
    }
    return Optional.of(rows);
  }

  private static StageRow stageRow(Row r) {
    StructType s = r.getSchema();
    return new StageRow(
        string(r, s, "run_id"),
        string(r, s, "command"),
        isNull(r, s, "as_of_date") ? null : LocalDate.ofEpochDay(r.getInt(s.indexOf("as_of_date"))),
        r.getInt(s.indexOf("stage_seq")),
        string(r, s, "stage"),
        string(r, s, "status"),
        instant(r, s, "started_at"),
        instant(r, s, "ended_at"),
        isNull(r, s, "seconds") ? null : r.getDouble(s.indexOf("seconds")),
        isNull(r, s, "rows_written") ? null : r.getLong(s.indexOf("rows_written")),
        string(r, s, "error"));
  }

  private static boolean isNull(Row r, StructType s, String column) {
    int i = s.indexOf(column);
    return i < 0 || r.isNullAt(i);
  }

  static String string(Row r, StructType s, String column) {
    return isNull(r, s, column) ? null : r.getString(s.indexOf(column));
  }

  /** Delta stores timestamps as microseconds since the epoch (UTC). */
  static Instant instant(Row r, StructType s, String column) {
    if (isNull(r, s, column)) {
      return null;
    }
    long micros = r.getLong(s.indexOf(column));
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
