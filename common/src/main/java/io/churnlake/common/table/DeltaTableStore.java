package io.churnlake.common.table;

import io.churnlake.common.errors.ChurnErrors;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Delta Lake tables under one warehouse directory: {@code <warehouse>/<table name>}; with a catalog
 * database configured, each table is also registered in the session catalog as {@code
 * database.table} (an external table at that location) once it exists.
 */
public final class DeltaTableStore implements TableStore {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTableStore.class);

  private static final int MAX_ATTEMPTS = 5;
  static final String PAUSE_PROPERTY = "churnlake.fault.pause-after-commit-ms";
  private final SparkSession spark;
  private final String warehouse;
  private final List<TableActivity> tracking = new CopyOnWriteArrayList<>();
  private final String database;
  private final Set<ChurnTable> registered = ConcurrentHashMap.newKeySet();
  private static final ColumnDocs DOCS = ColumnDocs.load();

  /** Tables under {@code warehouse}, registered nowhere. */
  public DeltaTableStore(SparkSession spark, String warehouse) {
    this(spark, warehouse, "");
  }

  /**
   * Tables under {@code warehouse}, registered in the catalog database {@code database} ("" for
   * none: a plain SQL identifier, validated by the configuration).
   */
  public DeltaTableStore(SparkSession spark, String warehouse, String database) {
    this.spark = spark;
    this.warehouse = trimmed(warehouse);
    this.database = database;
  }

  /**
   * Fails with a message naming the warehouse when this process cannot create it or write a file in
   * it (checked before a command writes anything).
   */
  public void checkWritable() {
    Path root = new Path(warehouse);
    Path probe = new Path(root, "_churnlake_write_check_" + java.util.UUID.randomUUID());
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      fs.mkdirs(root);
      fs.create(probe, false).close();
      fs.delete(probe, false);
    } catch (IOException | RuntimeException e) {
      throw ChurnErrors.warehouseNotWritable(warehouse, ChurnErrors.firstLine(e));
    }
  }

  /**
   * Registers every existing table in the catalog database (nothing when none is configured), so
   * that a session started now finds them by name.
   */
  public void registerExisting() {
    if (!database.isEmpty()) {
      for (ChurnTable t : ChurnTable.values()) {
        if (exists(t)) {
          register(t);
        }
      }
    }
  }

  /**
   * {@code CREATE TABLE database.table USING DELTA LOCATION}, once per table and store; a name that
   * already points at another location is refused rather than silently kept or replaced.
   */
  private void register(ChurnTable table) {
    if (database.isEmpty() || registered.contains(table)) {
      return;
    }
    // A database or catalog.schema, each part quoted.
    String namespace = "`" + database.replace(".", "`.`") + "`";
    String name = namespace + ".`" + table.tableName() + "`";
    String here = qualified(location(table));
    if (spark.catalog().databaseExists(database)
        && spark.catalog().tableExists(database + "." + table.tableName())) {
      String there;
      try {
        there = qualified(spark.sql("DESCRIBE DETAIL " + name).head().getAs("location"));
      } catch (RuntimeException e) {
        there = "a table that is not Delta (" + ChurnErrors.firstLine(e) + ")";
      }
      if (!there.equals(here)) {
        throw ChurnErrors.catalogConflict(database + "." + table.tableName(), there, here);
      }
    } else {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + namespace);
      spark.sql(
          "CREATE TABLE IF NOT EXISTS "
              + name
              + " USING DELTA LOCATION '"
              + here.replace("\\", "\\\\").replace("'", "\\'")
              + "'");
      LOG.info("table {} registered as {}.{}", table.tableName(), database, table.tableName());
    }
    registered.add(table);
  }

  /** The path fully qualified (scheme, absolute), as the catalog stores locations. */
  private String qualified(String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .makeQualified(p)
          .toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the table's log holds a commit or a checkpoint, listed on the driver (Delta's own check
   * loads a Spark snapshot of the table first: most of a second on a cold session). A log directory
   * without either is a table another run is creating, not yet a table.
   */
  @Override
  public boolean exists(ChurnTable table) {
    Path log = new Path(location(table), "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return false;
      }
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(log)) {
        String name = f.getPath().getName();
        if (COMMIT_FILE.matcher(name).matches() || CHECKPOINT_FILE.matcher(name).matches()) {
          return true;
        }
      }
      return false;
    } catch (java.io.FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("listing the log of the Delta table at " + location(table), e);
    }
  }

  private static final java.util.regex.Pattern CHECKPOINT_FILE =
      java.util.regex.Pattern.compile("\\d{20}\\.checkpoint(\\..*)?\\.parquet");

  @Override
  public Dataset<Row> read(ChurnTable table) {
    if (!exists(table)) {
      throw ChurnErrors.tableMissing(
          table.tableName(), location(table), "run the stage that writes it first");
    }
    Dataset<Row> rows = spark.read().format("delta").load(location(table));
    if (!tracking.isEmpty() && !table.operational()) {
      // The snapshot the load just resolved, from the log Delta caches: no further I/O.
      long version = DeltaLog.forTable(spark, location(table)).unsafeVolatileSnapshot().version();
      tracking.forEach(a -> a.read(table, version));
    }
    return rows;
  }

  @Override
  public Dataset<Row> readFiles(ChurnTable table) {
    Optional<KernelTables.PlainFiles> listed =
        fromLog(table, "read through Spark", KernelTables::plainFiles).flatMap(f -> f);
    if (listed.isEmpty()) {
      return read(table);
    }
    KernelTables.PlainFiles files = listed.get();
    org.apache.spark.sql.types.StructType schema =
        (org.apache.spark.sql.types.StructType)
            org.apache.spark.sql.types.DataType.fromJson(files.schemaJson());
    Dataset<Row> rows;
    if (files.files().isEmpty()) {
      rows = spark.createDataFrame(List.of(), schema);
    } else {
      rows = ListedFiles.read(spark, qualified(location(table)), schema, files.files());
    }
    if (!table.operational()) {
      tracking.forEach(a -> a.read(table, files.version()));
    }
    return rows;
  }

  @Override
  public long sizeInBytes(ChurnTable table) {
    return fromLog(table, "size through Spark", KernelTables::sizeInBytes)
        .orElseGet(() -> exists(table) ? snapshot(table).sizeInBytes() : 0);
  }

  @Override
  public long rowCount(ChurnTable table) {
    return fromLog(table, "rows counted through Spark", KernelTables::rowCount)
        .flatMap(n -> n)
        .orElseGet(() -> exists(table) ? read(table).count() : 0);
  }

  /**
   * What Delta Kernel reads from the table's log on the driver; empty, with the reason logged, when
   * Kernel cannot read that log (the caller then asks Spark, saying {@code instead}).
   */
  private <T> Optional<T> fromLog(
      ChurnTable table,
      String instead,
      java.util.function.BiFunction<String, org.apache.hadoop.conf.Configuration, T> kernel) {
    try {
      return Optional.of(kernel.apply(location(table), spark.sparkContext().hadoopConfiguration()));
    } catch (io.delta.kernel.exceptions.KernelException e) {
      LOG.info(
          "{}: Delta Kernel cannot read its log ({}); {}",
          table.tableName(),
          e.getMessage(),
          instead);
      return Optional.empty();
    }
  }

  @Override
  public SortedSet<String> partitionValues(ChurnTable table) {
    String column = partitionColumnOf(table);
    if (!exists(table)) {
      throw ChurnErrors.tableMissing(
          table.tableName(), location(table), "run the stage that writes it first");
    }
    // Delta Kernel reads the file entries on the driver; a Spark snapshot would first rebuild the
    // table's state with a job (seconds for a table of a few hundred files on a cold session).
    Optional<KernelTables.PartitionValues> read;
    try {
      read =
          KernelTables.partitionValues(
              location(table), spark.sparkContext().hadoopConfiguration(), column);
    } catch (io.delta.kernel.exceptions.KernelException e) {
      LOG.info(
          "{}: Delta Kernel cannot read its log ({}); partition values through Spark",
          table.tableName(),
          e.getMessage());
      read = Optional.empty();
    }
    if (read.isEmpty()) {
      Snapshot s = snapshot(table);
      SortedSet<String> values = new TreeSet<>();
      // One row per partition: bounded by the calendar, not by customers.
      for (Row r :
          s.allFiles()
              .toDF()
              .select(functions.col("partitionValues").getItem(column))
              .where(functions.col("partitionValues").getItem(column).isNotNull())
              .distinct()
              .collectAsList()) {
        values.add(r.getString(0));
      }
      read = Optional.of(new KernelTables.PartitionValues(s.version(), values));
    }
    if (!table.operational()) {
      long version = read.get().version();
      tracking.forEach(a -> a.read(table, version));
    }
    return read.get().values();
  }

  private static String partitionColumnOf(ChurnTable table) {
    return table
        .partitionColumn()
        .orElseThrow(() -> new IllegalArgumentException(table.tableName() + " is unpartitioned"));
  }

  /** The table's newest snapshot (its log read up to the latest commit). */
  private Snapshot snapshot(ChurnTable table) {
    return DeltaLog.forTable(spark, location(table)).update(false, Option.empty(), Option.empty());
  }

  @Override
  public TableActivity track() {
    TableActivity activity = new TableActivity(tracking::remove);
    tracking.add(activity);
    return activity;
  }

  @Override
  public void replaceWhere(ChurnTable table, Dataset<Row> rows, String predicate) {
    replaceWhere(table, rows, predicate, null);
  }

  @Override
  public void replaceWhere(ChurnTable table, Dataset<Row> rows, String predicate, String tag) {
    String shown = predicate.length() > 100 ? predicate.substring(0, 97) + "..." : predicate;
    write(
        table,
        rows,
        writer -> {
          writer.mode(SaveMode.Overwrite).option("replaceWhere", predicate);
          if (tag != null) {
            writer.option("userMetadata", tag);
          }
        },
        "replace where " + shown);
  }

  @Override
  public void append(ChurnTable table, Dataset<Row> rows) {
    write(table, rows, writer -> writer.mode(SaveMode.Append), "append");
  }

  static Dataset<Row> documented(ChurnTable table, Dataset<Row> rows) {
    java.util.Map<String, String> comments = DOCS.comments(table);
    if (comments.isEmpty()) {
      return rows;
    }
    org.apache.spark.sql.Column[] out = new org.apache.spark.sql.Column[rows.columns().length];
    org.apache.spark.sql.types.StructField[] fields = rows.schema().fields();
    for (int i = 0; i < fields.length; i++) {
      String name = fields[i].name();
      String comment = comments.get(name);
      out[i] =
          comment == null
              ? functions.col("`" + name + "`")
              : functions
                  .col("`" + name + "`")
                  .as(
                      name,
                      new org.apache.spark.sql.types.MetadataBuilder()
                          .withMetadata(fields[i].metadata())
                          .putString("comment", comment)
                          .build());
    }
    return rows.select(out);
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
      long before = version(table);
      retrying(table, () -> DeltaTable.forPath(spark, location(table)).delete(predicate));
      if (version(table) == before) {
        // Delta commits nothing when no row matches: there is no commit to record.
        LOG.info(
            "table {} delete where {}: no row matched, no commit", table.tableName(), predicate);
        return;
      }
      recordCommit(table, "delete where " + predicate, "numDeletedRows", "deleted");
    }
  }

  /**
   * Writes {@code rows} with the options {@code mode} sets. A write that creates the table also
   * partitions it, sets its statistics columns, and gives each documented column its meaning as its
   * comment (Delta keeps a field's metadata in the table's schema; a later write's metadata does
   * not replace the table's): one projection, no data touched.
   */
  private void write(
      ChurnTable table,
      Dataset<Row> rows,
      java.util.function.Consumer<DataFrameWriter<Row>> mode,
      String what) {
    boolean creates = !exists(table);
    DataFrameWriter<Row> writer =
        clustered(table, creates ? documented(table, rows) : rows).write().format("delta");
    mode.accept(writer);
    if (creates) {
      table.partitionColumn().ifPresent(writer::partitionBy);
      // A writer option named delta.* becomes a table property when the write creates the table.
      table.statsColumns().ifPresent(c -> writer.option("delta.dataSkippingStatsColumns", c));
    }
    writer.option("mergeSchema", "true");
    commit(table, writer, what);
  }

  /** Saves, records the commit, registers the table and pauses for fault injection. */
  private void commit(ChurnTable table, DataFrameWriter<Row> writer, String what) {
    retrying(table, () -> writer.save(location(table)));
    recordCommit(table, what);
    register(table);
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

  /**
   * Logs the table's newest commit (this write's, unless a concurrent writer committed in between)
   * and feeds it to the open activities: its version and the rows it wrote.
   */
  private void recordCommit(ChurnTable table, String what) {
    recordCommit(table, what, "numOutputRows", "written");
  }

  /** As {@link #recordCommit(ChurnTable, String)}, counting the rows by the given metric. */
  private void recordCommit(ChurnTable table, String what, String metricName, String verb) {
    Row last =
        DeltaTable.forPath(spark, location(table))
            .history(1)
            .select("version", "operationMetrics")
            .head();
    long version = last.getLong(0);
    long rows = metric(last.isNullAt(1) ? null : last.getMap(1), metricName);
    LOG.info(
        "table {} {}: now version {}, {} rows {}", table.tableName(), what, version, rows, verb);
    tracking.forEach(a -> a.wrote(table, version, rows));
  }

  private static long metric(scala.collection.Map<String, String> metrics, String name) {
    return metrics == null || metrics.get(name).isEmpty()
        ? 0L
        : Long.parseLong(metrics.get(name).get());
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
      return metric(r.isNullAt(0) ? null : r.getMap(0), "numOutputRows");
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
  public Optional<TableVersion> current(ChurnTable table) {
    if (!exists(table)) {
      return Optional.empty();
    }
    Snapshot s = snapshot(table);
    return Optional.of(new TableVersion(s.metadata().id(), s.version()));
  }

  @Override
  public Optional<Set<String>> changedPartitions(ChurnTable table, long after, long upTo) {
    String column = partitionColumnOf(table);
    Set<String> changed = new TreeSet<>();
    if (upTo <= after) {
      return Optional.of(changed);
    }
    try {
      // failOnDataLoss: a commit that log clean-up already removed fails instead of being skipped.
      var commits = DeltaLog.forTable(spark, location(table)).getChanges(after + 1, true);
      while (commits.hasNext()) {
        var commit = commits.next();
        if ((Long) commit._1() > upTo) {
          break;
        }
        var actions = commit._2().iterator();
        while (actions.hasNext()) {
          if (actions.next() instanceof FileAction f && f.dataChange()) {
            if (f.partitionValues() == null || f.partitionValues().get(column).isEmpty()) {
              return Optional.empty();
            }
            String value = f.partitionValues().get(column).get();
            if (value == null) {
              return Optional.empty();
            }
            changed.add(value);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.info(
          "table {}: commits {}..{} are no longer all in its log ({})",
          table.tableName(),
          after + 1,
          upTo,
          ChurnErrors.firstLine(e));
      return Optional.empty();
    }
    return Optional.of(changed);
  }

  /** How many of a table's newest commits {@link #latestTag} looks through. */
  static final int TAG_SEARCH_COMMITS = 50;

  /**
   * Read from the commit files of the table's log (the Delta protocol's {@code commitInfo} action
   * of each {@code _delta_log/<version>.json}), newest first, on the driver: no Spark snapshot and
   * no Spark job (the history API costs a job and its planning, seconds on a cold session).
   */
  @Override
  public Optional<String> latestTag(ChurnTable table, String prefix) {
    Path log = new Path(location(table), "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      List<Path> commits = new java.util.ArrayList<>();
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(log)) {
        if (COMMIT_FILE.matcher(f.getPath().getName()).matches()) {
          commits.add(f.getPath());
        }
      }
      commits.sort(java.util.Comparator.comparing(Path::getName).reversed());
      for (Path commit : commits.subList(0, Math.min(TAG_SEARCH_COMMITS, commits.size()))) {
        Optional<String> tag = commitTag(fs, commit);
        if (tag.isPresent() && tag.get().startsWith(prefix)) {
          return tag;
        }
      }
      return Optional.empty();
    } catch (java.io.FileNotFoundException e) {
      // No log directory, or the log's clean-up removed a commit file between listing and reading
      // it: no tag to trust.
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the log of the Delta table at " + location(table), e);
    }
  }

  private static final java.util.regex.Pattern COMMIT_FILE =
      java.util.regex.Pattern.compile("\\d{20}\\.json");

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The {@code userMetadata} of a commit file's {@code commitInfo} action, if it has one. */
  private static Optional<String> commitTag(FileSystem fs, Path commit) throws IOException {
    try (var in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                fs.open(commit), java.nio.charset.StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.contains("\"commitInfo\"")) {
          continue;
        }
        com.fasterxml.jackson.databind.JsonNode info = JSON.readTree(line).path("commitInfo");
        if (info.isObject()) {
          com.fasterxml.jackson.databind.JsonNode metadata = info.path("userMetadata");
          return metadata.isTextual() ? Optional.of(metadata.asText()) : Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void overwrite(ChurnTable table, Dataset<Row> rows, String tag) {
    DataFrameWriter<Row> writer =
        clustered(table, documented(table, rows))
            .write()
            .format("delta")
            .mode(SaveMode.Overwrite)
            .option("overwriteSchema", "true")
            .option("userMetadata", tag);
    // The partitioning is restated: an overwrite of the schema replaces it too.
    table.partitionColumn().ifPresent(writer::partitionBy);
    commit(table, writer, "overwrite");
  }

  @Override
  public String location(ChurnTable table) {
    return location(warehouse, table);
  }

  /** Where {@code table} lives under {@code warehouse}, for readers that start no Spark. */
  public static String location(String warehouse, ChurnTable table) {
    return trimmed(warehouse) + "/" + table.tableName();
  }

  private static String trimmed(String warehouse) {
    return warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
  }

  @Override
  public String warehouse() {
    return warehouse;
  }
}
