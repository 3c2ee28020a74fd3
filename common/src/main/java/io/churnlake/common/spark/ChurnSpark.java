package io.churnlake.common.spark;

import io.churnlake.common.config.ChurnConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession every churnlake command runs in. */
public final class ChurnSpark {
  private ChurnSpark() {}

  /**
   * Starts (or joins) the session. A master set by spark-submit wins over the configured one, so
   * the same jar runs locally and on a cluster.
   */
  public static SparkSession start(ChurnConfig.SparkSettings settings) {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      conf.setMaster(settings.master());
    }
    String master = conf.get("spark.master");
    conf.setAppName(settings.appName());
    if (master.startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    conf.set("spark.sql.shuffle.partitions", Integer.toString(settings.shufflePartitions()));
    conf.set("spark.sql.session.timeZone", "UTC");
    // Unparseable source times become null (and a quarantine reason), never an upgrade exception.
    conf.set("spark.sql.legacy.timeParserPolicy", "CORRECTED");
    conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    for (Map.Entry<String, String> e : settings.extra().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
