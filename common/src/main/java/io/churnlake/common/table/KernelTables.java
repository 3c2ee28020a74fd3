package io.churnlake.common.table;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Small Delta tables read with Delta Kernel on the driver, without a Spark job and without a Spark
 * snapshot of the table (the run ledger, the leases), and a table's file statistics asked whether
 * any file may hold rows of a predicate (so that a delete with nothing to delete is not run).
 */
public final class KernelTables {
  private KernelTables() {}

  /**
   * Every row of the Delta table at {@code location}, its {@code columns} (those the table has)
   * mapped by {@code row}; empty when no table is there. For small tables read on the driver (the
   * ledger, the leases): no Spark job.
   */
  public static <T> Optional<List<T>> scan(
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
  public static <T> Optional<List<T>> scan(
      String location,
      Configuration hadoop,
      List<String> columns,
      Optional<io.delta.kernel.expressions.Predicate> skip,
      java.util.function.Function<Row, T> row) {
    Engine engine = DefaultEngine.create(hadoop);
    Optional<Snapshot> latest = latest(engine, location);
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    Snapshot snapshot = latest.get();
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

  /**
   * Whether any data file of the Delta table at {@code location} may hold rows matching {@code
   * predicate}, judged from the files' statistics by Kernel's data skipping (a file without
   * statistics on the predicate's columns may). False when the table does not exist. Reads the log
   * only, no data file.
   */
  public static boolean mayHoldRows(String location, Configuration hadoop, Predicate predicate) {
    Engine engine = DefaultEngine.create(hadoop);
    Optional<Snapshot> latest = latest(engine, location);
    if (latest.isEmpty()) {
      return false;
    }
    Scan scan = latest.get().getScanBuilder(engine).withFilter(engine, predicate).build();
    boolean[] found = {false};
    visitFiles(
        engine,
        scan,
        location,
        file -> {
          found[0] = true;
          return false;
        });
    return found[0];
  }

  /**
   * A table's version and the distinct values of one of its partition columns, as its log's file
   * entries record them (null values left out).
   */
  public record PartitionValues(long version, java.util.SortedSet<String> values) {}

  /**
   * The distinct values of the partition column {@code column} of the Delta table at {@code
   * location}, read from its log on the driver: no data file and no Spark job (a Spark snapshot
   * would rebuild the table's state with a job first). Empty when no table is there. Fails with
   * Kernel's exception when Kernel cannot read the table (a protocol feature it does not support).
   */
  public static Optional<PartitionValues> partitionValues(
      String location, Configuration hadoop, String column) {
    Engine engine = DefaultEngine.create(hadoop);
    Optional<Snapshot> latest = latest(engine, location);
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    Snapshot snapshot = latest.get();
    // Under column mapping the log keys partition values by the column's physical name.
    StructType schema = snapshot.getSchema(engine);
    String key = column;
    if (schema.fieldNames().contains(column)) {
      Object physical = schema.get(column).getMetadata().get("delta.columnMapping.physicalName");
      if (physical instanceof String name) {
        key = name;
      }
    }
    java.util.SortedSet<String> values = new java.util.TreeSet<>();
    String physicalKey = key;
    visitFiles(
        engine,
        snapshot.getScanBuilder(engine).withReadSchema(engine, new StructType()).build(),
        location,
        file -> {
          String v = InternalScanFileUtils.getPartitionValues(file).get(physicalKey);
          if (v != null) {
            values.add(v);
          }
          return true;
        });
    return Optional.of(new PartitionValues(snapshot.getVersion(engine), values));
  }

  /**
   * The bytes of the data files of the Delta table at {@code location}'s newest version, summed
   * from its log on the driver (no data file read, no Spark job); 0 when no table is there. Fails
   * with Kernel's exception when Kernel cannot read the table.
   */
  public static long sizeInBytes(String location, Configuration hadoop) {
    Engine engine = DefaultEngine.create(hadoop);
    Optional<Snapshot> latest = latest(engine, location);
    if (latest.isEmpty()) {
      return 0;
    }
    long[] bytes = {0};
    visitFiles(
        engine,
        latest.get().getScanBuilder(engine).withReadSchema(engine, new StructType()).build(),
        location,
        file -> {
          bytes[0] += InternalScanFileUtils.getAddFileStatus(file).getSize();
          return true;
        });
    return bytes[0];
  }

  /**
   * The rows of the Delta table at {@code location}'s newest version, summed from the {@code
   * numRecords} statistics its log records for each data file (no data file read, no Spark job): 0
   * when no table is there; empty when a file has no such statistics or a deletion vector (its live
   * rows are then not in the log), and the caller counts through Spark.
   */
  public static Optional<Long> rowCount(String location, Configuration hadoop) {
    Engine engine = DefaultEngine.create(hadoop);
    Optional<Snapshot> latest = latest(engine, location);
    if (latest.isEmpty()) {
      return Optional.of(0L);
    }
    io.delta.kernel.internal.ScanImpl scan =
        (io.delta.kernel.internal.ScanImpl)
            latest.get().getScanBuilder(engine).withReadSchema(engine, new StructType()).build();
    long rows = 0;
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine, true)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> batch = files.next().getRows()) {
          while (batch.hasNext()) {
            Row file = batch.next();
            Row add = file.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
            long n =
                InternalScanFileUtils.getDeletionVectorDescriptorFromRow(file) != null
                        || add.isNullAt(InternalScanFileUtils.ADD_FILE_STATS_ORDINAL)
                    ? -1
                    : numRecords(add.getString(InternalScanFileUtils.ADD_FILE_STATS_ORDINAL));
            if (n < 0) {
              return Optional.empty();
            }
            rows += n;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the Delta log at " + location, e);
    }
    return Optional.of(rows);
  }

  /** {@code numRecords} of a data file's statistics JSON; -1 when it is not there. */
  static long numRecords(String statsJson) {
    try {
      com.fasterxml.jackson.databind.JsonNode n = STATS.readTree(statsJson).get("numRecords");
      return n != null && n.canConvertToLong() ? n.asLong() : -1;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return -1;
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper STATS =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * The data files of a Delta table's newest version, for a reader that reads them as plain
   * Parquet: the version, the table's schema (Delta's JSON form, which is Spark's), its partition
   * columns and the files (absolute path, bytes, modification time in epoch milliseconds).
   */
  public record PlainFiles(
      long version, String schemaJson, List<String> partitionColumns, List<DataFile> files) {}

  /** One data file as the log records it. */
  public record DataFile(String path, long size, long modificationTime) {}

  /**
   * The files of the Delta table at {@code location}'s newest version, listed from its log on the
   * driver, when its rows are exactly those of its Parquet files read with the partition values
   * their directories name: no deletion vectors, no column mapping, and every file under {@code
   * column=value/...} directories in the partition columns' order, as Delta's writer lays them out.
   * Empty when no table is there or when any of that does not hold (the caller then reads through
   * Delta). Fails with Kernel's exception when Kernel cannot read the table.
   */
  public static Optional<PlainFiles> plainFiles(String location, Configuration hadoop) {
    Engine engine = DefaultEngine.create(hadoop);
    Optional<Snapshot> latest = latest(engine, location);
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    Snapshot snapshot = latest.get();
    StructType schema = snapshot.getSchema(engine);
    for (io.delta.kernel.types.StructField f : schema.fields()) {
      if (f.getMetadata().get("delta.columnMapping.physicalName") != null) {
        return Optional.empty();
      }
    }
    List<String> partitions = snapshot.getPartitionColumnNames(engine);
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
    String rootUri;
    try {
      rootUri = root.getFileSystem(hadoop).makeQualified(root).toUri().getPath();
    } catch (IOException e) {
      throw new UncheckedIOException("resolving the Delta table at " + location, e);
    }
    List<DataFile> paths = new ArrayList<>();
    boolean[] plain = {true};
    visitFiles(
        engine,
        snapshot.getScanBuilder(engine).withReadSchema(engine, new StructType()).build(),
        location,
        file -> {
          FileStatus status = InternalScanFileUtils.getAddFileStatus(file);
          String path = status.getPath();
          if (InternalScanFileUtils.getDeletionVectorDescriptorFromRow(file) != null
              || !laidOutByPartition(
                  rootUri, path, partitions, InternalScanFileUtils.getPartitionValues(file))) {
            plain[0] = false;
            return false;
          }
          paths.add(new DataFile(path, status.getSize(), status.getModificationTime()));
          return true;
        });
    if (!plain[0]) {
      return Optional.empty();
    }
    return Optional.of(
        new PlainFiles(snapshot.getVersion(engine), schema.toJson(), partitions, paths));
  }

  /**
   * Whether a data file's path, below the table root, is {@code c1=v1/.../cn=vn/<file>} with the
   * partition values of its log entry, escaped as Hive and Spark escape directory names.
   */
  static boolean laidOutByPartition(
      String rootPath,
      String filePath,
      List<String> columns,
      java.util.Map<String, String> values) {
    String path = new org.apache.hadoop.fs.Path(filePath).toUri().getPath();
    String prefix = rootPath.endsWith("/") ? rootPath : rootPath + "/";
    if (!path.startsWith(prefix)) {
      return false;
    }
    String[] parts = path.substring(prefix.length()).split("/");
    if (parts.length != columns.size() + 1) {
      return false;
    }
    for (int i = 0; i < columns.size(); i++) {
      String value = values.get(columns.get(i));
      String expected =
          org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils.getPartitionPathString(
              columns.get(i),
              value == null
                  ? org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils
                      .DEFAULT_PARTITION_NAME()
                  : value);
      if (!parts[i].equals(expected)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Hands each data file entry of {@code scan} (one row per file, from the log only) to {@code
   * visit} until it returns false.
   */
  private static void visitFiles(
      Engine engine, Scan scan, String location, java.util.function.Predicate<Row> visit) {
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> rows = files.next().getRows()) {
          while (rows.hasNext()) {
            if (!visit.test(rows.next())) {
              return;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the Delta log at " + location, e);
    }
  }

  /**
   * The newest snapshot of the Delta table at {@code location}; empty when no table is there, or
   * while another writer is creating it (its log directory exists, its first commit not yet: Kernel
   * 3.3 reports that as a plain RuntimeException, "No delta files found in the directory").
   */
  private static Optional<Snapshot> latest(Engine engine, String location) {
    try {
      return Optional.of(Table.forPath(engine, location).getLatestSnapshot(engine));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).startsWith("No delta files found in the directory")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public static boolean isNull(Row r, StructType s, String column) {
    int i = s.indexOf(column);
    return i < 0 || r.isNullAt(i);
  }

  public static String string(Row r, StructType s, String column) {
    return isNull(r, s, column) ? null : r.getString(s.indexOf(column));
  }

  /** Delta stores timestamps as microseconds since the epoch (UTC). */
  public static Instant instant(Row r, StructType s, String column) {
    if (isNull(r, s, column)) {
      return null;
    }
    long micros = r.getLong(s.indexOf(column));
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
