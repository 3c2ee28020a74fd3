package io.churnlake.common.table;

import io.churnlake.common.errors.ChurnErrors;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delta Lake tables under one warehouse directory: {@code <warehouse>/<table name>}. */
public final class DeltaTableStore implements TableStore {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTableStore.class);

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
    DataFrameWriter<Row> writer =
        rows.write().format("delta").mode(SaveMode.Overwrite).option("replaceWhere", predicate);
    String shown = predicate.length() > 100 ? predicate.substring(0, 97) + "..." : predicate;
    write(table, writer, "replace where " + shown);
  }

  @Override
  public void append(ChurnTable table, Dataset<Row> rows) {
    write(table, rows.write().format("delta").mode(SaveMode.Append), "append");
  }

  private void write(ChurnTable table, DataFrameWriter<Row> writer, String what) {
    if (!exists(table)) {
      table.partitionColumn().ifPresent(writer::partitionBy);
    }
    writer.save(location(table));
    LOG.info("table {} {}: now version {}", table.tableName(), what, version(table));
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
