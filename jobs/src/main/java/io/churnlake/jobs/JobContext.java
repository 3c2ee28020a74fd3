package io.churnlake.jobs;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.spark.ChurnSpark;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.TableActivity;
import io.churnlake.common.table.TableStore;
import io.churnlake.jobs.runs.PausePoint;
import io.churnlake.jobs.runs.RunLedger;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every job runs with: the validated config, the Spark session, the table store, the id of
 * this run (one per command invocation; rows a run writes carry it where their schema has run_id)
 * and the ledger its stages are recorded in.
 */
public record JobContext(
    ChurnConfig config, SparkSession spark, TableStore store, String runId, RunLedger ledger) {
  private static final Logger LOG = LoggerFactory.getLogger(JobContext.class);
  private static final String DESCRIPTION = "spark.job.description";

  /** A context with a new random run id and no ledger. */
  public JobContext(ChurnConfig config, SparkSession spark, TableStore store) {
    this(config, spark, store, UUID.randomUUID().toString());
  }

  /** A context with no ledger (tests, benchmarks). */
  public JobContext(ChurnConfig config, SparkSession spark, TableStore store, String runId) {
    this(config, spark, store, runId, RunLedger.NONE);
  }

  /** The same run, its ledger rows stamped with a fingerprint of the stages' inputs. */
  public JobContext withInputs(String inputs) {
    return new JobContext(config, spark, store, runId, ledger.withInputs(inputs));
  }

  /** The same run recorded in another ledger (backfill: one per date). */
  public JobContext withLedger(RunLedger other) {
    return new JobContext(config, spark, store, runId, other);
  }

  /** The same run with another configuration. */
  public JobContext withConfig(ChurnConfig other) {
    return new JobContext(other, spark, store, runId, ledger);
  }

  /**
   * Runs one named stage: records its boundaries in the ledger with the table versions it read and
   * wrote and the rows it wrote, ends it with one structured log line ({@code stage=... status=...
   * run=... seconds=... rows_out=... read=table@version,... wrote=table@version+rows,...}), labels
   * its Spark jobs (the Spark UI shows "churnlake STAGE (run ID)"); failures that are not already
   * user-facing are reported as a failure of that stage.
   */
  public <T> T stage(String name, Supplier<T> body) {
    long start = System.nanoTime();
    LOG.info("stage {} started (run {})", name, runId);
    RunLedger.Entry entry = ledger.started(name);
    SparkContext sc = spark.sparkContext();
    String before = sc.getLocalProperty(DESCRIPTION);
    sc.setJobDescription("churnlake " + name + " (run " + runId + ")");
    TableActivity io = store.track();
    try {
      generateCodeFor(name, 0);
      PausePoint.at(config.runs(), name);
      T result = body.get();
      ledger.succeeded(entry, io);
      logEnd(name, "succeeded", start, io);
      return result;
    } catch (ChurnException e) {
      ledger.failed(entry, e.getMessage(), io);
      logEnd(name, "failed", start, io);
      throw e;
    } catch (Exception e) {
      // Spark's AnalysisException is a checked exception thrown from Scala code.
      ChurnException failure = ChurnErrors.stageFailed(name, e);
      ledger.failed(entry, failure.getMessage(), io);
      logEnd(name, "failed", start, io);
      throw failure;
    } finally {
      io.close();
      sc.setJobDescription(before);
    }
  }

  /** The tables whose size decides whether a stage generates code ({@code spark.codegen auto}). */
  private static final List<ChurnTable> HISTORY =
      List.of(ChurnTable.EVENTS, ChurnTable.TRANSACTIONS, ChurnTable.CUSTOMERS);

  /**
   * Sets whether the stage's next queries generate Java code ({@code spark.codegen}): always,
   * never, or ({@code auto}) when the history tables together, or the {@code inputBytes} the stage
   * is about to load, reach {@code spark.codegen-from-mb}. Every stage decides when it starts; a
   * stage that loads files decides again once it knows their size.
   */
  public boolean generateCodeFor(String stage, long inputBytes) {
    ChurnConfig.SparkSettings s = config.spark();
    long threshold = s.codegenFromMb() * 1024L * 1024L;
    long bytes = inputBytes;
    if (s.codegen() == ChurnConfig.Codegen.AUTO) {
      for (ChurnTable t : HISTORY) {
        if (bytes >= threshold) {
          break;
        }
        try {
          bytes += store.sizeInBytes(t);
        } catch (RuntimeException e) {
          // A size is a hint for speed, never a reason to fail a stage (a table another run is
          // creating, a log Kernel cannot read): it counts as nothing.
          LOG.info("stage {}: size of {} unknown ({})", stage, t.tableName(), e.getMessage());
        }
      }
    }
    boolean generate =
        switch (s.codegen()) {
          case ON -> true;
          case OFF -> false;
          case AUTO -> bytes >= threshold;
        };
    ChurnSpark.generateCode(spark, generate);
    if (s.codegen() == ChurnConfig.Codegen.AUTO) {
      LOG.info(
          "stage {}: code generation {} ({} MiB of data, spark.codegen-from-mb = {})",
          stage,
          generate ? "on" : "off",
          String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0),
          s.codegenFromMb());
    }
    return generate;
  }

  private void logEnd(String name, String status, long startNanos, TableActivity io) {
    LOG.info(
        "stage={} status={} run={} seconds={} rows_out={} read={} wrote={}",
        name.replace(' ', '_'),
        status,
        runId,
        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 1e9),
        io.rowsWritten(),
        io.readSummary(),
        io.writeSummary());
  }
}
