package io.churnlake.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.jobs.tables.KpiColumns;
import io.churnlake.jobs.tables.SegmentColumns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The run report rendered from inline {@link ReportData} (rows of the documented table schemas), no
 * Spark. Invariants: every section is present in order; the KPI table has one row per period with
 * rates as percentages and "-" where a value is missing, goal rows never shown as periods; the plan
 * totals are the sums of its segments; text from the tables is escaped (a segment or source name
 * cannot inject markup); every chart is an embedded PNG; without a model the report says so.
 */
class RenderReportTest {
  private static final LocalDate AS_OF = LocalDate.of(2026, 3, 31);

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  private static Row row(StructType schema, Map<String, Object> values) {
    Object[] v = new Object[schema.size()];
    values.forEach((k, x) -> v[schema.fieldIndex(k)] = x);
    return new GenericRowWithSchema(v, schema);
  }

  private static Row kpi(String month, String metric, Double value, String goal, Double target) {
    java.util.HashMap<String, Object> m = new java.util.HashMap<>();
    m.put("as_of_date", Date.valueOf(AS_OF));
    m.put("period_grain", "month");
    m.put(KpiColumns.PERIOD_START, Date.valueOf(month));
    m.put("dimension", "all");
    m.put("dimension_value", "all");
    m.put(KpiColumns.METRIC, metric);
    m.put(KpiColumns.VALUE, value);
    m.put(KpiColumns.GOAL_ID, goal);
    m.put(KpiColumns.TARGET, target);
    m.put(KpiColumns.ON_TRACK, goal == null || value == null ? null : value <= target);
    return row(KpiColumns.CHURN_KPIS, m);
  }

  private static Row cohort(String month, int offset, double rate) {
    return row(
        KpiColumns.COHORT_RETENTION,
        Map.of(
            "as_of_date",
            Date.valueOf(AS_OF),
            "cohort_month",
            Date.valueOf(month),
            "period_offset",
            offset,
            "retention_rate",
            rate,
            "survival_days",
            30 * (offset + 1),
            "km_survival",
            rate,
            "km_survival_se",
            0.05,
            "cohort_customers",
            100L));
  }

  private static Row segment(
      String name, String value, String risk, long customers, long targeted, double cost) {
    java.util.HashMap<String, Object> m = new java.util.HashMap<>();
    m.put("as_of_date", Date.valueOf(AS_OF));
    m.put("segment", name);
    m.put("value_tier", value);
    m.put("risk_tier", risk);
    m.put("action", "call & offer");
    m.put("customers", customers);
    m.put("mean_probability", 0.5);
    m.put("value", 1000.0);
    m.put("revenue_at_risk", 500.0);
    m.put("targeted", targeted);
    m.put("control", 1L);
    m.put("expected_saved_value", 3 * cost);
    m.put("cost", cost);
    m.put("expected_net_value", 2 * cost);
    return row(SegmentColumns.SEGMENT_SUMMARY, m);
  }

  private static ReportData data() {
    ChurnConfig config = ChurnConfigLoader.load(List.of(), List.of());
    List<Row> kpis = new ArrayList<>();
    for (String month : List.of("2026-01-01", "2026-02-01", "2026-03-01")) {
      boolean open = month.equals("2026-03-01");
      kpis.add(kpi(month, "active_customers", 1200.0, null, null));
      kpis.add(kpi(month, "churned_customers", open ? null : 60.0, null, null));
      kpis.add(kpi(month, "churn_rate", open ? null : 0.05, null, null));
      kpis.add(kpi(month, "retention_rate", open ? null : 0.95, null, null));
      kpis.add(kpi(month, "new_customers", 80.0, null, null));
      kpis.add(kpi(month, "revenue_at_risk", 1234.5, null, null));
      // A goal row repeats the metric: it is tracked in the chart, never a period of the table.
      kpis.add(kpi(month, "churn_rate", open ? null : 0.05, "cut-churn", 0.049));
    }
    StructType ingestion =
        new StructType()
            .add("source", DataTypes.StringType)
            .add("files", DataTypes.LongType)
            .add("rows_read", DataTypes.LongType)
            .add("rows_loaded", DataTypes.LongType)
            .add("rows_quarantined", DataTypes.LongType)
            .add("rows_dropped", DataTypes.LongType)
            .add("rows_blank", DataTypes.LongType)
            .add("rows_filtered", DataTypes.LongType);
    StructType quarantine =
        new StructType()
            .add("source", DataTypes.StringType)
            .add("reason", DataTypes.StringType)
            .add("records", DataTypes.LongType);
    return new ReportData(
        AS_OF,
        config,
        kpis,
        List.of(
            cohort("2026-01-01", 0, 1.0),
            cohort("2026-01-01", 1, 0.9),
            cohort("2026-02-01", 0, 1.0)),
        List.of(
            segment("high value, high risk", "high", "high", 100, 90, 450.0),
            segment("<b>low</b> value, high risk", "low", "high", 300, 10, 50.0)),
        Optional.empty(),
        List.of(),
        List.of(
            new GenericRowWithSchema(
                new Object[] {"app <log>", 3L, 1005L, 990L, 10L, 5L, 5L, 0L}, ingestion)),
        List.of(
            new GenericRowWithSchema(
                new Object[] {"app <log>", "malformed_json", 10L}, quarantine)),
        ReportData.Monitoring.NONE,
        ReportData.Campaigns.NONE);
  }

  @Test
  void everySectionInOrderWithItsFiguresEscapedAndChartsEmbedded() {
    String html = RenderReport.html(data());

    List<Integer> positions = new ArrayList<>();
    for (String id : RenderReport.SECTIONS) {
      positions.add(html.indexOf("<section id=\"" + id + "\">"));
    }
    assertThat(positions).doesNotContain(-1).isSorted();

    // One row per period; the open month's rates are missing ("-"), not zero.
    assertThat(html)
        .contains(
            "<tr><td class=\"l\">2026-01-01</td><td>1,200</td><td>60</td><td>5.00%</td>"
                + "<td>95.00%</td><td>80</td><td>1,234.50</td></tr>")
        .contains(
            "<tr><td class=\"l\">2026-03-01</td><td>1,200</td><td>-</td><td>-</td><td>-</td>"
                + "<td>80</td><td>1,234.50</td></tr>");
    assertThat(count(html, "<tr><td class=\"l\">2026-0")).isEqualTo(3);

    // Text from the tables is escaped.
    assertThat(html)
        .doesNotContain("<b>low</b>")
        .contains("&lt;b&gt;low&lt;/b&gt; value, high risk")
        .doesNotContain("app <log>")
        .contains("<tr><td class=\"l\">app &lt;log&gt;</td><td>3</td><td>1,005</td><td>990</td>")
        .contains("<tr><td class=\"l\">app &lt;log&gt;</td><td class=\"l\">malformed_json</td>");

    assertThat(html).contains("<p>No model scored this date.</p>");

    // The summary comes first: the last ended month's churn and each goal's latest verdict
    // (February, 5.00% against a path of 4.90%: off track), the plan's contacts and return, the
    // model. Configured goals come from the defaults (none): the verdict sentence is per goal.
    assertThat(RenderReport.churnLine(data()))
        .startsWith("Churn: 5.00% in the period from 2026-02-01 (the last that has ended).");
    ReportData withGoal = withChurnGoal(data());
    assertThat(RenderReport.churnLine(withGoal))
        .isEqualTo(
            "Churn: 5.00% in the period from 2026-02-01 (the last that has ended). Goal"
                + " \"churn_rate -10% vs 2026-01 by 2026-07\": off track (churn_rate 5.00% against"
                + " a path of 4.90%).");
    assertThat(html)
        .contains(
            "<section id=\"summary\">\n<h2>Summary</h2>\n<ul>\n<li>Churn: 5.00% in the period from"
                + " 2026-02-01 (the last that has ended).")
        .contains(
            "<li>Plan: contact 100 customers (2 more held out as the control group) for a cost of"
                + " 500.00 USD; expected net value 1,000.00 USD.</li>")
        .contains("<li>Model: no model scored this date.</li>")
        .endsWith(
            "<p class=\"note\">Tables behind this report: churn_kpis, cohort_retention,"
                + " segment_summary, churn_drivers, models, model_evaluations, feature_drift,"
                + " campaign_outcomes, action_effects, ingested_files, quarantine.</p>\n"
                + "</body></html>\n");

    // Every image is a PNG rendered into the page.
    Matcher images = Pattern.compile("<img alt=\"[^\"]*\" src=\"([^\"]*)\">").matcher(html);
    int n = 0;
    while (images.find()) {
      assertThat(images.group(1)).startsWith("data:image/png;base64,iVBORw0KGgo");
      n++;
    }
    // One trend per goal (plus churn rate when no goal tracks it), cohorts, survival, plan, data
    // quality.
    List<ChurnConfig.Goal> goals = data().config().kpis().goals();
    int trends =
        goals.size() + (goals.stream().anyMatch(g -> g.metric().equals("churn_rate")) ? 0 : 1);
    assertThat(n).isEqualTo(count(html, "<img ")).isEqualTo(trends + 4);
  }

  @Test
  void trendAxesTickOnPeriodStartsAndAGoalsChartSaysWhetherItIsOnTrack() {
    // Invariant: a tick label is a period's start ("2026-03" for months, the Monday for weeks);
    // between two periods there is no label (ticks fell mid-month before).
    LocalDate march = LocalDate.of(2026, 3, 1);
    assertThat(ReportCharts.periodLabel(ReportCharts.periodIndex(march, true), true))
        .isEqualTo("2026-03");
    assertThat(ReportCharts.periodIndex(LocalDate.of(2027, 1, 1), true))
        .isEqualTo(ReportCharts.periodIndex(LocalDate.of(2026, 12, 1), true) + 1);
    assertThat(ReportCharts.periodLabel(ReportCharts.periodIndex(march, true) + 0.5, true))
        .isEmpty();
    LocalDate monday = LocalDate.of(2026, 3, 2);
    assertThat(ReportCharts.periodLabel(ReportCharts.periodIndex(monday, false), false))
        .isEqualTo("2026-03-02");
    assertThat(ReportCharts.periodIndex(monday.plusDays(6), false))
        .isEqualTo(ReportCharts.periodIndex(monday, false));
    String html = RenderReport.html(withChurnGoal(data()));
    assertThat(html)
        .contains(
            "<img alt=\"Survival by tenure per cohort: no churn yet (%), Kaplan-Meier with 95%"
                + " intervals (as of 2026-03-31)\"")
        .contains(
            "<img alt=\"Goal cut-churn: churn_rate -10% vs 2026-01 by 2026-07 per month (%): off"
                + " track (as of 2026-03-31)\"");
  }

  /** {@code d} with one goal on churn_rate, id cut-churn, as the kpi rows carry it. */
  private static ReportData withChurnGoal(ReportData d) {
    ChurnConfig c =
        ChurnConfigLoader.load(
            List.of(),
            List.of(
                "kpis.goals=[{id = \"cut-churn\", goal = \"churn_rate -10% vs 2026-01 by"
                    + " 2026-07\"}]"));
    return new ReportData(
        d.asOf(),
        c,
        d.kpis(),
        d.cohorts(),
        d.segments(),
        d.model(),
        d.drivers(),
        d.ingestion(),
        d.quarantine(),
        d.monitoring(),
        d.campaigns());
  }

  @Test
  void thePlanTotalsAreTheSumsOfItsSegmentsAndEachMatrixCellShowsItsSegment() {
    String html = RenderReport.html(data());
    // 90 + 10 targeted, 1 + 1 control, cost 450 + 50, saved 1,350 + 150, net 900 + 100.
    assertThat(html)
        .containsPattern(
            "<p>100 customers targeted, 2 in the control group \\(\\d+%, campaign [^)]*\\);"
                + " cost 500\\.00 USD of budget [^;]*; expected saved value 1,500\\.00 USD;"
                + " expected net value 1,000\\.00 USD\\.</p>");
    assertThat(html)
        .contains(
            "<td class=\"cell\" data-segment=\"high value, high risk\" data-customers=\"100\""
                + " data-revenue-at-risk=\"500.00\">100 customers<br>500.00 USD at risk<br>call &amp;"
                + " offer</td>")
        .contains(
            "<td class=\"cell\" data-segment=\"low value, low risk\" data-customers=\"0\""
                + " data-revenue-at-risk=\"0.00\">0</td>");
    // No customer has a medium value here: no empty row for it.
    assertThat(html).contains("<th class=\"l\">high value</th>").doesNotContain("medium value");
  }

  /** A scoring model with the held-out figures the report reads (deciles, recency baseline). */
  private static io.churnlake.jobs.model.ModelInfo model() {
    Map<String, Double> m = new java.util.HashMap<>();
    m.put("roc_auc", 0.81);
    m.put("baseline_recency_roc_auc", 0.70);
    m.put("pr_auc", 0.4);
    m.put("ece", 0.02);
    m.put("churn_rate", 0.1);
    m.put("evaluation_customers", 2000.0);
    for (int d = 1; d <= 10; d++) {
      String k = String.format(java.util.Locale.ROOT, "%02d", d);
      m.put("capture_decile_" + k, Math.min(1.0, 0.3 * d));
      m.put("baseline_recency_gain_customers_" + k, d / 10.0);
      m.put("baseline_recency_gain_churners_" + k, Math.min(1.0, 0.2 * d));
      m.put("mean_probability_decile_" + k, 0.02 * (11 - d));
      m.put("lift_decile_" + k, 0.2 * (11 - d));
      m.put("customers_decile_" + k, 200.0);
      m.put("churners_decile_" + k, 4.0 * (11 - d));
    }
    return io.churnlake.jobs.testing.Models.model("v0002", "2026-02-15", "2026-02-01", m);
  }

  /** {@code data()} scored by a model, with its monitoring and three campaign waves. */
  private static ReportData withModelMonitoringAndCampaigns() {
    return withModelMonitoringAndCampaigns(upliftModel());
  }

  private static ReportData withModelMonitoringAndCampaigns(Row uplift) {
    ReportData d = data();
    // The columns ReportJob gathers (ReportData.Monitoring documents them).
    StructType realised = StructType.fromDDL("model_version STRING, as_of_date DATE, value DOUBLE");
    StructType drift =
        StructType.fromDDL("feature STRING, psi DOUBLE, drifted BOOLEAN, threshold DOUBLE");
    StructType history =
        StructType.fromDDL(
            "as_of_date DATE, model_version STRING, max_psi DOUBLE, drifted BIGINT,"
                + " threshold DOUBLE");
    ReportData.Monitoring monitoring =
        new ReportData.Monitoring(
            List.of(
                new GenericRowWithSchema(
                    new Object[] {"v0001", Date.valueOf("2026-02-01"), 0.78}, realised),
                new GenericRowWithSchema(
                    new Object[] {"v0002", Date.valueOf("2026-02-28"), 0.80}, realised)),
            List.of(
                new GenericRowWithSchema(
                    new Object[] {"thumbs_down_per_session_30d", 0.3149, true, 0.25}, drift),
                new GenericRowWithSchema(new Object[] {"errors_7d", 0.05, false, 0.25}, drift)),
            List.of(
                new GenericRowWithSchema(
                    new Object[] {Date.valueOf("2026-03-30"), "v0002", 0.12, 0L, 0.25}, history),
                new GenericRowWithSchema(
                    new Object[] {Date.valueOf("2026-03-31"), "v0002", 0.3149, 1L, 0.25},
                    history)));
    // CampaignOutcomes.perAction's columns.
    StructType outcome =
        StructType.fromDDL(
            "wave_date DATE, action STRING, matures_on DATE, status STRING, treated BIGINT,"
                + " treated_churned BIGINT, control BIGINT, control_churned BIGINT,"
                + " treated_churn_rate DOUBLE, treated_churn_rate_lower DOUBLE,"
                + " treated_churn_rate_upper DOUBLE, control_churn_rate DOUBLE,"
                + " control_churn_rate_lower DOUBLE, control_churn_rate_upper DOUBLE, effect DOUBLE,"
                + " effect_lower DOUBLE, effect_upper DOUBLE, relative_effect DOUBLE,"
                + " expected_net_value DOUBLE, realised_net_value DOUBLE");
    Date jan = Date.valueOf("2026-01-31");
    Date mar = Date.valueOf("2026-03-01");
    ReportData.Campaigns campaigns =
        new ReportData.Campaigns(
            List.of(
                new GenericRowWithSchema(
                    new Object[] {
                      jan,
                      "call & offer",
                      Date.valueOf("2026-03-02"),
                      "mature",
                      100L,
                      10L,
                      20L,
                      5L,
                      0.10,
                      0.055,
                      0.174,
                      0.25,
                      0.112,
                      0.469,
                      -0.15,
                      -0.37,
                      0.02,
                      0.6,
                      300.0,
                      120.0
                    },
                    outcome),
                new GenericRowWithSchema(
                    new Object[] {
                      jan,
                      "e-mail",
                      Date.valueOf("2026-03-02"),
                      "undefined",
                      40L,
                      2L,
                      0L,
                      0L,
                      0.05,
                      0.01,
                      0.16,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null,
                      10.0,
                      null
                    },
                    outcome),
                new GenericRowWithSchema(
                    new Object[] {
                      mar,
                      "call & offer",
                      Date.valueOf("2026-04-30"),
                      "immature",
                      90L,
                      0L,
                      10L,
                      0L,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null,
                      250.0,
                      null
                    },
                    outcome)),
            List.of(
                row(
                    KpiColumns.ACTION_EFFECTS,
                    Map.ofEntries(
                        Map.entry("as_of_date", Date.valueOf(AS_OF)),
                        Map.entry("action", "call & offer"),
                        Map.entry("waves", 1),
                        Map.entry("strata", 1),
                        Map.entry("treated", 100L),
                        Map.entry("control", 20L),
                        Map.entry("prior_save_rate", 0.2),
                        Map.entry("prior_strength", 20.0),
                        Map.entry("save_rate", 0.4),
                        Map.entry("save_rate_lower", 0.1),
                        Map.entry("save_rate_upper", 0.65),
                        Map.entry("source", "learned"),
                        Map.entry("note", "learned from 1 wave")))),
            Optional.of(uplift));
    return new ReportData(
        d.asOf(),
        d.config(),
        d.kpis(),
        d.cohorts(),
        d.segments(),
        Optional.of(model()),
        d.drivers(),
        d.ingestion(),
        d.quarantine(),
        monitoring,
        campaigns);
  }

  /**
   * Invariants: with a model, the summary says whether it is healthy (held-out against recency, the
   * latest realised ROC AUC of that model, the features that drifted on the date); the model
   * section tables the calibration bins with their counts and intervals; monitoring draws realised
   * ROC AUC and drift over time and tables the date's most drifted features; campaigns show treated
   * against control per wave and action with intervals, and say why a wave has no effect (not
   * matured yet, no control group) instead of showing none; learned save rates are tabled.
   */
  @Test
  void withAModelTheReportShowsItsHealthCalibrationBinsAndEachCampaignAgainstItsControl() {
    ReportData d = withModelMonitoringAndCampaigns();
    String html = RenderReport.html(d);
    assertThat(RenderReport.modelLine(d))
        .isEqualTo(
            "Model: v0002 (gbt), ROC AUC 0.810 on its held-out date against 0.700 for recency"
                + " alone: it ranks customers better than recency. Realised ROC AUC 0.800 on"
                + " 2026-02-28 (the latest matured scored date). Drifted (PSI):"
                + " thumbs_down_per_session_30d 0.31.");
    // Deciles 1..10 predict 20%..2% and observe 20%..2% of 200 customers each.
    assertThat(html)
        .contains(
            "<tr><td>20.00%</td><td>20.00%</td><td>15.05% to 26.09%</td><td>200</td>"
                + "<td>40</td></tr>");
    assertThat(html)
        .contains(
            "<img alt=\"Realised ROC AUC of each model on its matured scored dates (as of"
                + " 2026-03-31)\"")
        .contains(
            "<img alt=\"Drift: largest PSI of a monitored feature per scored date (as of"
                + " 2026-03-31)\"")
        .contains(
            "<tr><td class=\"l\">thumbs_down_per_session_30d</td><td>0.31</td>"
                + "<td class=\"l\">yes</td></tr>")
        .contains("<tr><td class=\"l\">errors_7d</td><td>0.05</td><td class=\"l\">no</td></tr>");
    assertThat(html)
        .contains(
            "<tr><td class=\"l d\">2026-01-31</td><td class=\"l\">call &amp; offer</td>"
                + "<td>100 (10)</td><td>20 (5)</td><td>10.0% (5.5-17.4%)</td>"
                + "<td>25.0% (11.2-46.9%)</td><td>-15.0 (-37.0 to +2.0)</td>"
                + "<td>120.00 USD / 300.00 USD</td></tr>")
        .contains(
            "<tr><td class=\"l d\">2026-01-31</td><td class=\"l\">e-mail</td><td>40 (2)</td>"
                + "<td>0 (0)</td><td class=\"l\" colspan=\"4\">no control customer: no"
                + " effect</td></tr>")
        .contains(
            "<tr><td class=\"l d\">2026-03-01</td><td class=\"l\">call &amp; offer</td>"
                + "<td>90 (0)</td><td>10 (0)</td><td class=\"l\" colspan=\"4\">not matured"
                + " yet (matures on 2026-04-30)</td></tr>")
        .contains(
            "<tr><td class=\"l\">call &amp; offer</td><td>40.0%</td><td>10.0% to 65.0%</td>"
                + "<td>20.0%</td><td>1</td><td class=\"l\">learned from 1 wave</td></tr>");
    // Trends, cohorts, survival, gain, calibration, realised ROC AUC, drift, plan, data quality.
    List<ChurnConfig.Goal> goals = d.config().kpis().goals();
    int trends =
        goals.size() + (goals.stream().anyMatch(g -> g.metric().equals("churn_rate")) ? 0 : 1);
    // The uplift model: its waves, Qini against random and the oracle, and which targeting won.
    assertThat(html)
        .contains(
            "On the later wave of 2026-03-01 its Qini coefficient is 0.0123 (a random score's"
                + " -0.0011; the oracle's, ranking by the true effect, 0.0201).")
        .contains(
            "From the wave's true effects instead of its outcomes (the same rankings without the"
                + " outcomes' noise): the model's 0.0150, a random score's 0.0004, the oracle's"
                + " 0.0250 (the model reaches 60% of the oracle's).")
        .contains("<strong>Uplift targeting won</strong>")
        .contains(
            "uplift targeting 310.25 USD net (380 contacted), the plan's churn-risk"
                + " targeting 120.50 USD (400 contacted)");
    assertThat(count(html, "<img ")).isEqualTo(trends + 9);
  }

  /**
   * Invariant: the oracle's Qini, the expected Qini and the comparison of targetings come from the
   * generator's truth; on a real log (those columns null) the uplift section reports the Qini from
   * outcomes against random only and claims none of them.
   */
  @Test
  void onARealLogTheUpliftSectionClaimsNothingFromATruthItDoesNotHave() {
    String html =
        RenderReport.html(
            withModelMonitoringAndCampaigns(
                upliftModel(
                    Set.of(
                        "oracle_qini_coefficient",
                        "expected_qini_coefficient",
                        "random_expected_qini_coefficient",
                        "oracle_expected_qini_coefficient",
                        "oracle_qini_curve",
                        "compared_budget",
                        "plan_true_net_value",
                        "plan_targeted",
                        "uplift_true_net_value",
                        "uplift_targeted"))));
    assertThat(html)
        .contains(
            "On the later wave of 2026-03-01 its Qini coefficient is 0.0123 (a random score's"
                + " -0.0011).</p>")
        .doesNotContain("oracle")
        .doesNotContain("From the wave's true effects")
        .doesNotContain("targeting won");
  }

  /** An uplift_models row evaluated on a later wave, with the oracle and a comparison. */
  private static Row upliftModel() {
    return upliftModel(Set.of());
  }

  /** The same row with the {@code absent} columns null (a real log has no truth). */
  private static Row upliftModel(Set<String> absent) {
    // Arrays as a collected Row holds them: Scala sequences.
    java.util.function.Function<double[][], Object> curve =
        points ->
            seq(
                java.util.Arrays.stream(points)
                    .map(p -> (Object) new GenericRowWithSchema(new Object[] {p[0], p[1]}, POINT))
                    .toList());
    Map<String, Object> values =
        Map.ofEntries(
            Map.entry("model_version", "v0002"),
            Map.entry("as_of_date", Date.valueOf(AS_OF)),
            Map.entry("algorithm", "two-model logistic"),
            Map.entry("training_waves", seq(List.of(Date.valueOf("2026-01-31")))),
            Map.entry("evaluation_wave", Date.valueOf("2026-03-01")),
            Map.entry("treated", 1200L),
            Map.entry("control", 1100L),
            Map.entry("qini_coefficient", 0.0123),
            Map.entry("random_qini_coefficient", -0.0011),
            Map.entry("oracle_qini_coefficient", 0.0201),
            Map.entry("expected_qini_coefficient", 0.015),
            Map.entry("random_expected_qini_coefficient", 0.0004),
            Map.entry("oracle_expected_qini_coefficient", 0.025),
            Map.entry("qini_curve", curve.apply(new double[][] {{0, 0}, {0.5, 0.03}, {1, 0.04}})),
            Map.entry(
                "oracle_qini_curve", curve.apply(new double[][] {{0, 0}, {0.5, 0.05}, {1, 0.04}})),
            Map.entry("compared_budget", 500.0),
            Map.entry("plan_true_net_value", 120.5),
            Map.entry("plan_targeted", 400L),
            Map.entry("uplift_true_net_value", 310.25),
            Map.entry("uplift_targeted", 380L));
    return row(
        io.churnlake.jobs.tables.TableSchemas.UPLIFT_MODELS,
        values.entrySet().stream()
            .filter(e -> !absent.contains(e.getKey()))
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }

  private static Object seq(List<Object> values) {
    return scala.collection.JavaConverters.asScalaBuffer(values).toSeq();
  }

  private static final StructType POINT =
      new StructType().add("share", "double").add("kept", "double");

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
