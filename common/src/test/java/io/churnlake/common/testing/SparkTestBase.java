package io.churnlake.common.testing;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import com.holdenkarau.spark.testing.SharedJavaSparkContext;
import java.util.Arrays;
import java.util.List;
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
 * One local SparkSession per test class (local[2], UI off, driver on 127.0.0.1, one shuffle
 * partition, Delta enabled, UTC), with spark-testing-base's DataFrame assertions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SparkTestBase extends JavaDataFrameSuiteBase {

  @Override
  public SparkConf conf() {
    return new SparkConf()
        .setMaster("local[2]")
        .setAppName(getClass().getSimpleName())
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.sql.shuffle.partitions", "1")
        .set("spark.default.parallelism", "2")
        .set("spark.sql.session.timeZone", "UTC")
        .set("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        .set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .set("spark.databricks.delta.snapshotPartitions", "1")
        .set("spark.ui.showConsoleProgress", "false");
  }

  @Override
  public boolean enableHiveSupport() {
    return false;
  }

  private final SortAggregationGuard sortAggregations = new SortAggregationGuard();

  @BeforeAll
  void startSpark() {
    runBefore();
    spark().listenerManager().register(sortAggregations);
  }

  /**
   * Invariant: every aggregation a test ran was hash-based. A string or struct in an aggregation
   * buffer (max_by over a string, say) makes Spark fall back to sorting every row, which cost
   * 1.6-2.1x in the feature builds; this fails the test that planned such a query, naming it.
   */
  @AfterEach
  void noSortBasedAggregation() throws java.util.concurrent.TimeoutException {
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

  @AfterAll
  void stopSpark() {
    SharedJavaSparkContext.runAfterClass();
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
