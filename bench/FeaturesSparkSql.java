import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.spark.ChurnSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The plain-Spark peer of bench/features.sh: DuckDB's own feature query (bench/FeaturesDuckDb.java
 * {@code --spark-sql} prints it in Spark's dialect) run by Spark SQL over the same Parquet files of
 * the events table, on local Spark with the product's session settings and the same cores, written
 * as plain Parquet. No daily table, no Delta write, no ledger: what the engine churnlake is built on
 * takes for the query DuckDB runs. Prints the seconds of the query and its write in a fresh session
 * (session start excluded, as churnlake's stage figure excludes its JVM start), then of the same
 * query run again in that session (warm: its code already generated and loaded).
 *
 * <p>Run (single-file source): {@code java -cp JAR:CLASSPATH bench/FeaturesSparkSql.java QUERY_FILE
 * EVENTS_DIR OUTPUT_DIR CORES}
 */
public final class FeaturesSparkSql {
  public static void main(String[] args) throws Exception {
    String query = Files.readString(Path.of(args[0]));
    String events = args[1];
    Path output = Path.of(args[2]);
    int cores = Integer.parseInt(args[3]);
    SparkSession spark =
        ChurnSpark.start(
            new ChurnConfig.SparkSettings("local[" + cores + "]", "features-peer", 8, Map.of()));
    spark.sparkContext().setLogLevel("WARN");
    double[] seconds = new double[2];
    long rows = 0;
    for (int round = 0; round < 2; round++) {
      long start = System.nanoTime();
      // The events Delta table's directory read as Parquet (its _delta_log is skipped; the table
      // is only ever appended to here, so every file in it is live), as DuckDB reads it.
      spark.read().parquet(events).createOrReplaceTempView("events");
      spark.sql(query).write().mode("overwrite").parquet(output.toString());
      seconds[round] = (System.nanoTime() - start) / 1e9;
      rows = spark.read().parquet(output.toString()).count();
    }
    System.out.printf(
        "spark sql features: %d rows in %.1f s (fresh session), %.1f s (run again, warm)%n",
        rows, seconds[0], seconds[1]);
    spark.stop();
    if (rows <= 0) {
      System.exit(1);
    }
  }
}
