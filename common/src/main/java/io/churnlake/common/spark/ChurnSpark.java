package io.churnlake.common.spark;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession every churnlake command runs in. */
public final class ChurnSpark {
  static final Duration MASTER_TIMEOUT = Duration.ofSeconds(10);

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
    applySessionSettings(conf);
    for (Map.Entry<String, String> e : settings.extra().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    checkStandaloneMaster(master);
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * The settings every churnlake session needs, whoever starts it (the CLI here, the test base
   * class in tests, so the two cannot drift apart): UTC, the time parser, Delta's extension and
   * catalog, no console progress bar.
   */
  public static SparkConf applySessionSettings(SparkConf conf) {
    conf.set("spark.sql.session.timeZone", "UTC");
    // Unparseable source times become null (and a quarantine reason), never an upgrade exception.
    conf.set("spark.sql.legacy.timeParserPolicy", "CORRECTED");
    conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // Delta rebuilds a table's state from its log with this many tasks (default 50): on a small
    // log that is 50 tiny tasks per table opened, seconds per command on 2 cores. As many as the
    // shuffle has is enough for logs of many thousand files.
    conf.setIfMissing(
        "spark.databricks.delta.snapshotPartitions", conf.get("spark.sql.shuffle.partitions", "8"));
    // churnlake's caches live for one stage: written once, read a few times (an ingest batch:
    // counts, then two writes). Uncompressed columns build in about half the time (3.1 M events:
    // 20.6 s -> 11.8 s); a cache larger than memory spills to disk (MEMORY_AND_DISK).
    conf.setIfMissing("spark.sql.inMemoryColumnarStorage.compressed", "false");
    // Delta collects min/max/null statistics for the first columns of every file it writes (32 by
    // default): on events that was a third of ingest's write. New tables index their first three
    // (customer_id and the time or date columns that follow it), enough to skip files by
    // customer (forget) and time. A table that filters on later columns names its own
    // (ChurnTable.statsColumns: quarantine's purge on quarantined_at).
    conf.setIfMissing("spark.databricks.delta.properties.defaults.dataSkippingNumIndexedCols", "3");
    if (conf.get("spark.master", "").startsWith("local")) {
      // Local disk without a chmod or readlink process per file written (NioLocalFileSystem).
      conf.setIfMissing("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName());
      conf.setIfMissing(
          "spark.hadoop.fs.AbstractFileSystem.file.impl", NioLocalFileSystem.Fs.class.getName());
    }
    return conf;
  }

  /**
   * Whether the session's next queries generate Java code (Spark's default) or evaluate their
   * expressions interpreted: both settings are read when a query is planned, so a command switches
   * them between its stages. Interpreted evaluation is what Spark's own test suites run; the
   * results are the same, only the time differs.
   */
  public static void generateCode(SparkSession spark, boolean generate) {
    codegenSettings(generate).forEach(spark.conf()::set);
  }

  /** The two SQL settings that turn code generation on (Spark's defaults) or off. */
  public static Map<String, String> codegenSettings(boolean generate) {
    return Map.of(
        "spark.sql.codegen.wholeStage",
        Boolean.toString(generate),
        "spark.sql.codegen.factoryMode",
        generate ? "FALLBACK" : "NO_CODEGEN");
  }

  /**
   * A standalone master that does not answer fails at once with its URL (exit 1), instead of
   * Spark's minute of registration retries followed by a stopped context.
   */
  static void checkStandaloneMaster(String master) {
    if (!master.startsWith("spark://")) {
      return;
    }
    // spark://host1:port1,host2:port2 (standby masters): one answering master is enough.
    List<String> refused = new ArrayList<>();
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1).trim());
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), (int) MASTER_TIMEOUT.toMillis());
        return;
      } catch (IOException | IllegalArgumentException e) {
        refused.add(hostPort + " (" + e.getMessage() + ")");
      }
    }
    throw ChurnErrors.masterUnreachable(master, String.join(", ", refused), MASTER_TIMEOUT);
  }
}
