package io.churnlake.common.testing;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import com.holdenkarau.spark.testing.SharedJavaSparkContext;
import io.churnlake.common.spark.ChurnSpark;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One local SparkSession per test JVM, shared by every test class (local[2], UI off, driver on
 * 127.0.0.1, one shuffle partition, the production session's UTC and Delta settings from {@link
 * ChurnSpark#applySessionSettings}), with spark-testing-base's DataFrame assertions. Starting a
 * session and warming Delta cost seconds per class; a class leaves no temporary views, cached
 * frames or listeners behind, and SQL settings changed for one block go through {@link
 * #withSqlConf}. A class whose code stops the session (the CLI, in-process) gets a new one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SparkTestBase extends JavaDataFrameSuiteBase {
  /** The SQL settings the test session starts with, restored after each class. */
  private static final Map<String, String> SQL_DEFAULTS = sqlDefaults();

  private static Map<String, String> sqlDefaults() {
    Map<String, String> m = new java.util.HashMap<>();
    m.put("spark.sql.shuffle.partitions", "1");
    m.put("spark.sql.adaptive.coalescePartitions.enabled", "true");
    // Test data are a few hundred rows: generating and compiling Java for each query (whole-stage
    // and per-expression code generation, much of it for Delta's own log encoders) cost more than
    // evaluating them. Interpreted evaluation, as Spark's own suites also run, cut
    // NightlyTransactionsTest from 102.7 s to 75.4 s. A job's stages choose the same for data
    // this small (spark.codegen = auto); .ci/run's backfill runs with spark.codegen = on, so
    // generated code runs in CI too.
    m.putAll(ChurnSpark.codegenSettings(false));
    return Map.copyOf(m);
  }

  private final SortAggregationGuard sortAggregations = new SortAggregationGuard();

  @Override
  public SparkConf conf() {
    SparkConf conf =
        new SparkConf()
            .setMaster("local[2]")
            .setAppName("churnlake-tests")
            .set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.default.parallelism", "2")
            .set("spark.databricks.delta.snapshotPartitions", "1");
    SQL_DEFAULTS.forEach(conf::set);
    return ChurnSpark.applySessionSettings(conf);
  }

  @Override
  public boolean enableHiveSupport() {
    return false;
  }

  @BeforeAll
  void startSpark() {
    runBefore();
    if (sc().isStopped()) {
      // Stopped by code under test (the CLI stops its session when it ends): start afresh.
      SharedJavaSparkContext.runAfterClass();
      runBefore();
    } else if (initialized) {
      // spark-testing-base builds the session only when it creates the context.
      sqlBeforeAllTestCases();
    }
    spark().listenerManager().register(sortAggregations);
  }

  /** Leaves the shared session as the next class expects it: the context itself stays up. */
  @AfterAll
  void releaseSpark() {
    if (sc().isStopped()) {
      return;
    }
    spark().listenerManager().unregister(sortAggregations);
    // SHOW VIEWS rather than catalog().listTables(): the latter decodes rows into
    // catalog.Table beans, which fails in interpreted mode (Spark 3.5, NO_CODEGEN above).
    for (Row v : spark().sql("SHOW VIEWS").collectAsList()) {
      if (v.getBoolean(v.fieldIndex("isTemporary"))) {
        spark().catalog().dropTempView(v.getString(v.fieldIndex("viewName")));
      }
    }
    spark().catalog().clearCache();
    SQL_DEFAULTS.forEach((k, v) -> spark().conf().set(k, v));
  }

  /**
   * Invariant: every aggregation a test ran was hash-based. A string or struct in an aggregation
   * buffer (max_by over a string, say) makes Spark fall back to sorting every row, which cost
   * 1.6-2.1x in the feature builds; this fails the test that planned such a query, naming it.
   */
  @AfterEach
  void noSortBasedAggregation() throws TimeoutException {
    if (sc().isStopped()) {
      return;
    }
    spark().sparkContext().listenerBus().waitUntilEmpty();
    List<String> found = sortAggregations.drain();
    if (!found.isEmpty()) {
      throw new AssertionError(
          "sort-based aggregation (SortAggregate) in "
              + found.size()
              + " queries; carry strings as codes (LevelCodes) so Spark hash-aggregates:\n"
              + String.join("\n", found));
    }
  }

  /** Runs {@code action} with SQL settings changed, restoring the previous values after it. */
  protected void withSqlConf(Map<String, String> settings, Runnable action) {
    Map<String, String> before = new java.util.HashMap<>();
    settings.keySet().forEach(k -> before.put(k, spark().conf().get(k, null)));
    settings.forEach((k, v) -> spark().conf().set(k, v));
    try {
      action.run();
    } finally {
      before.forEach(
          (k, v) -> {
            if (v == null) {
              spark().conf().unset(k);
            } else {
              spark().conf().set(k, v);
            }
          });
    }
  }

  /** A DataFrame of inline rows. */
  protected Dataset<Row> rows(StructType schema, Object[]... values) {
    List<Row> rows = Arrays.stream(values).map(RowFactory::create).toList();
    return spark().createDataFrame(rows, schema);
  }

  /** Order-insensitive equality of data and schema (names, types; nullability ignored). */
  protected void assertSameRows(Dataset<Row> expected, Dataset<Row> actual) {
    assertDataFrameDataEquals(
        expected, actual.select(expected.columns()[0], tail(expected.columns())));
  }

  private static String[] tail(String[] columns) {
    return Arrays.copyOfRange(columns, 1, columns.length);
  }
}
