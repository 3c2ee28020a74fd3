import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.spark.ChurnSpark;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The plain-Spark peer of bench/ingest.sh: the same JSON-lines files read with {@code read().json}
 * (schema inferred, as a hand-written job would) and written as Parquet, on local Spark with the
 * product's session settings and the same cores. No validation, no de-duplication, no quarantine,
 * no reconciliation: the floor churnlake's ingest is compared with. Prints the seconds of the read
 * and write (session start excluded, as churnlake's stage figure excludes its JVM start).
 *
 * <p>Run (single-file source): {@code java -cp JAR:CLASSPATH bench/IngestPeers.java INPUT_DIR
 * OUTPUT_DIR CORES}
 */
public final class IngestPeers {
  public static void main(String[] args) throws Exception {
    String input = args[0];
    Path output = Path.of(args[1]);
    int cores = Integer.parseInt(args[2]);
    // The product's own session (ChurnSpark: local driver on 127.0.0.1, UI off, its settings).
    SparkSession spark =
        ChurnSpark.start(
            new ChurnConfig.SparkSettings("local[" + cores + "]", "ingest-peer", 8, Map.of()));
    spark.sparkContext().setLogLevel("WARN");
    long start = System.nanoTime();
    spark.read().json(input).write().mode("overwrite").parquet(output.toString());
    double seconds = (System.nanoTime() - start) / 1e9;
    long rows = spark.read().parquet(output.toString()).count();
    System.out.printf("plain spark json -> parquet: %d records in %.2f s%n", rows, seconds);
    spark.stop();
    if (rows <= 0 || !Files.isDirectory(output)) {
      System.exit(1);
    }
  }
}
