package io.churnlake.jobs.cli;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.clv.ClvJob;
import io.churnlake.jobs.demo.DemoJob;
import io.churnlake.jobs.export.ExportJob;
import io.churnlake.jobs.generate.GenerateJob;
import io.churnlake.jobs.kpis.KpisJob;
import io.churnlake.jobs.maintain.MaintainJob;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.nightly.NightlyJob;
import io.churnlake.jobs.segment.PlanRetention;
import io.churnlake.jobs.segment.SegmentJob;
import io.churnlake.jobs.tables.KpiColumns;
import io.churnlake.jobs.tables.SegmentColumns;
import io.churnlake.jobs.train.TrainJob;
import io.churnlake.jobs.uplift.UpliftJob;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What the commands print about a stage's result: the console text lives here, with the command
 * line, so the stages return results and never format for a terminal.
 */
final class Summaries {
  private Summaries() {}

  static String clv(ClvJob.Result r) {
    if (r.purchases().isEmpty() || r.spend().isEmpty()) {
      return String.format(
          Locale.ROOT,
          "customer_value as of %s (contractual: margin x amount billed in the last %d days x"
              + " expected further monthly payments from the churn scores): %,d customers (%,d"
              + " billed), total CLV %,.2f%n",
          r.asOf(),
          ClvJob.BILLING_DAYS,
          r.customers(),
          r.repeatCustomers(),
          r.totalClv());
    }
    double[] b = r.purchases().get().parameters();
    double[] g = r.spend().get().parameters();
    return String.format(
        Locale.ROOT,
        "customer_value as of %s: %,d customers (%,d with repeat purchases), total CLV %,.2f%n"
            + "  BG/NBD r=%.4f alpha=%.4f a=%.4f b=%.4f (%s)%n"
            + "  Gamma-Gamma p=%.4f q=%.4f gamma=%.4f (%s)%n",
        r.asOf(),
        r.customers(),
        r.repeatCustomers(),
        r.totalClv(),
        b[0],
        b[1],
        b[2],
        b[3],
        r.purchases().get().status(),
        g[0],
        g[1],
        g[2],
        r.spend().get().status());
  }

  static String segment(SegmentJob.Result r) {
    ChurnConfig.SegmentSettings s = r.settings();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "retention plan as of %s: %,d customers; value = %s (value tiers: medium from %,.2f,"
                + " high from %,.2f; 0 is low); risk tiers on %s%n",
            r.asOf(),
            r.customers(),
            r.valueSource(),
            r.valueMediumFrom(),
            r.valueHighFrom(),
            s.riskTiers() == ChurnConfig.RiskTiers.QUANTILES
                ? String.format(
                    Locale.ROOT,
                    "score rank (medium from quantile %.2f, high from %.2f)",
                    s.mediumQuantile(),
                    s.highQuantile())
                : String.format(
                    Locale.ROOT,
                    "churn_probability (medium from %.2f, high from %.2f)",
                    s.mediumFrom(),
                    s.highFrom())));
    r.targeting().ifPresent(t -> b.append("  ").append(t).append('\n'));
    assumptions(b, s);
    planTable(b, r);
    double cost = r.total("cost");
    b.append(
        String.format(
            Locale.ROOT,
            "  plan: %,d targeted, %,d control; cost %,.2f%s; expected saved value %,.2f;"
                + " expected net value %,.2f%n",
            r.targeted(),
            r.control(),
            cost,
            s.budget().isPresent()
                ? String.format(
                    Locale.ROOT,
                    " of budget %,.2f (%.1f%% used)",
                    s.budget().getAsDouble(),
                    s.budget().getAsDouble() > 0 ? 100 * cost / s.budget().getAsDouble() : 0.0)
                : " (budget unlimited)",
            r.total("expected_saved_value"),
            r.total("expected_net_value")));
    r.population().ifPresent(line -> b.append("  population: ").append(line).append('\n'));
    // Rates learned from matured campaign waves (segment.save-rates = learned): where each came
    // from.
    r.learnedRates().forEach(line -> b.append("  ").append(line).append('\n'));
    r.controls().forEach(line -> b.append("  ").append(line).append('\n'));
    return b.toString();
  }

  /** The plan's table: one line per segment and action. */
  private static void planTable(StringBuilder b, SegmentJob.Result r) {
    b.append(
        String.format(
            Locale.ROOT,
            "  %-26s %-16s %9s %7s %14s %9s %8s %12s %14s %14s%n",
            "segment",
            "action",
            "customers",
            "mean p",
            "value at risk",
            "targeted",
            "control",
            "cost",
            "saved value",
            "net value"));
    for (Row row : r.summary()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-26s %-16s %,9d %7.3f %,14.2f %,9d %,8d %,12.2f %,14.2f %,14.2f%n",
              row.getString(row.fieldIndex(SegmentColumns.SEGMENT)),
              row.getString(row.fieldIndex(SegmentColumns.ACTION)),
              row.getLong(row.fieldIndex("customers")),
              row.getDouble(row.fieldIndex("mean_probability")),
              row.getDouble(row.fieldIndex("revenue_at_risk")),
              row.getLong(row.fieldIndex("targeted")),
              row.getLong(row.fieldIndex("control")),
              row.getDouble(row.fieldIndex("cost")),
              row.getDouble(row.fieldIndex("expected_saved_value")),
              row.getDouble(row.fieldIndex("expected_net_value"))));
    }
  }

  /** The plan's assumptions: how expected net value is computed, budget, control, actions. */
  private static void assumptions(StringBuilder b, ChurnConfig.SegmentSettings s) {
    b.append(
        String.format(
            Locale.ROOT,
            "  assumptions: expected net value = P(churn) x value x save rate - cost; budget %s;"
                + " control %.0f%% of customers with positive expected net value (campaign '%s')%n",
            PlanRetention.budgetWords(s.budget()),
            100 * s.controlFraction(),
            s.campaignId()));
    for (Map.Entry<String, ChurnConfig.RetentionAction> e : s.actions().entrySet()) {
      b.append(
          String.format(
              Locale.ROOT,
              "    action %-16s cost %8.2f  save rate %.2f  %s%n",
              e.getKey(),
              e.getValue().cost(),
              e.getValue().saveRate(),
              e.getValue().description()));
    }
  }

  /** The uplift model of the night: its waves and Qini evaluation, or why there is none. */
  static String uplift(UpliftJob.Result r) {
    if (r.version().isEmpty()) {
      return String.format(Locale.ROOT, "uplift as of %s: no model: %s%n", r.asOf(), r.status());
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "uplift as of %s: model %s %s (waves %s; %,d treated, %,d control)%n",
            r.asOf(),
            r.version().get(),
            r.status(),
            r.trainingWaves(),
            r.treated(),
            r.control()));
    r.evaluationWave()
        .ifPresent(
            w ->
                b.append(
                    String.format(
                        Locale.ROOT,
                        "  Qini coefficient on wave %s: %.4f (random score %.4f%s)%n",
                        w,
                        r.qini().orElse(Double.NaN),
                        r.randomQini().orElse(Double.NaN),
                        r.oracleQini()
                            .map(o -> String.format(Locale.ROOT, "; oracle %.4f", o))
                            .orElse(""))));
    r.expected()
        .ifPresent(
            x ->
                b.append(
                    String.format(
                        Locale.ROOT,
                        "  from the truth's effects instead of outcomes: %.4f (random score %.4f;"
                            + " oracle %.4f): %.2f of the oracle's%n",
                        x.model(),
                        x.random(),
                        x.oracle(),
                        x.model() / x.oracle())));
    r.comparison()
        .ifPresent(
            c ->
                b.append(
                    String.format(
                        Locale.ROOT,
                        "  on wave %s with its budget %,.2f, from the generator's truth: the plan's"
                            + " churn-risk targeting realised %,.2f net (%,d contacted), uplift"
                            + " targeting would have %,.2f (%,d contacted): %s won%n",
                        r.evaluationWave().orElseThrow(),
                        c.budget(),
                        c.planNetValue(),
                        c.planTargeted(),
                        c.upliftNetValue(),
                        c.upliftTargeted(),
                        c.winner())));
    b.append(
        String.format(
            Locale.ROOT,
            "  uplift_scores: %,d customer-action rows, %,d do-not-disturb (contact predicted to"
                + " raise churn)%n",
            r.scored(),
            r.doNotDisturb()));
    return b.toString();
  }

  static String kpis(KpisJob.Result r, List<ChurnConfig.Goal> goals) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "kpis as of %s (%s periods; %s):%n",
            r.asOf(),
            r.grain(),
            r.churnDefinition()));
    b.append(
        String.format(
            Locale.ROOT,
            "  %-10s %9s %8s %10s %10s %7s %12s %16s%n",
            "period",
            "active",
            "churned",
            "churn rate",
            "retention",
            "new",
            "repeat rate",
            "revenue at risk"));
    kpiRows(b, r);
    b.append("  (-: immature, the period has not ended, or no such data)\n");
    for (Row e : r.metric("treatment_effect").values()) {
      if (!e.isNullAt(e.fieldIndex(KpiColumns.VALUE))) {
        b.append(
            String.format(
                Locale.ROOT,
                "  campaign %s: treated - control churn rate %+.4f (95%% CI %+.4f .. %+.4f); %s%n",
                e.getDate(e.fieldIndex(KpiColumns.PERIOD_START)),
                e.getDouble(e.fieldIndex(KpiColumns.VALUE)),
                e.getDouble(e.fieldIndex("lower")),
                e.getDouble(e.fieldIndex("upper")),
                e.getString(e.fieldIndex(KpiColumns.NOTE))));
      }
    }
    goals.forEach(g -> b.append(goalLine(r, g)));
    if (r.cohorts() > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "  cohort_retention: %d monthly cohorts with retention and Kaplan-Meier survival%n",
              r.cohorts()));
    }
    b.append(saveRates(r.campaigns()));
    return b.toString();
  }

  /** The latest period of a goal with a value: on or off its path, or none yet. */
  private static String goalLine(KpisJob.Result r, ChurnConfig.Goal g) {
    Row latest = null;
    for (Row row : r.goal(g.id()).values()) {
      if (!row.isNullAt(row.fieldIndex(KpiColumns.ON_TRACK))) {
        latest = row;
      }
    }
    if (latest == null) {
      return String.format(
          Locale.ROOT, "  goal %s \"%s\": no period with a value yet%n", g.id(), g.text());
    }
    return String.format(
        Locale.ROOT,
        "  goal %s \"%s\": %s %s %.4f vs path %.4f: %s (%s)%n",
        g.id(),
        g.text(),
        latest.getDate(latest.fieldIndex(KpiColumns.PERIOD_START)),
        g.metric(),
        latest.getDouble(latest.fieldIndex(KpiColumns.VALUE)),
        latest.getDouble(latest.fieldIndex(KpiColumns.TARGET)),
        latest.getBoolean(latest.fieldIndex(KpiColumns.ON_TRACK)) ? "on track" : "off track",
        latest.getString(latest.fieldIndex(KpiColumns.NOTE)));
  }

  /** The last six periods' headline metrics, one line each. */
  private static void kpiRows(StringBuilder b, KpisJob.Result r) {
    Map<LocalDate, Row> active = r.metric("active_customers");
    List<LocalDate> periods = new ArrayList<>(active.keySet());
    for (LocalDate p : periods.subList(Math.max(0, periods.size() - 6), periods.size())) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-10s %9s %8s %10s %10s %7s %12s %16s%n",
              p,
              value(active.get(p), "%,.0f"),
              value(r.metric("churned_customers").get(p), "%,.0f"),
              value(r.metric("churn_rate").get(p), "%.4f"),
              value(r.metric("retention_rate").get(p), "%.4f"),
              value(r.metric("new_customers").get(p), "%,.0f"),
              value(r.metric("repeat_purchase_rate").get(p), "%.4f"),
              value(r.metric("revenue_at_risk").get(p), "%,.2f")));
    }
  }

  /**
   * The save rates learned from campaign outcomes ({@code action_effects}), or why none is learned
   * yet; nothing when there was no plan to follow.
   */
  static String saveRates(KpisJob.Campaigns c) {
    if (c.actionEffects().isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    StructType s = KpiColumns.ACTION_EFFECTS;
    for (Row e : c.actionEffects()) {
      if ("learned".equals(e.getString(s.fieldIndex("source")))) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %s save rate %.2f (%s)%n",
                e.getString(s.fieldIndex("action")),
                e.getDouble(s.fieldIndex("save_rate")),
                e.getString(s.fieldIndex("note"))));
      }
    }
    if (b.length() == 0) {
      b.append(
          "  save rates: none learned yet, no campaign wave has matured"
              + c.nextMaturity().map(d -> " (the first matures on " + d + ")").orElse("")
              + "; action_effects holds the configured rates\n");
    }
    return b.toString();
  }

  /**
   * What train did: the model and its held-out figures, the calendar it trained on and for whom
   * (the label definition's population), the search, and the promotion decision.
   */
  static String train(TrainJob.Trained t, String population) {
    ModelInfo m = t.model();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "model %s (%s, calibration %s) evaluated on %s: ROC AUC %.3f, PR AUC %.3f%s%n"
                + "  validation: %s%n",
            m.version(),
            m.algorithm(),
            m.calibration(),
            m.evaluationDate(),
            m.metric("roc_auc"),
            m.metric("pr_auc"),
            m.metrics().containsKey("baseline_recency_roc_auc")
                ? String.format(
                    Locale.ROOT,
                    ", recency baseline ROC AUC %.3f",
                    m.metric("baseline_recency_roc_auc"))
                : " (no recency column for a baseline)",
            m.validation()));
    List<String> dates = m.trainingDates();
    b.append(
        String.format(
            Locale.ROOT,
            "  calendar: %d training date%s %s%s, %s, evaluation on %s, horizon %d days%n",
            dates.size(),
            dates.size() == 1 ? "" : "s",
            dates.isEmpty() ? "-" : dates.get(0),
            dates.size() > 1 ? " .. " + dates.get(dates.size() - 1) : "",
            m.calibrated()
                ? "calibration on " + m.calibrationDate()
                : m.parameters().containsKey("calibration_check")
                    ? "no calibration (isotonic on "
                        + m.calibrationDate()
                        + " "
                        + m.parameters().get("calibration_check")
                        + ")"
                    : "no calibration",
            m.evaluationDate(),
            m.horizonDays()));
    if (m.parameters().containsKey("calendar")) {
      b.append(
          String.format(
              Locale.ROOT,
              "  calendar chosen for a short history: %s%n",
              m.parameters().get("calendar")));
    }
    b.append(String.format(Locale.ROOT, "  population: %s%n", population));
    b.append(
        String.format(
            Locale.ROOT,
            "  search: %s%n  status: %s (%s)%n",
            m.parameters().get("search"),
            t.champion() ? "champion" : "candidate",
            t.decision()));
    b.append(metricsTable(m));
    return b.toString();
  }

  /** The demo's summary: what it generated and loaded, the model, drivers, value, plan, KPIs. */
  static void demo(PrintStream out, DemoJob.Summary s) {
    ChurnConfig c = s.config();
    GenerateJob.Result generated = s.generated();
    NightlyJob.Result nightly = s.nightly();
    LocalDate asOf = s.asOf();
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
    for (Row r : s.quarantined()) {
      out.printf("    quarantined as %-22s %,10d%n", r.getString(0), r.getLong(1));
    }
    out.println("  rows per table:");
    s.rowsPerTable().forEach((table, rows) -> out.printf("    %-18s %,12d%n", table, rows));
    demoModel(out, m);
    List<Row> drivers = s.drivers();
    out.println("  top churn drivers as of " + asOf + " (churn_drivers):");
    for (Row r : drivers) {
      out.printf(
          "    %d. %-32s %s%n",
          r.getInt(r.fieldIndex("rank")),
          r.getString(r.fieldIndex("feature")),
          r.getString(r.fieldIndex("direction")));
    }
    nightly.clv().ifPresent(v -> out.print(clv(v)));
    out.print(segment(nightly.segments().orElseThrow()));
    out.print(kpis(nightly.kpis().orElseThrow(), c.kpis().goals()));
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
    out.printf("  wall time: %.0f s%n", s.seconds());
  }

  /** The demo's model: its dates, hyper-parameters and held-out metrics against the baselines. */
  private static void demoModel(PrintStream out, ModelInfo m) {
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
  }

  /** One line for people. */
  static String export(ExportJob.Result r) {
    return String.format(
        Locale.ROOT,
        "exported %,d targeted customers as of %s to %s (%s, one file)%n",
        r.customers(),
        r.asOf(),
        r.path(),
        r.format());
  }

  /** The printed summary: one line per table. */
  static String maintain(List<MaintainJob.TableResult> results, ChurnConfig.MaintainSettings m) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "maintain: optimize %s, vacuum files unreferenced for %.0f hours, keep %s%n",
                m.optimize() ? "on" : "off",
                m.vacuumRetentionHours(),
                m.keepAsOfDays() > 0
                    ? m.keepAsOfDays() + " days of as-of dates in derived tables"
                    : "every as-of date"));
    sb.append(
        String.format(
            Locale.ROOT,
            "  %-20s %12s %12s %12s  %s%n",
            "table",
            "files before",
            "files after",
            "rows pruned",
            "kept from"));
    for (MaintainJob.TableResult r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-20s %,12d %,12d %,12d  %s%n",
              r.table(),
              r.filesBefore(),
              r.filesAfter(),
              r.rowsPruned(),
              r.keptFrom() == null ? "-" : r.keptFrom()));
    }
    return sb.toString();
  }

  /** The held-out metrics as a small table for people (train's output, the demo). */
  private static String metricsTable(ModelInfo m) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "  %-28s %8s %10s%n", "metric", "model", "recency"));
    String[][] rows = {
      {"roc_auc", "baseline_recency_roc_auc"},
      {"pr_auc", "baseline_recency_pr_auc"},
      {"log_loss", null},
      {"brier", null},
      {"ece", null},
      {"precision_at_top", null},
      {"recall_at_top", null}
    };
    for (String[] r : rows) {
      if (!m.metrics().containsKey(r[0])) {
        continue;
      }
      String name =
          r[0].endsWith("_at_top")
              ? String.format(Locale.ROOT, "%s (top %.0f%%)", r[0], 100 * m.metric("top_share"))
              : r[0];
      String baseline =
          r[1] != null && m.metrics().containsKey(r[1])
              ? String.format(Locale.ROOT, "%10.3f", m.metric(r[1]))
              : "";
      b.append(String.format(Locale.ROOT, "  %-28s %8.3f %s%n", name, m.metric(r[0]), baseline));
    }
    for (String kind : List.of("lift", "capture")) {
      if (m.metrics().containsKey(kind + "_decile_01")) {
        b.append(String.format(Locale.ROOT, "  %-28s", kind + " by decile"));
        for (int d = 1; d <= 10; d++) {
          b.append(
              String.format(
                  Locale.ROOT,
                  " %.2f",
                  m.metric(String.format(Locale.ROOT, "%s_decile_%02d", kind, d))));
        }
        b.append(System.lineSeparator());
      }
    }
    return b.toString();
  }

  private static String value(Row r, String format) {
    if (r == null || r.isNullAt(r.fieldIndex(KpiColumns.VALUE))) {
      return "-";
    }
    return String.format(Locale.ROOT, format, r.getDouble(r.fieldIndex(KpiColumns.VALUE)));
  }
}
