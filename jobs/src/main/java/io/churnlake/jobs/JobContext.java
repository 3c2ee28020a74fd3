package io.churnlake.jobs;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.table.TableStore;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every job runs with: the validated config, the Spark session, the table store and the id of
 * this run (one per command invocation; rows a run writes carry it where their schema has run_id).
 */
public record JobContext(ChurnConfig config, SparkSession spark, TableStore store, String runId) {
  private static final Logger LOG = LoggerFactory.getLogger(JobContext.class);

  /** A context with a new random run id. */
  public JobContext(ChurnConfig config, SparkSession spark, TableStore store) {
    this(config, spark, store, UUID.randomUUID().toString());
  }

  /**
   * Runs one named stage, logging its boundaries; failures that are not already user-facing are
   * reported as a failure of that stage.
   */
  public <T> T stage(String name, Supplier<T> body) {
    long start = System.nanoTime();
    LOG.info("stage {} started", name);
    try {
      T result = body.get();
      LOG.info("stage {} finished in {} s", name, (System.nanoTime() - start) / 1_000_000_000L);
      return result;
    } catch (ChurnException e) {
      throw e;
    } catch (Exception e) {
      // Spark's AnalysisException is a checked exception thrown from Scala code.
      throw ChurnErrors.stageFailed(name, e);
    }
  }
}
