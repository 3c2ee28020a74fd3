package io.churnlake.jobs.demo;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.clv.ClvJob;
import io.churnlake.jobs.generate.GenerateJob;
import io.churnlake.jobs.kpis.KpisJob;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.nightly.NightlyJob;
import io.churnlake.jobs.segment.SegmentJob;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;
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

  public static void run(JobContext given, PrintStream out) {
    long start = System.nanoTime();
    JobContext ctx = withDemoGoal(given);
    ChurnConfig c = ctx.config();
    reset(ctx);
    GenerateJob.Result generated = GenerateJob.run(ctx);
    LocalDate lastDay = c.generate().startDate().plusDays(c.generate().days() - 1L);
    // The tables were just reset: every stage runs, whatever the ledger remembers.
    NightlyJob.Result nightly = NightlyJob.run(ctx, lastDay, true);
    printSummary(ctx, out, generated, nightly, lastDay, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Without configured goals, the demo tracks the brief's example: cut monthly churn 10% in six
   * months, from the third month of the generated log.
   */
  static JobContext withDemoGoal(JobContext ctx) {
    ChurnConfig c = ctx.config();
    if (!c.kpis().goals().isEmpty() || !c.kpis().grain().equals("month")) {
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

  private static void printSummary(
      JobContext ctx,
      PrintStream out,
      GenerateJob.Result generated,
      NightlyJob.Result nightly,
      LocalDate asOf,
      double seconds) {
    ChurnConfig c = ctx.config();
    ModelInfo m = nightly.model();
    out.println();
    out.println("churnlake demo");
    out.printf(
        "  generated: %d customers, %d days from %s, %d daily files in %s%n",
        c.generate().customers(),
        c.generate().days(),
        c.generate().startDate(),
        generated.files(),
        generated.output());
    out.printf(
        "  ingested: %d raw records = %d events + %d quarantined%n",
        nightly.ingest().rowsRead(),
        nightly.ingest().rowsLoaded(),
        nightly.ingest().rowsQuarantined());
    // One row per reason: a tiny result.
    for (Row r :
        ctx.store()
            .read(ChurnTable.QUARANTINE)
            .groupBy("reason")
            .count()
            .orderBy(col("count").desc())
            .collectAsList()) {
      out.printf("    quarantined as %-22s %,10d%n", r.getString(0), r.getLong(1));
    }
    out.println("  rows per table:");
    for (ChurnTable t : ChurnTable.values()) {
      if (ctx.store().exists(t)) {
        out.printf("    %-18s %,12d%n", t.tableName(), ctx.store().read(t).count());
      }
    }
    out.printf(
        "  model %s (%s), trained on %d weekly as-of dates %s .. %s, evaluated on %s (horizon %d days):%n",
        m.version(),
        m.algorithm(),
        m.trainingDates().size(),
        m.trainingDates().get(0),
        m.trainingDates().get(m.trainingDates().size() - 1),
        m.evaluationDate(),
        m.horizonDays());
    out.printf("    hyper-parameters: %s%n", m.parameters().get("search"));
    out.printf(
        "    evaluation customers %.0f, churners %.0f%n",
        m.metric("evaluation_customers"), m.metric("evaluation_churners"));
    out.printf(
        "    ROC AUC  model %.3f | recency-only baseline %.3f | Bayes-optimal (true probabilities) %.3f%n",
        m.metric("roc_auc"),
        m.metric("baseline_recency_roc_auc"),
        m.metric("bayes_optimal_roc_auc"));
    out.printf(
        "    PR AUC   model %.3f | recency-only baseline %.3f%n",
        m.metric("pr_auc"), m.metric("baseline_recency_pr_auc"));
    out.printf(
        "    probabilities (%s%s): ECE %.3f, Brier %.3f, log loss %.3f;"
            + " the top 10%% of scores hold %.0f%% of churners (lift %.1f)%n",
        m.calibrated() ? "isotonic calibration on " : "calibration ",
        m.calibrated() ? m.calibrationDate() : "none",
        m.metric("ece"),
        m.metric("brier"),
        m.metric("log_loss"),
        100 * m.metric("capture_decile_01"),
        m.metric("lift_decile_01"));
    // One row per model feature: bounded by the model, not by customers.
    List<Row> drivers =
        ctx.store()
            .read(ChurnTable.CHURN_DRIVERS)
            .where(
                col(Columns.MODEL_VERSION)
                    .equalTo(m.version())
                    .and(org.apache.spark.sql.functions.expr(History.asOfPredicate(asOf))))
            .orderBy("rank")
            .limit(5)
            .collectAsList();
    out.println("  top churn drivers as of " + asOf + " (churn_drivers):");
    for (Row r : drivers) {
      out.printf(
          "    %d. %-32s %s%n",
          r.getInt(r.fieldIndex("rank")),
          r.getString(r.fieldIndex("feature")),
          r.getString(r.fieldIndex("direction")));
    }
    nightly.clv().ifPresent(v -> out.print(ClvJob.describe(v)));
    out.print(SegmentJob.describe(nightly.segments().orElseThrow()));
    out.print(KpisJob.describe(nightly.kpis().orElseThrow(), c.kpis().goals()));
    out.printf("  report: %s (open it in a browser)%n", nightly.report().orElseThrow().path());
    out.printf(
        "  tables: Delta under %s (models under %s/_models/churn)%n", c.warehouse(), c.warehouse());
    out.println(
        "  read them: ./churnlake sql \"SELECT customer_id, segment, action, round(churn_probability, 3) AS p,"
            + " round(value, 2) AS value, round(expected_net_value, 2) AS net FROM risk_segments"
            + " WHERE as_of_date = DATE'"
            + asOf
            + "' AND targeting = 'targeted' ORDER BY expected_net_value DESC LIMIT 5\"");
    out.println(
        "  why: ./churnlake sql \"SELECT customer_id, round(churn_probability, 3) AS p,"
            + " transform(drivers, d -> d.reason) AS why FROM churn_scores WHERE as_of_date = DATE'"
            + asOf
            + "' ORDER BY raw_score DESC LIMIT 5\"");
    out.printf("  wall time: %.0f s%n", seconds);
  }
}
