package io.churnlake.jobs.maintain;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * The session settings every churnlake VACUUM runs under ({@code forget} and {@code maintain}),
 * restored afterwards: the retention below Delta's 7-day default is the command's decision, and the
 * table directory is listed with as many tasks as the cluster has cores (Spark's default of 10000
 * makes a vacuum of a small table take minutes, delta-io/delta#395).
 */
public final class VacuumSettings {
  private static final String CHECK = "spark.databricks.delta.retentionDurationCheck.enabled";
  private static final String LISTING = "spark.sql.sources.parallelPartitionDiscovery.parallelism";

  private VacuumSettings() {}

  public static <T> T with(SparkSession spark, Supplier<T> body) {
    String check = spark.conf().get(CHECK, "true");
    String listing = spark.conf().get(LISTING, "10000");
    spark.conf().set(CHECK, "false");
    spark
        .conf()
        .set(LISTING, Integer.toString(Math.max(2, spark.sparkContext().defaultParallelism())));
    try {
      return body.get();
    } finally {
      spark.conf().set(CHECK, check);
      spark.conf().set(LISTING, listing);
    }
  }
}
