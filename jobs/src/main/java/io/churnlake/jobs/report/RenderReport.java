package io.churnlake.jobs.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelPlots;
import io.churnlake.jobs.segment.PlanRetention;
import io.churnlake.jobs.tables.KpiColumns;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Row;

/**
 * The run report as one self-contained HTML file (charts embedded as PNG): a three-line summary for
 * the people who decide (churn and each goal's verdict, the plan, the model against recency), KPI
 * trends against each goal, the cohort retention heatmap, the risk-value matrix, the model's gain
 * and calibration curves and top drivers, the retention plan's budget and expected value, and
 * ingestion's data quality. Sections carry ids ({@link #SECTIONS}), every image its chart's title
 * (with the as-of date) as alt text, and each matrix cell its segment's figures as data attributes,
 * so the report can be checked by reading it; the tables it reads are named at its foot. Pure: data
 * in, text out.
 */
public final class RenderReport {
  /** Section ids, in order. */
  public static final List<String> SECTIONS =
      List.of(
          "summary",
          "kpis",
          "cohorts",
          "risk-value-matrix",
          "model",
          "monitoring",
          "campaigns",
          "plan",
          "data-quality");

  private RenderReport() {}

  public static String html(ReportData d) {
    StringBuilder b = new StringBuilder();
    String title = "churnlake report as of " + d.asOf();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(title)
        .append("</title>\n<style>\n")
        .append(
            "body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
                + "max-width:960px;margin:0 auto;padding:16px;color:#222}\n"
                + "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;"
                + "padding-bottom:4px;margin-top:32px}\n"
                + "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;"
                + "padding:4px 8px;text-align:right}th{background:#f3f3f3}"
                + "td.l,th.l{text-align:left}td.d{white-space:nowrap}\n"
                + "img{max-width:100%;height:auto;display:block;margin:8px 0}\n"
                + ".note{color:#555;font-size:.9em}\n")
        .append("</style></head><body>\n<h1>")
        .append(title)
        .append("</h1>\n<p class=\"note\">")
        .append(escapeHtml4(howChurnIsCounted(d.config())))
        .append("</p>\n");
    summary(b, d);
    kpis(b, d);
    cohorts(b, d);
    matrix(b, d);
    model(b, d);
    monitoring(b, d);
    campaigns(b, d);
    plan(b, d);
    dataQuality(b, d);
    b.append("<p class=\"note\">Tables behind this report: ")
        .append(String.join(", ", TABLES))
        .append(".</p>\n</body></html>\n");
    return b.toString();
  }

  /** The tables the report reads, named at its foot. */
  static final List<String> TABLES =
      List.of(
          "churn_kpis",
          "cohort_retention",
          "segment_summary",
          "churn_drivers",
          "models",
          "model_evaluations",
          "feature_drift",
          "campaign_outcomes",
          "action_effects",
          "ingested_files",
          "quarantine");

  /**
   * Three lines for the people who decide, before any chart: churn in the last ended period and
   * each goal's verdict, whom the plan contacts and what it is expected to return, and whether the
   * model ranks customers better than recency alone.
   */
  private static void summary(StringBuilder b, ReportData d) {
    section(b, "summary", "Summary");
    b.append("<ul>\n<li>")
        .append(escapeHtml4(churnLine(d)))
        .append("</li>\n<li>")
        .append(escapeHtml4(planLine(d)))
        .append("</li>\n<li>")
        .append(escapeHtml4(modelLine(d)))
        .append("</li>\n</ul>\n</section>\n");
  }

  /** The last ended period's churn rate (dimension all) and each goal's latest verdict. */
  static String churnLine(ReportData d) {
    Row last = null;
    for (Row r : d.kpis()) {
      if (r.getString(r.fieldIndex(KpiColumns.GOAL_ID)) == null
          && "churn_rate".equals(r.getString(r.fieldIndex(KpiColumns.METRIC)))
          && !r.isNullAt(r.fieldIndex(KpiColumns.VALUE))
          && (last == null || periodOf(r).isAfter(periodOf(last)))) {
        last = r;
      }
    }
    StringBuilder line =
        new StringBuilder(
            last == null
                ? "Churn: no period has ended yet."
                : String.format(
                    Locale.ROOT,
                    "Churn: %.2f%% in the period from %s (the last that has ended).",
                    100 * last.getDouble(last.fieldIndex(KpiColumns.VALUE)),
                    periodOf(last)));
    for (ChurnConfig.Goal g : d.config().kpis().goals()) {
      Row verdict = ReportCharts.latestVerdict(d, g).orElse(null);
      line.append(
          verdict == null
              ? String.format(Locale.ROOT, " Goal \"%s\": no period with a value yet.", g.text())
              : String.format(
                  Locale.ROOT,
                  " Goal \"%s\": %s (%s %s against a path of %s).",
                  g.text(),
                  ReportCharts.verdict(verdict),
                  g.metric(),
                  format(g.metric(), verdict.getDouble(verdict.fieldIndex(KpiColumns.VALUE))),
                  format(g.metric(), verdict.getDouble(verdict.fieldIndex(KpiColumns.TARGET)))));
    }
    return line.toString();
  }

  private static java.time.LocalDate periodOf(Row r) {
    return r.getDate(r.fieldIndex(KpiColumns.PERIOD_START)).toLocalDate();
  }

  /** Whom the plan contacts, who is held out, and what it is expected to cost and return. */
  static String planLine(ReportData d) {
    PlanTotals t = PlanTotals.of(d);
    return t.targeted() == 0
        ? "Plan: nobody to contact on this date."
        : String.format(
            Locale.ROOT,
            "Plan: contact %,d customers (%,d more held out as the control group) for a cost of"
                + " %s; expected net value %s.",
            t.targeted(),
            t.control(),
            money(d, t.cost()),
            money(d, t.net()));
  }

  /** An amount with the configured currency, e.g. "1,234.50 USD". */
  static String money(ReportData d, double amount) {
    return String.format(Locale.ROOT, "%,.2f %s", amount, d.config().clv().currency());
  }

  /** The plan's totals over its segments (segment_summary rows of the date). */
  record PlanTotals(long targeted, long control, double cost, double saved, double net) {
    static PlanTotals of(ReportData d) {
      PlanTotals t = new PlanTotals(0, 0, 0, 0, 0);
      for (Row r : d.segments()) {
        t =
            new PlanTotals(
                t.targeted + r.getLong(r.fieldIndex("targeted")),
                t.control + r.getLong(r.fieldIndex("control")),
                t.cost + r.getDouble(r.fieldIndex("cost")),
                t.saved + r.getDouble(r.fieldIndex("expected_saved_value")),
                t.net + r.getDouble(r.fieldIndex("expected_net_value")));
      }
      return t;
    }
  }

  /**
   * Whether the scoring model ranks churners better than days since the last activity alone, how it
   * ranked on its latest matured date, and whether a monitored feature drifted on this date.
   */
  static String modelLine(ReportData d) {
    String line = rankingLine(d);
    if (d.model().isEmpty()) {
      return line;
    }
    String version = d.model().get().version();
    List<Row> own =
        d.monitoring().realised().stream()
            .filter(r -> version.equals(r.getString(r.fieldIndex("model_version"))))
            .toList();
    Row latest = own.isEmpty() ? null : own.get(own.size() - 1);
    line +=
        latest == null
            ? " No scored date of it has matured yet."
            : String.format(
                Locale.ROOT,
                " Realised ROC AUC %.3f on %s (the latest matured scored date).",
                latest.getDouble(latest.fieldIndex("value")),
                latest.getDate(latest.fieldIndex("as_of_date")));
    List<String> drifted =
        d.monitoring().drift().stream()
            .filter(r -> r.getBoolean(r.fieldIndex("drifted")))
            .map(
                r ->
                    String.format(
                        Locale.ROOT,
                        "%s %.2f",
                        r.getString(r.fieldIndex("feature")),
                        r.getDouble(r.fieldIndex("psi"))))
            .toList();
    if (d.monitoring().drift().isEmpty()) {
      return line + " No drift measured on this date.";
    }
    return line
        + (drifted.isEmpty()
            ? " No monitored feature drifted."
            : " Drifted (PSI): " + String.join(", ", drifted) + ".");
  }

  /** The held-out ranking against recency alone. */
  private static String rankingLine(ReportData d) {
    if (d.model().isEmpty()) {
      return "Model: no model scored this date.";
    }
    ModelInfo m = d.model().get();
    double auc = m.metric("roc_auc");
    if (!m.metrics().containsKey("baseline_recency_roc_auc")) {
      return String.format(
          Locale.ROOT,
          "Model: %s (%s), ROC AUC %.3f on its held-out date (no recency column to compare with).",
          m.version(),
          m.algorithm(),
          auc);
    }
    double baseline = m.metric("baseline_recency_roc_auc");
    return String.format(
        Locale.ROOT,
        "Model: %s (%s), ROC AUC %.3f on its held-out date against %.3f for recency alone: %s.",
        m.version(),
        m.algorithm(),
        auc,
        baseline,
        auc > baseline
            ? "it ranks customers better than recency"
            : "no better than recency; retrain it or check the data");
  }

  private static String howChurnIsCounted(ChurnConfig c) {
    return "Churn definition: labels.definition = "
        + c.labels().definition().id()
        + ", horizon "
        + c.labels().horizonDays()
        + " days. Rates of a period that has not ended are not shown (immature).";
  }

  private static void section(StringBuilder b, String id, String heading) {
    b.append("<section id=\"").append(id).append("\">\n<h2>").append(heading).append("</h2>\n");
  }

  private static void image(StringBuilder b, ReportCharts.Figure f) {
    b.append("<img alt=\"")
        .append(escapeHtml4(f.title()))
        .append("\" src=\"data:image/png;base64,")
        .append(f.pngBase64())
        .append("\">\n");
  }

  private static void kpis(StringBuilder b, ReportData d) {
    section(b, "kpis", "KPIs and goals");
    List<ChurnConfig.Goal> goals = d.config().kpis().goals();
    for (ChurnConfig.Goal g : goals) {
      image(b, ReportCharts.metricTrend(d, g.metric(), rate(g.metric()), Optional.of(g)));
    }
    if (goals.stream().noneMatch(g -> g.metric().equals("churn_rate"))) {
      image(b, ReportCharts.metricTrend(d, "churn_rate", true, Optional.empty()));
    }
    b.append("<table><tr><th class=\"l\">period</th><th>active</th><th>churned</th>")
        .append("<th>churn rate</th><th>retention</th><th>new</th><th>revenue at risk (")
        .append(escapeHtml4(d.config().clv().currency()))
        .append(")</th></tr>\n");
    java.util.TreeMap<String, java.util.Map<String, String>> byPeriod = new java.util.TreeMap<>();
    for (Row r : d.kpis()) {
      if (r.getString(r.fieldIndex(KpiColumns.GOAL_ID)) != null) {
        continue;
      }
      String p = r.getDate(r.fieldIndex(KpiColumns.PERIOD_START)).toString();
      String m = r.getString(r.fieldIndex(KpiColumns.METRIC));
      String v =
          r.isNullAt(r.fieldIndex(KpiColumns.VALUE))
              ? "-"
              : format(m, r.getDouble(r.fieldIndex(KpiColumns.VALUE)));
      byPeriod.computeIfAbsent(p, k -> new java.util.HashMap<>()).put(m, v);
    }
    for (var e : byPeriod.entrySet()) {
      var m = e.getValue();
      b.append("<tr><td class=\"l\">").append(e.getKey()).append("</td>");
      for (String metric :
          List.of(
              "active_customers",
              "churned_customers",
              "churn_rate",
              "retention_rate",
              "new_customers",
              "revenue_at_risk")) {
        b.append("<td>").append(m.getOrDefault(metric, "")).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n<p class=\"note\">-: the period has not ended (immature) or the rate is")
        .append(" undefined; each campaign against its control group is under Campaigns.</p>\n")
        .append("</section>\n");
  }

  private static boolean rate(String metric) {
    return metric.endsWith("_rate");
  }

  private static String format(String metric, double v) {
    return rate(metric)
        ? String.format(Locale.ROOT, "%.2f%%", 100 * v)
        : String.format(Locale.ROOT, metric.contains("customers") ? "%,.0f" : "%,.2f", v);
  }

  private static void cohorts(StringBuilder b, ReportData d) {
    section(b, "cohorts", "Cohort retention");
    image(b, ReportCharts.cohortHeatmap(d));
    image(b, ReportCharts.survivalCurves(d));
    b.append("<p class=\"note\">Survival counts each customer's first spell until the first")
        .append(" churn; customers still active count until today (censored). The ")
        .append(ReportCharts.SURVIVAL_COHORTS)
        .append(" most recent cohorts with 30 days of follow-up are drawn.</p>\n</section>\n");
  }

  private static void matrix(StringBuilder b, ReportData d) {
    section(b, "risk-value-matrix", "Risk-value matrix as of " + d.asOf());
    b.append("<table><tr><th class=\"l\">value \\ risk</th>");
    List<String> tiers = ChurnConfig.SegmentSettings.TIERS;
    for (String risk : tiers) {
      b.append("<th>").append(risk).append(" risk</th>");
    }
    b.append("</tr>\n");
    for (String value : List.of("high", "medium", "low")) {
      if (d.segments().stream()
          .noneMatch(r -> value.equals(r.getString(r.fieldIndex(SegmentColumns.VALUE_TIER))))) {
        // A value tier no customer is in (e.g. all values equal): no empty row.
        continue;
      }
      b.append("<tr><th class=\"l\">").append(value).append(" value</th>");
      for (String risk : tiers) {
        Optional<Row> cell =
            d.segments().stream()
                .filter(
                    r ->
                        value.equals(r.getString(r.fieldIndex(SegmentColumns.VALUE_TIER)))
                            && risk.equals(r.getString(r.fieldIndex("risk_tier"))))
                .findFirst();
        if (cell.isEmpty()) {
          b.append("<td class=\"cell\" data-segment=\"")
              .append(value)
              .append(" value, ")
              .append(risk)
              .append(" risk\" data-customers=\"0\" data-revenue-at-risk=\"0.00\">0</td>");
          continue;
        }
        Row r = cell.get();
        long customers = r.getLong(r.fieldIndex("customers"));
        double atRisk = r.getDouble(r.fieldIndex("revenue_at_risk"));
        b.append(
            String.format(
                Locale.ROOT,
                "<td class=\"cell\" data-segment=\"%s\" data-customers=\"%d\""
                    + " data-revenue-at-risk=\"%.2f\">%,d customers<br>%s at risk<br>%s</td>",
                escapeHtml4(r.getString(r.fieldIndex(SegmentColumns.SEGMENT))),
                customers,
                atRisk,
                customers,
                escapeHtml4(money(d, atRisk)),
                escapeHtml4(r.getString(r.fieldIndex(SegmentColumns.ACTION)))));
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n<p class=\"note\">Revenue at risk: sum of P(churn) x value")
        .append(" (segment_summary).</p>\n</section>\n");
  }

  private static void model(StringBuilder b, ReportData d) {
    section(b, "model", "Model");
    if (d.model().isEmpty()) {
      b.append("<p>No model scored this date.</p>\n</section>\n");
      return;
    }
    ModelInfo m = d.model().get();
    b.append(
        String.format(
            Locale.ROOT,
            "<p>Model %s (%s), evaluated on %s: ROC AUC %.3f (recency-only baseline %.3f), PR AUC"
                + " %.3f, ECE %.3f.</p>%n",
            escapeHtml4(m.version()),
            escapeHtml4(m.algorithm()),
            m.evaluationDate(),
            m.metric("roc_auc"),
            m.metric("baseline_recency_roc_auc"),
            m.metric("pr_auc"),
            m.metric("ece")));
    image(
        b,
        ReportCharts.retitled(
            ModelPlots.gain(m),
            "Gain curve of model "
                + m.version()
                + ": churners reached (%) by customers contacted (%)",
            d.asOf()));
    image(
        b,
        ReportCharts.retitled(
            ModelPlots.calibration(m),
            "Calibration of model "
                + m.version()
                + ": observed vs predicted churn per probability bin (%)",
            d.asOf()));
    calibrationTable(b, m);
    b.append("<table><tr><th>rank</th><th class=\"l\">top driver as of ")
        .append(d.asOf())
        .append("</th><th class=\"l\">direction</th><th>importance</th></tr>\n");
    for (Row r : d.drivers()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%d</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%.4f</td></tr>%n",
              r.getInt(r.fieldIndex("rank")),
              escapeHtml4(r.getString(r.fieldIndex("feature"))),
              escapeHtml4(r.getString(r.fieldIndex("direction"))),
              r.getDouble(r.fieldIndex("importance"))));
    }
    b.append("</table>\n</section>\n");
  }

  /** The calibration plot's bins as numbers: predicted, observed with its interval, counts. */
  private static void calibrationTable(StringBuilder b, ModelInfo m) {
    List<ModelPlots.CalibrationBin> bins = ModelPlots.calibrationBins(m);
    if (bins.isEmpty() || bins.get(0).lower().isEmpty()) {
      b.append("<p class=\"note\">This model was saved before bin counts were recorded: no")
          .append(" intervals.</p>\n");
      return;
    }
    b.append("<table><tr><th>predicted churn</th><th>observed churn</th><th>95% interval</th>")
        .append("<th>customers</th><th>churners</th></tr>\n");
    for (ModelPlots.CalibrationBin bin : bins) {
      b.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%.2f%%</td><td>%.2f%%</td><td>%.2f%% to %.2f%%</td><td>%,d</td>"
                  + "<td>%,d</td></tr>%n",
              bin.predicted(),
              bin.observed(),
              bin.lower().getAsDouble(),
              bin.upper().getAsDouble(),
              bin.customers(),
              bin.churners()));
    }
    b.append("</table>\n<p class=\"note\">Bins are score deciles of the held-out date, those")
        .append(" calibration gave one probability pooled; intervals are Wilson's.</p>\n");
  }

  /** Realised ranking over time and drift: is the model still fit for the customers it scores? */
  private static void monitoring(StringBuilder b, ReportData d) {
    section(b, "monitoring", "Model health: realised performance and drift");
    if (d.monitoring().realised().isEmpty()) {
      b.append("<p>No scored date has matured yet: a scored date's realised ROC AUC is known ")
          .append(d.config().labels().horizonDays())
          .append(" days (the horizon) after it.</p>\n");
    } else {
      image(b, ReportCharts.realisedAuc(d));
    }
    if (d.monitoring().driftHistory().isEmpty()) {
      b.append("<p>No drift measured yet (score writes feature_drift).</p>\n</section>\n");
      return;
    }
    image(b, ReportCharts.driftHistory(d));
    b.append("<table><tr><th class=\"l\">most drifted features as of ")
        .append(d.asOf())
        .append("</th><th>PSI</th><th class=\"l\">drifted</th></tr>\n");
    for (Row r : d.monitoring().drift()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<tr><td class=\"l\">%s</td><td>%.2f</td><td class=\"l\">%s</td></tr>%n",
              escapeHtml4(r.getString(r.fieldIndex("feature"))),
              r.getDouble(r.fieldIndex("psi")),
              r.getBoolean(r.fieldIndex("drifted")) ? "yes" : "no"));
    }
    b.append("</table>\n<p class=\"note\">PSI compares a feature's distribution on the scored")
        .append(" date with the model's training rows: below 0.1 stable, 0.1 to 0.25 moderate,")
        .append(" above ")
        .append(String.format(Locale.ROOT, "%.2f", d.config().score().psiThreshold()))
        .append(" drifted. Ages and lifetime totals grow by construction and are not")
        .append(" monitored.</p>\n</section>\n");
  }

  /** Each wave's treated against control per action, and the save rates learned from them. */
  private static void campaigns(StringBuilder b, ReportData d) {
    section(b, "campaigns", "Campaigns: treated against control");
    if (d.campaigns().outcomes().isEmpty()) {
      b.append("<p>No campaign wave yet: the first plan starts one.</p>\n");
    } else {
      b.append("<table><tr><th class=\"l\">wave</th><th class=\"l\">action</th>")
          .append("<th>treated (churned)</th><th>control (churned)</th>")
          .append("<th>treated churn</th><th>control churn</th>")
          .append("<th>effect, points (95% interval)</th><th>net value: realised / expected</th>")
          .append("</tr>\n");
      for (Row r : d.campaigns().outcomes()) {
        campaignRow(b, d, r);
      }
      b.append("</table>\n<p class=\"note\">Intent to treat: everyone targeted counts,")
          .append(" contacted or not. Rates carry Wilson 95% intervals, the effect (treated")
          .append(" minus control, negative when the action kept customers) Newcombe's.</p>\n");
    }
    if (!d.campaigns().effects().isEmpty()) {
      b.append("<table><tr><th class=\"l\">action</th><th>save rate</th>")
          .append("<th>95% interval</th><th>prior</th><th>waves</th>")
          .append("<th class=\"l\">from</th></tr>\n");
      for (Row r : d.campaigns().effects()) {
        b.append(
            String.format(
                Locale.ROOT,
                "<tr><td class=\"l\">%s</td><td>%.1f%%</td><td>%.1f%% to %.1f%%</td>"
                    + "<td>%.1f%%</td><td>%d</td><td class=\"l\">%s</td></tr>%n",
                escapeHtml4(r.getString(r.fieldIndex("action"))),
                100 * r.getDouble(r.fieldIndex("save_rate")),
                100 * r.getDouble(r.fieldIndex("save_rate_lower")),
                100 * r.getDouble(r.fieldIndex("save_rate_upper")),
                100 * r.getDouble(r.fieldIndex("prior_save_rate")),
                r.getInt(r.fieldIndex("waves")),
                escapeHtml4(r.getString(r.fieldIndex("note")))));
      }
      b.append("</table>\n");
    }
    d.campaigns().uplift().ifPresent(u -> uplift(b, d, u));
    b.append("</section>\n");
  }

  /**
   * The latest uplift model: what it learned from, its Qini coefficient against random and (on
   * generated data) the oracle, its Qini curve, and which targeting won on its evaluation wave.
   */
  private static void uplift(StringBuilder b, ReportData d, Row u) {
    b.append("<h3>Uplift: whom contacting changes</h3>\n<p>Model ")
        .append(escapeHtml4(u.getString(u.fieldIndex("model_version"))))
        .append(" (")
        .append(escapeHtml4(u.getString(u.fieldIndex("algorithm"))))
        .append(") learned from the waves of ")
        .append(escapeHtml4(String.valueOf(u.getList(u.fieldIndex("training_waves")))))
        .append(
            String.format(
                Locale.ROOT,
                ": %,d treated and %,d control customers.",
                u.getLong(u.fieldIndex("treated")),
                u.getLong(u.fieldIndex("control"))));
    int wave = u.fieldIndex("evaluation_wave");
    if (u.isNullAt(wave)) {
      b.append(" A later matured wave will evaluate it.</p>\n");
      return;
    }
    b.append(
        String.format(
            Locale.ROOT,
            " On the later wave of %s its Qini coefficient is %.4f (a random score's %.4f%s).</p>%n",
            u.getDate(wave),
            u.getDouble(u.fieldIndex("qini_coefficient")),
            u.getDouble(u.fieldIndex("random_qini_coefficient")),
            u.isNullAt(u.fieldIndex("oracle_qini_coefficient"))
                ? ""
                : String.format(
                    Locale.ROOT,
                    "; the oracle's, ranking by the true effect, %.4f",
                    u.getDouble(u.fieldIndex("oracle_qini_coefficient")))));
    expectedQini(b, u);
    image(b, ReportCharts.qini(d, u));
    if (!u.isNullAt(u.fieldIndex("compared_budget"))) {
      double plan = u.getDouble(u.fieldIndex("plan_true_net_value"));
      double upl = u.getDouble(u.fieldIndex("uplift_true_net_value"));
      b.append("<p><strong>")
          .append(upl >= plan ? "Uplift targeting won" : "Churn-risk targeting won")
          .append(
              "</strong> on that wave, valued by the generator's truth at the plan's budget of ")
          .append(escapeHtml4(money(d, u.getDouble(u.fieldIndex("compared_budget")))))
          .append(": uplift targeting ")
          .append(escapeHtml4(money(d, upl)))
          .append(
              String.format(
                  Locale.ROOT,
                  " net (%,d contacted), the plan's churn-risk targeting ",
                  u.getLong(u.fieldIndex("uplift_targeted"))))
          .append(escapeHtml4(money(d, plan)))
          .append(
              String.format(
                  Locale.ROOT,
                  " (%,d contacted).</p>%n",
                  u.getLong(u.fieldIndex("plan_targeted"))));
    }
  }

  /**
   * On generated data, the same Qini coefficients from the evaluation wave's true effects: on a
   * couple of thousand randomised customers the curve from outcomes is mostly noise.
   */
  private static void expectedQini(StringBuilder b, Row u) {
    int expected = u.fieldIndex("expected_qini_coefficient");
    int oracle = u.fieldIndex("oracle_expected_qini_coefficient");
    if (u.isNullAt(expected) || u.isNullAt(oracle)) {
      return;
    }
    double model = u.getDouble(expected);
    double best = u.getDouble(oracle);
    b.append(
        String.format(
            Locale.ROOT,
            "<p>From the wave's true effects instead of its outcomes (the same rankings without the"
                + " outcomes' noise): the model's %.4f, a random score's %.4f, the oracle's %.4f%s."
                + "</p>%n",
            model,
            u.getDouble(u.fieldIndex("random_expected_qini_coefficient")),
            best,
            best > 0
                ? String.format(
                    Locale.ROOT, " (the model reaches %.0f%% of the oracle's)", 100 * model / best)
                : ""));
  }

  /** One wave and action: counts, then rates and effect, or why there are none. */
  private static void campaignRow(StringBuilder b, ReportData d, Row r) {
    b.append(
        String.format(
            Locale.ROOT,
            "<tr><td class=\"l d\">%s</td><td class=\"l\">%s</td><td>%,d (%,d)</td>"
                + "<td>%,d (%,d)</td>",
            r.getDate(r.fieldIndex("wave_date")),
            escapeHtml4(r.getString(r.fieldIndex("action"))),
            r.getLong(r.fieldIndex("treated")),
            r.getLong(r.fieldIndex("treated_churned")),
            r.getLong(r.fieldIndex("control")),
            r.getLong(r.fieldIndex("control_churned"))));
    String status = r.getString(r.fieldIndex("status"));
    if (!"mature".equals(status)) {
      String why =
          "immature".equals(status)
              ? "not matured yet (matures on " + r.getDate(r.fieldIndex("matures_on")) + ")"
              : r.getLong(r.fieldIndex("control")) == 0
                  ? "no control customer: no effect"
                  : "no treated customer: no effect";
      b.append("<td class=\"l\" colspan=\"4\">").append(why).append("</td></tr>\n");
      return;
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<td>%s</td><td>%s</td><td>%+.1f (%+.1f to %+.1f)</td><td>%s / %s</td></tr>%n",
            rate(r, "treated_churn_rate"),
            rate(r, "control_churn_rate"),
            100 * r.getDouble(r.fieldIndex("effect")),
            100 * r.getDouble(r.fieldIndex("effect_lower")),
            100 * r.getDouble(r.fieldIndex("effect_upper")),
            r.isNullAt(r.fieldIndex("realised_net_value"))
                ? "-"
                : escapeHtml4(money(d, r.getDouble(r.fieldIndex("realised_net_value")))),
            escapeHtml4(money(d, r.getDouble(r.fieldIndex("expected_net_value"))))));
  }

  /** A rate column and its Wilson interval, e.g. "12.0% (8.1-17.4%)". */
  private static String rate(Row r, String column) {
    return String.format(
        Locale.ROOT,
        "%.1f%% (%.1f-%.1f%%)",
        100 * r.getDouble(r.fieldIndex(column)),
        100 * r.getDouble(r.fieldIndex(column + "_lower")),
        100 * r.getDouble(r.fieldIndex(column + "_upper")));
  }

  private static void plan(StringBuilder b, ReportData d) {
    section(b, "plan", "Retention plan: budget and expected value");
    ChurnConfig.SegmentSettings s = d.config().segment();
    PlanTotals t = PlanTotals.of(d);
    b.append(
        String.format(
            Locale.ROOT,
            "<p>%,d customers targeted, %,d in the control group (%.0f%%, campaign %s); cost"
                + " %s of budget %s; expected saved value %s; expected net value %s.</p>%n",
            t.targeted(),
            t.control(),
            100 * s.controlFraction(),
            escapeHtml4(s.campaignId()),
            escapeHtml4(money(d, t.cost())),
            escapeHtml4(PlanRetention.budgetWords(s.budget())),
            escapeHtml4(money(d, t.saved())),
            escapeHtml4(money(d, t.net()))));
    image(b, ReportCharts.planValue(d));
    b.append("</section>\n");
  }

  private static void dataQuality(StringBuilder b, ReportData d) {
    section(b, "data-quality", "Data quality of ingestion");
    image(b, ReportCharts.dataQuality(d));
    b.append("<table><tr><th class=\"l\">source</th><th>files</th><th>read</th><th>loaded</th>")
        .append("<th>quarantined</th><th>dropped</th><th>blank</th><th>filtered</th></tr>\n");
    for (Row r : d.ingestion()) {
      b.append("<tr><td class=\"l\">").append(escapeHtml4(r.getString(0))).append("</td>");
      for (int i = 1; i < r.size(); i++) {
        b.append(String.format(Locale.ROOT, "<td>%,d</td>", r.getLong(i)));
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n<table><tr><th class=\"l\">source</th><th class=\"l\">quarantine reason")
        .append("</th><th>records</th></tr>\n");
    for (Row r : d.quarantine()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%,d</td></tr>%n",
              escapeHtml4(r.getString(0)),
              escapeHtml4(r.getString(1)),
              r.getLong(2)));
    }
    b.append("</table>\n</section>\n");
  }
}
