package io.churnlake.jobs.runs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.substring;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.JobContext;
import java.io.PrintStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code churnlake status}: the stages of the latest runs, from {@code pipeline_runs}. */
public final class RunStatus {
  private RunStatus() {}

  /** The stages of the {@code runs} latest runs, newest first: one row per stage, last status. */
  public static Dataset<Row> latestRuns(Dataset<Row> pipelineRuns, int runs) {
    Dataset<Row> newest =
        pipelineRuns
            .groupBy("run_id")
            .agg(max("started_at").as("_run_start"))
            .orderBy(col("_run_start").desc())
            .limit(runs);
    return PipelineRuns.latest(pipelineRuns.join(newest, "run_id"))
        .orderBy(col("_run_start").desc(), col("stage_seq"))
        .select(
            substring(col("run_id"), 1, 8).as("run"),
            col("command"),
            col("as_of_date"),
            col("stage"),
            col("status"),
            col("started_at"),
            col("seconds"),
            // Ledgers written before rows were recorded have no such column.
            java.util.Arrays.asList(pipelineRuns.columns()).contains("rows_written")
                ? col("rows_written").as("rows_out")
                : org.apache.spark.sql.functions.lit(null).cast("long").as("rows_out"),
            col("error"));
  }

  public static void print(JobContext ctx, int runs, PrintStream out) {
    if (!ctx.store().exists(ChurnTable.PIPELINE_RUNS)) {
      out.println(
          "no runs recorded yet in "
              + ctx.store().location(ChurnTable.PIPELINE_RUNS)
              + " (commands record their stages when runs.ledger = true)");
      return;
    }
    Dataset<Row> stages = latestRuns(ctx.store().read(ChurnTable.PIPELINE_RUNS), runs);
    // Bounded by runs x stages per run, whatever the number of customers.
    out.print(stages.showString(runs * 500, 80, false));
  }
}
