package io.churnlake.common.table;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one seam through which jobs read and write tables. Every write is atomic: a reader sees the
 * table before or after it, never half of it.
 */
public interface TableStore {

  boolean exists(ChurnTable table);

  /** Reads the current version; fails with a message naming the table when it does not exist. */
  Dataset<Row> read(ChurnTable table);

  /**
   * The same rows as {@link #read}, planned from the file list of the table's newest version read
   * on the driver (no Spark snapshot of the table, whose state a job would rebuild, and no
   * data-skipping planning): for the tables churnlake itself writes and reads whole, such as the
   * daily aggregates. Falls back to {@link #read} when the files cannot be read as plain Parquet.
   */
  Dataset<Row> readFiles(ChurnTable table);

  /**
   * Replaces exactly the rows matching {@code predicate} (a SQL boolean expression) with {@code
   * rows}, in one commit; every row written must satisfy the predicate. Creates the table when it
   * does not exist; new columns of {@code rows} are added to the table (schemas only grow). Running
   * it twice with the same rows leaves the same content.
   */
  void replaceWhere(ChurnTable table, Dataset<Row> rows, String predicate);

  /** Appends in one commit, creating the table when it does not exist. */
  void append(ChurnTable table, Dataset<Row> rows);

  /**
   * Deletes the rows matching {@code predicate} in one commit; nothing when the table is absent.
   */
  void delete(ChurnTable table, String predicate);

  /**
   * As {@link #replaceWhere(ChurnTable, Dataset, String)}, tagging the commit with {@code tag}
   * (Delta's userMetadata) so that {@link #committedRows} can find it among concurrent commits.
   */
  void replaceWhere(ChurnTable table, Dataset<Row> rows, String predicate, String tag);

  /**
   * Rows written by the newest commit tagged {@code tag} (Delta's {@code numOutputRows} metric),
   * for reconciling what a job meant to write with what the commit holds; -1 when none is found.
   */
  long committedRows(ChurnTable table, String tag);

  /**
   * The distinct values of the table's partition column as its log records them (dates as {@code
   * yyyy-MM-dd}), sorted, nulls left out; taken from the log without reading a data file or running
   * a Spark job (for spans of dates over large tables). Fails as {@link #read} when the table does
   * not exist.
   */
  java.util.SortedSet<String> partitionValues(ChurnTable table);

  /** The current version number of the table, or -1 when it does not exist. */
  long version(ChurnTable table);

  /**
   * The bytes of the table's data files in its current version, from its log (no data file read); 0
   * when the table does not exist.
   */
  long sizeInBytes(ChurnTable table);

  /**
   * The rows of the table's current version, from its log's file statistics where they are all
   * recorded (no data file read), else counted by a Spark job; 0 when the table does not exist.
   */
  long rowCount(ChurnTable table);

  /**
   * A table's identity and version: {@code id} changes when the table is deleted and created again,
   * so a version recorded elsewhere is only comparable under the same id.
   */
  record TableVersion(String id, long version) {}

  /** The table's id and current version; empty when it does not exist. */
  java.util.Optional<TableVersion> current(ChurnTable table);

  /**
   * The values of the table's partition column whose rows commits {@code after + 1 .. upTo} changed
   * (files added or removed with a data change; compactions do not count). Empty when the log no
   * longer holds one of those commits, or a file records no partition value: the caller then has to
   * treat every partition as changed.
   */
  java.util.Optional<java.util.Set<String>> changedPartitions(
      ChurnTable table, long after, long upTo);

  /**
   * The tag ({@link #replaceWhere(ChurnTable, Dataset, String, String)}) of the newest of the
   * table's recent commits whose tag starts with {@code prefix}; empty when none of them has one.
   */
  java.util.Optional<String> latestTag(ChurnTable table, String prefix);

  /**
   * Replaces the whole table, its schema included, with {@code rows} in one commit tagged {@code
   * tag}, creating it when it does not exist.
   */
  void overwrite(ChurnTable table, Dataset<Row> rows, String tag);

  /**
   * Starts recording the version of every table read and the version and rows of every commit
   * written through this store, until the returned activity is closed (activities may nest: each
   * open one records).
   */
  TableActivity track();

  /** Where the table lives, for messages and for users who read it with plain Spark. */
  String location(ChurnTable table);

  /** Root directory of the warehouse (tables and model registry). */
  String warehouse();
}
