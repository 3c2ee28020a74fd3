package io.churnlake.common.table;

import io.churnlake.common.errors.ChurnErrors;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delta Lake tables under one warehouse directory: {@code <warehouse>/<table name>}. */
public final class DeltaTableStore implements TableStore {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTableStore.class);

  private static final int MAX_ATTEMPTS = 5;
  static final String PAUSE_PROPERTY = "churnlake.fault.pause-after-commit-ms";
  private final SparkSession spark;
  private final String warehouse;

  public DeltaTableStore(SparkSession spark, String warehouse) {
    this.spark = spark;
    this.warehouse =
        warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
  }

  @Override
  public boolean exists(ChurnTable table) {
    return DeltaTable.isDeltaTable(spark, location(table));
  }

  @Override
  public Dataset<Row> read(ChurnTable table) {
    if (!exists(table)) {
      throw ChurnErrors.tableMissing(
          table.tableName(), location(table), "run the stage that writes it first");
    }
    return spark.read().format("delta").load(location(table));
  }

  @Override
  public void replaceWhere(ChurnTable table, Dataset<Row> rows, String predicate) {
    replaceWhere(table, rows, predicate, null);
  }

  @Override
  public void replaceWhere(ChurnTable table, Dataset<Row> rows, String predicate, String tag) {
    DataFrameWriter<Row> writer =
        clustered(table, rows)
            .write()
            .format("delta")
            .mode(SaveMode.Overwrite)
            .option("replaceWhere", predicate);
    if (tag != null) {
      writer.option("userMetadata", tag);
    }
    String shown = predicate.length() > 100 ? predicate.substring(0, 97) + "..." : predicate;
    write(table, writer, "replace where " + shown);
  }

  @Override
  public void append(ChurnTable table, Dataset<Row> rows) {
    write(table, clustered(table, rows).write().format("delta").mode(SaveMode.Append), "append");
  }

  /**
   * Rows of one partition value go to one task, so each partition directory gets one file per write
   * instead of one per upstream task (a daily batch would otherwise scatter small files).
   */
  private static Dataset<Row> clustered(ChurnTable table, Dataset<Row> rows) {
    return table.partitionColumn().map(c -> rows.repartition(functions.col(c))).orElse(rows);
  }

  @Override
  public void delete(ChurnTable table, String predicate) {
    if (exists(table)) {
      retrying(table, () -> DeltaTable.forPath(spark, location(table)).delete(predicate));
      LOG.info(
          "table {} delete where {}: now version {}", table.tableName(), predicate, version(table));
    }
  }

  private void write(ChurnTable table, DataFrameWriter<Row> writer, String what) {
    if (!exists(table)) {
      table.partitionColumn().ifPresent(writer::partitionBy);
    }
    writer.option("mergeSchema", "true");
    retrying(table, () -> writer.save(location(table)));
    LOG.info("table {} {}: now version {}", table.tableName(), what, version(table));
    if (!table.operational()) {
      // Crash tests kill the process between data commits; ledger rows are not such commits.
      pauseForFaultInjection();
    }
  }

  /**
   * Fault injection for the crash-recovery test: with the system property {@value #PAUSE_PROPERTY}
   * set to milliseconds, every commit is followed by that pause, so a test can SIGKILL the process
   * between two commits. Unset in normal runs.
   */
  private static void pauseForFaultInjection() {
    long millis = Long.getLong(PAUSE_PROPERTY, 0L);
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Runs a write, retrying when a concurrent writer (another ingest of a different source, say)
   * committed first. Every write here replaces a predicate's rows, so a retry is idempotent.
   */
  private void retrying(ChurnTable table, Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (io.delta.exceptions.DeltaConcurrentModificationException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        LOG.warn(
            "table {}: concurrent commit ({}); retrying, attempt {} of {}",
            table.tableName(),
            e.getClass().getSimpleName(),
            attempt + 1,
            MAX_ATTEMPTS);
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  @Override
  public long committedRows(ChurnTable table, String tag) {
    // Recent commits only: the tagged one is at most a few concurrent commits back.
    for (Row r :
        DeltaTable.forPath(spark, location(table))
            .history(50)
            .where(functions.col("userMetadata").equalTo(tag))
            .orderBy(functions.col("version").desc())
            .select("operationMetrics")
            .limit(1)
            .collectAsList()) {
      scala.collection.Map<String, String> metrics = r.getMap(0);
      return metrics == null || metrics.get("numOutputRows").isEmpty()
          ? 0L
          : Long.parseLong(metrics.get("numOutputRows").get());
    }
    return -1;
  }

  @Override
  public long version(ChurnTable table) {
    if (!exists(table)) {
      return -1;
    }
    return DeltaTable.forPath(spark, location(table))
        .history(1)
        .select("version")
        .head()
        .getLong(0);
  }

  @Override
  public String location(ChurnTable table) {
    return warehouse + "/" + table.tableName();
  }

  @Override
  public String warehouse() {
    return warehouse;
  }
}
