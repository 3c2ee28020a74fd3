package io.churnlake.jobs.sql;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.spark.ChurnSpark;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.table.TableStore;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * churnlake's tables for a client that embeds the JVM (the notebooks' JPype helper, a JShell, a
 * test): a Spark session on the configured warehouse with every existing table registered under its
 * logical name, and queries whose results come back as JSON lines with Spark's schema JSON. Results
 * travel to the client's memory, so every query states how many rows it may return.
 */
public final class TableSession implements AutoCloseable {
  private final SparkSession spark;
  private final TableStore store;
  private final ChurnConfig config;

  private TableSession(ChurnConfig config, SparkSession spark, TableStore store) {
    this.config = config;
    this.spark = spark;
    this.store = store;
    register();
  }

  /**
   * Opens a session from configuration files (may be empty) and {@code key=value} overrides, as
   * {@code churnlake --config F --set K=V} would.
   */
  public static TableSession open(String[] configFiles, String[] overrides) {
    List<File> files = new ArrayList<>();
    for (String f : configFiles) {
      files.add(new File(f));
    }
    ChurnConfig config = ChurnConfigLoader.load(files, Arrays.asList(overrides));
    return on(config, ChurnSpark.start(config.spark()));
  }

  /** A session on an existing Spark session (tests, or a client that already has Spark). */
  public static TableSession on(ChurnConfig config, SparkSession spark) {
    DeltaTableStore store = new DeltaTableStore(spark, config.warehouse(), config.database());
    store.registerExisting();
    return new TableSession(config, spark, store);
  }

  /** Registers (again) every table that exists now, e.g. after a nightly run added one. */
  public void register() {
    registerAll(store);
  }

  /** Registers every existing table of {@code store} as a temporary view named as the table. */
  static void registerAll(TableStore store) {
    registerNamed(store, t -> true);
  }

  /**
   * Registers the existing tables whose names occur as words in {@code query} (case-insensitive, as
   * Spark resolves views): loading a Delta table's snapshot costs a log read each, and a query
   * names two or three of twenty. A name that occurs only in a string or comment registers a view
   * nobody reads, which is harmless.
   */
  static void registerNamedIn(TableStore store, String query) {
    java.util.Set<String> words =
        java.util.Arrays.stream(query.toLowerCase(java.util.Locale.ROOT).split("[^a-z0-9_]+"))
            .collect(java.util.stream.Collectors.toSet());
    registerNamed(store, t -> words.contains(t.tableName()));
  }

  private static void registerNamed(
      TableStore store, java.util.function.Predicate<ChurnTable> wanted) {
    for (ChurnTable t : ChurnTable.values()) {
      if (wanted.test(t) && store.exists(t)) {
        store.read(t).createOrReplaceTempView(t.tableName());
      }
    }
  }

  /** The warehouse these tables live in. */
  public String warehouse() {
    return config.warehouse();
  }

  /** The logical names of the tables that exist in the warehouse. */
  public String[] tables() {
    return Arrays.stream(ChurnTable.values())
        .filter(store::exists)
        .map(ChurnTable::tableName)
        .toArray(String[]::new);
  }

  /**
   * Runs {@code query}; element 0 is the result's schema as Spark's JSON, the others one row each
   * as a JSON object (Spark's {@code toJSON}: dates as yyyy-MM-dd, nulls left out). Fails with a
   * usage error when the query returns more than {@code limit} rows.
   */
  public String[] query(String query, int limit) {
    Dataset<Row> result;
    try {
      result = spark.sql(query);
    } catch (Exception e) {
      // AnalysisException (including ParseException) is checked and thrown from Scala.
      throw ChurnErrors.sqlFailed(e);
    }
    // One row more than allowed tells "too many" without pulling the whole result.
    List<String> rows = result.toJSON().takeAsList(limit + 1);
    if (rows.size() > limit) {
      throw ChurnErrors.tooManyRows(limit);
    }
    String[] out = new String[rows.size() + 1];
    out[0] = result.schema().json();
    for (int i = 0; i < rows.size(); i++) {
      out[i + 1] = rows.get(i);
    }
    return out;
  }

  /** The Spark session, for clients that want Spark's own API. */
  public SparkSession spark() {
    return spark;
  }

  @Override
  public void close() {
    spark.stop();
  }
}
