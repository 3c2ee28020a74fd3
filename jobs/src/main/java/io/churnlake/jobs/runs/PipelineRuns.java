package io.churnlake.jobs.runs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import io.churnlake.common.config.ChurnVersion;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.KernelTables;
import io.churnlake.common.table.TableActivity;
import io.churnlake.common.table.TableStore;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
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
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PipelineRuns.class);
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String SKIPPED = "skipped";

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
          .add("churnlake_version", DataTypes.StringType, false)
          .add("inputs", DataTypes.StringType, true)
          .add(
              "tables_read",
              DataTypes.createArrayType(
                  new StructType()
                      .add("table", DataTypes.StringType, false)
                      .add("version", DataTypes.LongType, false),
                  false),
              true)
          .add(
              "tables_written",
              DataTypes.createArrayType(
                  new StructType()
                      .add("table", DataTypes.StringType, false)
                      .add("version", DataTypes.LongType, false)
                      .add("rows", DataTypes.LongType, false)
                      .add("commits", DataTypes.IntegerType, false),
                  false),
              true)
          .add("rows_written", DataTypes.LongType, true)
          .add("git_commit", DataTypes.StringType, true)
          .add("exit_code", DataTypes.IntegerType, true);

  private final SparkSession spark;
  private final TableStore store;
  private final String runId;
  private final String command;
  private final Date asOf;
  private final String host;
  private final AtomicInteger sequence;
  private final String inputs;
  private Map<String, Row> lastSuccesses;

  public PipelineRuns(
      SparkSession spark, TableStore store, String runId, String command, LocalDate asOf) {
    this(
        spark,
        store,
        runId,
        command,
        asOf == null ? null : Date.valueOf(asOf),
        new AtomicInteger(),
        null);
  }

  private PipelineRuns(
      SparkSession spark,
      TableStore store,
      String runId,
      String command,
      Date asOf,
      AtomicInteger sequence,
      String inputs) {
    this.spark = spark;
    this.store = store;
    this.runId = runId;
    this.command = command;
    this.asOf = asOf;
    this.host = holder();
    this.sequence = sequence;
    this.inputs = inputs;
  }

  @Override
  public RunLedger forDate(LocalDate date) {
    return new PipelineRuns(
        spark, store, runId, command, date == null ? null : Date.valueOf(date), sequence, inputs);
  }

  @Override
  public RunLedger withInputs(String fingerprint) {
    return new PipelineRuns(spark, store, runId, command, asOf, sequence, fingerprint);
  }

  @Override
  public Optional<String> succeededWith(String stage, String fingerprint) {
    if (asOf == null) {
      return Optional.empty();
    }
    Row last = lastSuccesses().get(stage);
    if (last == null
        || !sameFlow(command, last.getString(1))
        || !fingerprint.equals(last.getString(2))) {
      return Optional.empty();
    }
    return Optional.of(last.getString(3));
  }

  /**
   * Each stage's latest success for this ledger's date, by any command (stage, command, inputs,
   * run_id): one query for all the stages a flow asks about, read again only after this ledger
   * recorded a success. The date's lease keeps another nightly or backfill from writing meanwhile;
   * a stand-alone stage command run during the flow is seen by the next run. The rows are per stage
   * of one date, so they do not grow with customers or history.
   */
  private Map<String, Row> lastSuccesses() {
    if (lastSuccesses == null) {
      lastSuccesses = new HashMap<>();
      // Read with Delta Kernel on the driver (no Spark job, and no Spark snapshot of a table that
      // changes with every stage); files whose as_of_date statistics exclude the date are skipped.
      int day = (int) asOf.toLocalDate().toEpochDay();
      List<String> columns =
          List.of("stage", "command", "inputs", "run_id", "as_of_date", "status", "ended_at");
      List<Object[]> rows =
          KernelTables.scan(
                  store.location(ChurnTable.PIPELINE_RUNS),
                  spark.sessionState().newHadoopConf(),
                  columns,
                  Optional.of(new Predicate("=", new Column("as_of_date"), Literal.ofDate(day))),
                  r -> {
                    io.delta.kernel.types.StructType s = r.getSchema();
                    int d = s.indexOf("as_of_date");
                    Instant ended = KernelTables.instant(r, s, "ended_at");
                    return new Object[] {
                      KernelTables.string(r, s, "stage"),
                      KernelTables.string(r, s, "command"),
                      KernelTables.string(r, s, "inputs"),
                      KernelTables.string(r, s, "run_id"),
                      d < 0 || r.isNullAt(d) ? null : r.getInt(d),
                      KernelTables.string(r, s, "status"),
                      ended,
                      s.indexOf("inputs") >= 0
                    };
                  })
              .orElse(List.of());
      Map<String, Instant> latest = new HashMap<>();
      for (Object[] r : rows) {
        // A ledger written before inputs were recorded: nothing to skip.
        if (!(Boolean) r[7] || r[4] == null || (Integer) r[4] != day || !SUCCEEDED.equals(r[5])) {
          continue;
        }
        String stage = (String) r[0];
        Instant ended = (Instant) r[6];
        Instant seen = latest.get(stage);
        if (seen == null || (ended != null && ended.isAfter(seen))) {
          latest.put(stage, ended);
          lastSuccesses.put(stage, RowFactory.create(r[0], r[1], r[2], r[3]));
        }
      }
    }
    return lastSuccesses;
  }

  /** backfill runs nightly's flow date by date: each resumes the other's stages. */
  private static boolean sameFlow(String a, String b) {
    Set<String> nightly = Set.of("nightly", "backfill");
    return a.equals(b) || (nightly.contains(a) && nightly.contains(b));
  }

  @Override
  public void skipped(String stage, String byRun) {
    long now = System.currentTimeMillis();
    append(
        new Entry(stage, sequence.incrementAndGet(), now),
        SKIPPED,
        now,
        "succeeded in run " + byRun + " with the same inputs",
        null);
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

  /** The version of the running churnlake ({@link ChurnVersion}). */
  public static String version() {
    return ChurnVersion.get();
  }

  @Override
  public Entry started(String stage) {
    Entry e = new Entry(stage, sequence.incrementAndGet(), System.currentTimeMillis());
    append(e, RUNNING, null, null, null);
    return e;
  }

  @Override
  public void succeeded(Entry entry, TableActivity io) {
    append(entry, SUCCEEDED, System.currentTimeMillis(), null, io);
    lastSuccesses = null;
  }

  @Override
  public void failed(Entry entry, String error, TableActivity io) {
    append(entry, FAILED, System.currentTimeMillis(), error, io);
  }

  @Override
  public void exited(int exitCode, String error) {
    Entry e = new Entry(EXIT_STAGE, sequence.incrementAndGet(), System.currentTimeMillis());
    append(e, exitCode == 0 ? SUCCEEDED : FAILED, e.startedAtMillis(), error, null, exitCode);
  }

  /**
   * The git commit churnlake was built from (abbreviated, "-dirty" when the working tree had
   * changes), from the properties the build writes into the jar; "unknown" when built without git.
   */
  public static String gitCommit() {
    return GIT_COMMIT;
  }

  private static final String GIT_COMMIT = readGitCommit();

  private static String readGitCommit() {
    java.util.Properties p = new java.util.Properties();
    try (java.io.InputStream in =
        PipelineRuns.class.getResourceAsStream("/io/churnlake/jobs/git.properties")) {
      if (in == null) {
        return "unknown";
      }
      p.load(in);
    } catch (java.io.IOException e) {
      return "unknown";
    }
    String id = p.getProperty("git.commit.id.abbrev", "");
    if (id.isEmpty() || id.startsWith("${")) {
      return "unknown";
    }
    return "true".equals(p.getProperty("git.dirty")) ? id + "-dirty" : id;
  }

  private void append(Entry e, String status, Long endedAt, String error, TableActivity io) {
    append(e, status, endedAt, error, io, null);
  }

  /**
   * Records the exit row of a run refused before Spark started (its configuration), with Delta
   * Kernel on the driver, in the ledger of {@code warehouse} if one is there (Kernel does not
   * create the table): what {@code status --run ID --exit-code} reads in cluster deploy mode. A
   * failure to record it is logged.
   */
  public static void exitedBeforeSpark(
      String warehouse, String runId, String command, LocalDate asOf, int exitCode, String error) {
    long now = System.currentTimeMillis();
    Row row =
        row(
            runId,
            command,
            asOf == null ? null : Date.valueOf(asOf),
            new Entry(EXIT_STAGE, 1, now),
            FAILED,
            now,
            error,
            holder(),
            null,
            null,
            exitCode);
    String location =
        io.churnlake.common.table.DeltaTableStore.location(warehouse, ChurnTable.PIPELINE_RUNS);
    try {
      OptionalLong v =
          KernelAppend.append(
              new org.apache.hadoop.conf.Configuration(), location, SCHEMA, List.of(row));
      LOG.info(
          "run {}: exit {} {}",
          runId,
          exitCode,
          v.isPresent() ? "recorded in " + location : "not recorded: no ledger at " + location);
    } catch (RuntimeException e) {
      LOG.warn("run {}: exit {} not recorded: {}", runId, exitCode, e.getMessage());
    }
  }

  private void append(
      Entry e, String status, Long endedAt, String error, TableActivity io, Integer exitCode) {
    Row row = row(runId, command, asOf, e, status, endedAt, error, host, inputs, io, exitCode);
    String location = store.location(ChurnTable.PIPELINE_RUNS);
    OptionalLong version =
        KernelAppend.append(spark.sessionState().newHadoopConf(), location, SCHEMA, List.of(row));
    if (version.isPresent()) {
      LOG.info(
          "table {} append (Delta Kernel): now version {}, 1 rows written",
          ChurnTable.PIPELINE_RUNS.tableName(),
          version.getAsLong());
    } else {
      // The first row creates the table; a ledger with other columns evolves through Spark.
      store.append(ChurnTable.PIPELINE_RUNS, spark.createDataFrame(List.of(row), SCHEMA));
    }
  }

  /** One row of {@link #SCHEMA}: a stage's start or end, or the run's exit. */
  private static Row row(
      String runId,
      String command,
      Date asOf,
      Entry e,
      String status,
      Long endedAt,
      String error,
      String host,
      String inputs,
      TableActivity io,
      Integer exitCode) {
    return RowFactory.create(
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
        version(),
        inputs,
        io == null
            ? null
            : io.reads().stream().map(r -> RowFactory.create(r.table(), r.version())).toArray(),
        io == null
            ? null
            : io.writes().stream()
                .map(w -> RowFactory.create(w.table(), w.version(), w.rows(), w.commits()))
                .toArray(),
        io == null ? null : io.rowsWritten(),
        gitCommit(),
        exitCode);
  }

  /**
   * One row per stage of every run: its last status (a stage whose driver died stays running),
   * unordered (callers order what they show).
   */
  public static Dataset<Row> latest(Dataset<Row> runs) {
    return runs.withColumn(
            "_last",
            row_number()
                .over(
                    Window.partitionBy("run_id", "stage_seq")
                        .orderBy(col("ended_at").desc_nulls_last())))
        .where(col("_last").equalTo(1))
        .drop("_last");
  }
}
