package io.churnlake.jobs.runs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.row_number;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.TableStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The run ledger in Delta: every stage of a command appends a {@code running} row when it starts
 * and a {@code succeeded} or {@code failed} row when it ends (two small appends, never an update,
 * so a killed driver leaves its last stage visibly {@code running}). {@link #latest} pairs them.
 */
public final class PipelineRuns implements RunLedger {
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";

  /** Schema of {@code pipeline_runs}. */
  public static final StructType SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("command", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, true)
          .add("stage_seq", DataTypes.IntegerType, false)
          .add("stage", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("ended_at", DataTypes.TimestampType, true)
          .add("seconds", DataTypes.DoubleType, true)
          .add("error", DataTypes.StringType, true)
          .add("host", DataTypes.StringType, false)
          .add("churnlake_version", DataTypes.StringType, false);

  private final SparkSession spark;
  private final TableStore store;
  private final String runId;
  private final String command;
  private final Date asOf;
  private final String host;
  private final AtomicInteger sequence = new AtomicInteger();

  public PipelineRuns(
      SparkSession spark, TableStore store, String runId, String command, LocalDate asOf) {
    this.spark = spark;
    this.store = store;
    this.runId = runId;
    this.command = command;
    this.asOf = asOf == null ? null : Date.valueOf(asOf);
    this.host = holder();
  }

  /** host/pid of this process: who holds a lease or ran a stage. */
  public static String holder() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      name = "unknown-host";
    }
    return name + "/" + ProcessHandle.current().pid();
  }

  /** The version of the running churnlake (the jar's manifest), or "dev" from classes. */
  public static String version() {
    String v = PipelineRuns.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public Entry started(String stage) {
    Entry e = new Entry(stage, sequence.incrementAndGet(), System.currentTimeMillis());
    append(e, RUNNING, null, null);
    return e;
  }

  @Override
  public void succeeded(Entry entry) {
    append(entry, SUCCEEDED, System.currentTimeMillis(), null);
  }

  @Override
  public void failed(Entry entry, String error) {
    append(entry, FAILED, System.currentTimeMillis(), error);
  }

  private void append(Entry e, String status, Long endedAt, String error) {
    Row row =
        RowFactory.create(
            runId,
            command,
            asOf,
            e.sequence(),
            e.stage(),
            status,
            new Timestamp(e.startedAtMillis()),
            endedAt == null ? null : new Timestamp(endedAt),
            endedAt == null ? null : (endedAt - e.startedAtMillis()) / 1000.0,
            error,
            host,
            version());
    store.append(ChurnTable.PIPELINE_RUNS, spark.createDataFrame(List.of(row), SCHEMA));
  }

  /**
   * One row per stage of every run: its last status (a stage whose driver died stays running),
   * newest runs first.
   */
  public static Dataset<Row> latest(Dataset<Row> runs) {
    return runs.withColumn(
            "_last",
            row_number()
                .over(
                    Window.partitionBy("run_id", "stage_seq")
                        .orderBy(col("ended_at").desc_nulls_last())))
        .where(col("_last").equalTo(1))
        .drop("_last")
        .orderBy(desc("started_at"), desc("stage_seq"));
  }
}
