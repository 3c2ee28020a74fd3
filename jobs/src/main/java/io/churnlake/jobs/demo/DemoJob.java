package io.churnlake.jobs.demo;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.generate.GenerateJob;
import io.churnlake.jobs.nightly.NightlyJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * {@code churnlake demo}: generates a log, runs the nightly flow as of its last day (which trains
 * the first model) and prints a summary. It resets the configured warehouse's churnlake tables and
 * the generator's output first, so every demo starts from the same state.
 */
public final class DemoJob {
  private DemoJob() {}

  /**
   * What the demo did, with the few rows its summary shows: quarantined records per reason, rows
   * per table, the model's top drivers; the command line prints it.
   */
  public record Summary(
      ChurnConfig config,
      GenerateJob.Result generated,
      NightlyJob.Result nightly,
      LocalDate asOf,
      List<Row> quarantined,
      Map<String, Long> rowsPerTable,
      List<Row> drivers,
      double seconds) {}

  public static Summary run(JobContext given) {
    long start = System.nanoTime();
    JobContext ctx = withDemoGoal(given);
    ChurnConfig c = ctx.config();
    reset(ctx);
    GenerateJob.Result generated = GenerateJob.run(ctx);
    LocalDate lastDay = c.generate().startDate().plusDays(c.generate().days() - 1L);
    // The tables were just reset: every stage runs, whatever the ledger remembers.
    NightlyJob.Result nightly = NightlyJob.run(ctx, lastDay, true);
    double seconds = (System.nanoTime() - start) / 1e9;
    // One row per reason: a tiny result.
    List<Row> quarantined =
        ctx.store()
            .read(ChurnTable.QUARANTINE)
            .groupBy("reason")
            .count()
            .orderBy(col("count").desc())
            .collectAsList();
    Map<String, Long> rowsPerTable = new LinkedHashMap<>();
    for (ChurnTable t : ChurnTable.values()) {
      if (ctx.store().exists(t)) {
        // From the log's file statistics: no Spark job per table.
        rowsPerTable.put(t.tableName(), ctx.store().rowCount(t));
      }
    }
    // One row per model feature: bounded by the model, not by customers.
    List<Row> drivers =
        ctx.store()
            .read(ChurnTable.CHURN_DRIVERS)
            .where(
                col(Columns.MODEL_VERSION)
                    .equalTo(nightly.model().version())
                    .and(org.apache.spark.sql.functions.expr(History.asOfPredicate(lastDay))))
            .orderBy("rank")
            .limit(5)
            .collectAsList();
    return new Summary(c, generated, nightly, lastDay, quarantined, rowsPerTable, drivers, seconds);
  }

  /**
   * Without configured goals, the demo tracks the brief's example: cut monthly churn 10% in six
   * months, from the third month of the generated log.
   */
  static JobContext withDemoGoal(JobContext ctx) {
    ChurnConfig c = ctx.config();
    if (!c.kpis().goals().isEmpty() || c.kpis().grain() != ChurnConfig.KpiGrain.MONTH) {
      return ctx;
    }
    java.time.YearMonth baseline = java.time.YearMonth.from(c.generate().startDate()).plusMonths(2);
    java.time.YearMonth deadline = baseline.plusMonths(6);
    ChurnConfig.Goal goal =
        new ChurnConfig.Goal(
            "demo-cut-churn",
            "churn_rate -10% vs " + baseline + " by " + deadline,
            "churn_rate",
            true,
            -0.10,
            baseline.atDay(1),
            deadline.atDay(1));
    ChurnConfig withGoal =
        new ChurnConfig(
            c.warehouse(),
            c.database(),
            c.spark(),
            c.generate(),
            c.ingest(),
            c.sources(),
            c.features(),
            c.labels(),
            c.train(),
            c.score(),
            c.segment(),
            c.clv(),
            c.export(),
            new ChurnConfig.KpiSettings(c.kpis().grain(), c.kpis().dimensions(), List.of(goal)),
            c.runs(),
            c.maintain(),
            c.fingerprint() + " with goal " + goal.text());
    return ctx.withConfig(withGoal);
  }

  private static void reset(JobContext ctx) {
    ChurnConfig c = ctx.config();
    try {
      Path warehouse = new Path(c.warehouse());
      FileSystem fs = warehouse.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
      for (ChurnTable t : ChurnTable.values()) {
        // The run ledger and leases outlive a reset: they record this run too.
        if (!t.operational()) {
          fs.delete(new Path(ctx.store().location(t)), true);
        }
      }
      fs.delete(new Path(warehouse, "_models"), true);
      fs.delete(new Path(c.generate().output()), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
