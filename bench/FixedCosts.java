import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.spark.ChurnSpark;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.jobs.runs.PipelineRuns;
import io.churnlake.jobs.runs.RunLease;
import io.churnlake.jobs.runs.RunLedger;
import io.churnlake.common.table.TableActivity;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The fixed costs every nightly stage pays, on a warm session (the JVM, Spark and Delta already
 * started by a first commit): taking and releasing the nightly lease, one ledger row, the quarantine
 * purge with nothing to purge and with rows to purge, a table's existence check and version. Each
 * operation runs ROUNDS times on a fresh warehouse; prints the median and the worst in seconds and
 * exits 1 when one median is above its limit (2 s, the target).
 *
 * <p>Run (single-file source): {@code java -cp JAR:CLASSPATH bench/FixedCosts.java [ROUNDS]}
 */
public final class FixedCosts {
  static final double LIMIT_SECONDS = 2.0;
  static final StructType QUARANTINE_LIKE =
      new StructType()
          .add("source", DataTypes.StringType)
          .add("quarantined_at", DataTypes.TimestampType);

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path warehouse = Files.createTempDirectory("churnlake-fixed-costs");
    // The product's own session settings (ChurnSpark), so the figures are what a nightly pays.
    SparkSession spark =
        ChurnSpark.start(
            new ChurnConfig.SparkSettings("local[2]", "fixed-costs", 2, Map.of()));
    spark.sparkContext().setLogLevel("WARN");
    DeltaTableStore store = new DeltaTableStore(spark, warehouse.toString());
    PipelineRuns ledger =
        new PipelineRuns(spark, store, UUID.randomUUID().toString(), "nightly", LocalDate.now());
    // Warm-up: the first commit pays for starting Delta; what follows is the steady state.
    long warmStart = System.nanoTime();
    RunLedger.Entry warm = ledger.started("warm-up");
    ledger.succeeded(warm, TableActivity.none());
    try (RunLease l =
        RunLease.acquire(spark, store, "warm-up", UUID.randomUUID().toString(), 60, 60)) {}
    System.out.printf("warm-up (first ledger row and lease): %.1f s%n", secs(warmStart));

    List<String> failures = new ArrayList<>();
    measure("ledger row (stage started)", rounds, failures, () -> ledger.started("stage"));
    List<RunLease> leases = new ArrayList<>();
    LocalDate day = LocalDate.of(2026, 1, 1);
    int[] next = {0};
    measure(
        "lease taken (nightly <date>)",
        rounds,
        failures,
        () -> {
          RunLease l =
              RunLease.acquire(
                  spark,
                  store,
                  "nightly " + day.plusDays(next[0]++),
                  UUID.randomUUID().toString(),
                  60,
                  60);
          leases.add(l);
          return l;
        });
    int[] released = {0};
    measure(
        "lease released",
        rounds,
        failures,
        () -> {
          leases.get(released[0]++).close();
          return null;
        });
    String purge = "quarantined_at < current_timestamp() - INTERVAL 30 DAYS";
    store.append(
        ChurnTable.QUARANTINE,
        spark.createDataFrame(
            List.of(RowFactory.create("events", new Timestamp(System.currentTimeMillis()))),
            QUARANTINE_LIKE));
    measure(
        "quarantine purge, nothing old",
        rounds,
        failures,
        () -> {
          store.delete(ChurnTable.QUARANTINE, purge);
          return null;
        });
    measure(
        "quarantine purge, one old row",
        rounds,
        failures,
        () -> {
          store.append(
              ChurnTable.QUARANTINE,
              spark.createDataFrame(
                  List.of(
                      RowFactory.create("events", Timestamp.valueOf("2020-01-01 00:00:00"))),
                  QUARANTINE_LIKE));
          long start = System.nanoTime();
          store.delete(ChurnTable.QUARANTINE, purge);
          return secs(start);
        });
    measure("table exists", rounds, failures, () -> store.exists(ChurnTable.PIPELINE_RUNS));
    measure("table version", rounds, failures, () -> store.version(ChurnTable.PIPELINE_RUNS));
    spark.stop();
    if (!failures.isEmpty()) {
      System.out.println("FAILED: median above " + LIMIT_SECONDS + " s: " + failures);
      System.exit(1);
    }
    System.out.println("all medians within " + LIMIT_SECONDS + " s");
  }

  /**
   * Times {@code op} {@code rounds} times; an op that returns a Double reports its own seconds (the
   * part after its set-up).
   */
  static void measure(String what, int rounds, List<String> failures, Supplier<Object> op) {
    double[] s = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      Object own = op.get();
      s[i] = own instanceof Double d ? d : secs(start);
    }
    Arrays.sort(s);
    double median = s[rounds / 2];
    System.out.printf(
        "%-34s median %6.2f s   max %6.2f s   (%d rounds)%n", what, median, s[rounds - 1], rounds);
    if (!(median > 0) || median > LIMIT_SECONDS) {
      failures.add(what);
    }
  }

  static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
