package io.churnlake.jobs.runs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.KernelTables;
import io.churnlake.common.table.TableStore;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease on one command and date (e.g. {@code nightly 2026-07-19}) in the Delta table {@code
 * pipeline_leases}, so two runs for the same date never run at once. Taking it is one MERGE that
 * inserts the key or takes over a released or stale row; Delta's optimistic concurrency lets only
 * one of two simultaneous MERGEs commit, and the loser reads who holds the lease and refuses with
 * exit code 3. A holder on the same host whose process has died (a killed driver) is taken over at
 * once; on other hosts, after {@code runs.lease-stale-minutes} without a heartbeat. The holder
 * renews a heartbeat while it runs and releases the lease when it ends (a release that keeps
 * failing is logged, not thrown: the run's work is committed by then, and the lease becomes stale).
 */
public final class RunLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);

  /** Schema of {@code pipeline_leases}. */
  public static final StructType SCHEMA =
      new StructType()
          .add("lease_key", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("holder", DataTypes.StringType, false)
          .add("acquired_at", DataTypes.TimestampType, false)
          .add("heartbeat_at", DataTypes.TimestampType, false)
          .add("released_at", DataTypes.TimestampType, true);

  private final SparkSession spark;
  private final TableStore store;
  private final String key;
  private final String runId;
  private final ScheduledExecutorService heartbeat;

  private RunLease(
      SparkSession spark, TableStore store, String key, String runId, int heartbeatSeconds) {
    this.spark = spark;
    this.store = store;
    this.key = key;
    this.runId = runId;
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "churnlake-lease-heartbeat");
              t.setDaemon(true);
              return t;
            });
    heartbeat.scheduleWithFixedDelay(
        this::renew, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
  }

  /**
   * Takes the lease on {@code key} for {@code runId}, or fails with exit code 3 naming the holder
   * when another run holds it and its heartbeat is younger than {@code staleMinutes}.
   */
  public static RunLease acquire(
      SparkSession spark,
      TableStore store,
      String key,
      String runId,
      int staleMinutes,
      int heartbeatSeconds) {
    return acquire(spark, store, key, runId, staleMinutes * 60_000L, heartbeatSeconds);
  }

  /** {@link #acquire} with the staleness in milliseconds (tests take over stale leases). */
  static RunLease acquire(
      SparkSession spark,
      TableStore store,
      String key,
      String runId,
      long staleMillis,
      int heartbeatSeconds) {
    long now = System.currentTimeMillis();
    Timestamp at = new Timestamp(now);
    Timestamp staleBefore = new Timestamp(now - staleMillis);
    ensureTable(spark, store);
    // A holder on this host whose process is gone (a killed driver) is taken over at once.
    Row before = holderOf(spark, store, key);
    String deadRun =
        before != null && before.isNullAt(3) && isDeadLocalProcess(before.getString(1))
            ? before.getString(0)
            : "";
    if (!deadRun.isEmpty()) {
      LOG.warn(
          "lease {}: holder {} (run {}) is no longer running on this host: taking over",
          key,
          before.getString(1),
          deadRun);
    }
    if (before != null
        && before.isNullAt(3)
        && !before.getTimestamp(2).before(staleBefore)
        && !runId.equals(before.getString(0))
        && deadRun.isEmpty()) {
      // Held by another live run: the MERGE below would change nothing. Refused without it (a
      // refusal costs no Spark job, also on a cluster whose executors are busy).
      throw alreadyRunning(key, before, staleMillis);
    }
    Row mine = RowFactory.create(key, runId, PipelineRuns.holder(), at, at, null);
    try {
      DeltaTable.forPath(spark, store.location(ChurnTable.PIPELINE_LEASES))
          .as("t")
          .merge(spark.createDataFrame(List.of(mine), SCHEMA).as("s"), "t.lease_key = s.lease_key")
          .whenMatched(
              col("t.released_at")
                  .isNotNull()
                  .or(col("t.heartbeat_at").lt(lit(staleBefore)))
                  .or(col("t.run_id").equalTo(col("s.run_id")))
                  .or(col("t.run_id").equalTo(lit(deadRun))))
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
    } catch (io.delta.exceptions.DeltaConcurrentModificationException e) {
      // Another run's MERGE committed first: it holds the lease (read below).
      LOG.info("lease {}: another run committed first ({})", key, e.getClass().getSimpleName());
    }
    Row held = holderOf(spark, store, key);
    if (held == null || !runId.equals(held.getString(0)) || !held.isNullAt(3)) {
      throw alreadyRunning(key, held, staleMillis);
    }
    LOG.info("lease {} taken by run {}", key, runId);
    return new RunLease(spark, store, key, runId, heartbeatSeconds);
  }

  /** Whether {@code holder} (host/pid) names a process of this host that no longer runs. */
  static boolean isDeadLocalProcess(String holder) {
    String mine = PipelineRuns.holder();
    int slash = holder.lastIndexOf('/');
    if (slash < 0 || !holder.substring(0, slash).equals(mine.substring(0, mine.lastIndexOf('/')))) {
      return false; // another host: only the heartbeat can tell
    }
    try {
      long pid = Long.parseLong(holder.substring(slash + 1));
      return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static RuntimeException alreadyRunning(String key, Row held, long staleMillis) {
    return ChurnErrors.alreadyRunning(
        key,
        held == null ? "unknown" : held.getString(1),
        held == null ? "unknown" : held.getString(0),
        held == null ? "unknown" : held.getTimestamp(2).toString(),
        staleMillis / 60_000L);
  }

  /**
   * run_id, holder, heartbeat_at, released_at of the key's lease, or null. Read with Delta Kernel
   * on the driver (the table holds one row per command and date): no Spark job.
   */
  static Row holderOf(SparkSession spark, TableStore store, String key) {
    List<Row> rows =
        KernelTables.scan(
                store.location(ChurnTable.PIPELINE_LEASES),
                spark.sessionState().newHadoopConf(),
                List.of(SCHEMA.fieldNames()),
                r -> {
                  io.delta.kernel.types.StructType s = r.getSchema();
                  Instant heartbeat = KernelTables.instant(r, s, "heartbeat_at");
                  Instant released = KernelTables.instant(r, s, "released_at");
                  return RowFactory.create(
                      KernelTables.string(r, s, "lease_key"),
                      KernelTables.string(r, s, "run_id"),
                      KernelTables.string(r, s, "holder"),
                      heartbeat == null ? null : Timestamp.from(heartbeat),
                      released == null ? null : Timestamp.from(released));
                })
            .orElse(List.of())
            .stream()
            .filter(r -> key.equals(r.getString(0)))
            .map(r -> RowFactory.create(r.get(1), r.get(2), r.get(3), r.get(4)))
            .toList();
    return rows.isEmpty() ? null : rows.get(0);
  }

  private static void ensureTable(SparkSession spark, TableStore store) {
    if (store.exists(ChurnTable.PIPELINE_LEASES)) {
      return;
    }
    try {
      store.append(ChurnTable.PIPELINE_LEASES, spark.createDataFrame(List.<Row>of(), SCHEMA));
    } catch (RuntimeException e) {
      // Two first runs may create it at once; one creation is enough.
      if (!store.exists(ChurnTable.PIPELINE_LEASES)) {
        throw e;
      }
    }
  }

  private void renew() {
    try {
      DeltaTable.forPath(spark, store.location(ChurnTable.PIPELINE_LEASES))
          .update(
              col("lease_key").equalTo(key).and(col("run_id").equalTo(runId)),
              Map.of("heartbeat_at", lit(new Timestamp(System.currentTimeMillis()))));
    } catch (RuntimeException e) {
      // A missed heartbeat only brings staleness closer; the next one tries again.
      LOG.warn("lease {}: heartbeat failed: {}", key, ChurnErrors.firstLine(e));
    }
  }

  /** Stops the heartbeat and releases the lease (if this run still holds it). */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      heartbeat.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        DeltaTable.forPath(spark, store.location(ChurnTable.PIPELINE_LEASES))
            .update(
                col("lease_key").equalTo(key).and(col("run_id").equalTo(runId)),
                Map.of("released_at", lit(new Timestamp(System.currentTimeMillis()))));
        LOG.info("lease {} released by run {}", key, runId);
        return;
      } catch (RuntimeException e) {
        // The run's work is committed; an unreleased lease only waits to become stale.
        LOG.warn(
            "lease {}: release attempt {} of 3 failed: {}", key, attempt, ChurnErrors.firstLine(e));
      }
    }
  }
}
