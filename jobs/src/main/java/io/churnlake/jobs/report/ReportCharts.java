package io.churnlake.jobs.report;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelPlots;
import io.churnlake.jobs.tables.KpiColumns;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart from {@link ReportData}'s aggregates; each is titled with
 * what it shows, its unit and the report's as-of date.
 */
final class ReportCharts {
  static final int WIDTH = 900;
  static final int HEIGHT = 460;

  private ReportCharts() {}

  /** A chart and its title (also the image's alt text). */
  record Figure(String title, Chart<?, ?> chart) {
    String pngBase64() {
      try {
        return Base64.getEncoder()
            .encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static String asOf(LocalDate d) {
    return " (as of " + d + ")";
  }

  private static void style(Chart<?, ?> chart) {
    Styler s = chart.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setChartTitleFont(s.getChartTitleFont().deriveFont(13f));
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
  }

  /** A metric's mature values per period, in percent when it is a rate, with a goal's path. */
  static Figure metricTrend(
      ReportData d, String metric, boolean percent, java.util.Optional<ChurnConfig.Goal> goal) {
    String unit = percent ? "%" : "";
    String title =
        (goal.isPresent() ? "Goal " + goal.get().id() + ": " + goal.get().text() : metric)
            + " per "
            + d.config().kpis().grain().id()
            + (percent ? " (%)" : "")
            + asOf(d.asOf());
    XYChart chart = lines(title, "period start", metric + (percent ? " (%)" : ""));
    // Periods as whole months (or weeks) since 1970 on the axis, labelled by their start: ticks
    // fall on period starts, never between them.
    boolean months = d.config().kpis().grain() == ChurnConfig.KpiGrain.MONTH;
    chart.setCustomXAxisTickLabelsFormatter(v -> periodLabel(v, months));
    chart.getStyler().setXAxisTickMarkSpacingHint(60);
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    List<Double> px = new ArrayList<>();
    List<Double> py = new ArrayList<>();
    for (Row r : d.kpis()) {
      if (!metric.equals(r.getString(r.fieldIndex(KpiColumns.METRIC)))
          || r.isNullAt(r.fieldIndex(KpiColumns.VALUE))) {
        continue;
      }
      double period =
          periodIndex(r.getDate(r.fieldIndex(KpiColumns.PERIOD_START)).toLocalDate(), months);
      double v = r.getDouble(r.fieldIndex(KpiColumns.VALUE)) * (percent ? 100 : 1);
      String goalId = r.getString(r.fieldIndex(KpiColumns.GOAL_ID));
      if (goalId == null) {
        x.add(period);
        y.add(v);
      } else if (goal.isPresent()
          && goal.get().id().equals(goalId)
          && !r.isNullAt(r.fieldIndex(KpiColumns.TARGET))) {
        px.add(period);
        py.add(r.getDouble(r.fieldIndex(KpiColumns.TARGET)) * (percent ? 100 : 1));
      }
    }
    if (x.isEmpty()) {
      x.add(periodIndex(d.asOf(), months));
      y.add(0.0);
      chart.setTitle(title + " - no mature value yet");
    }
    XYSeries s = chart.addSeries(metric + unit.replace("%", " (%)"), x, y);
    s.setMarker(SeriesMarkers.CIRCLE);
    goal.flatMap(g -> latestVerdict(d, g))
        .map(ReportCharts::verdict)
        .ifPresent(
            v ->
                chart.setTitle(
                    chart.getTitle().replace(asOf(d.asOf()), ": " + v + asOf(d.asOf()))));
    if (!px.isEmpty()) {
      XYSeries path = chart.addSeries("path to the goal", px, py);
      path.setMarker(SeriesMarkers.NONE);
      path.setLineColor(Color.GRAY);
    }
    return new Figure(chart.getTitle(), chart);
  }

  /** The goal's row of the latest period with an on/off-track verdict; empty before one. */
  static java.util.Optional<Row> latestVerdict(ReportData d, ChurnConfig.Goal g) {
    Row latest = null;
    for (Row r : d.kpis()) {
      if (g.id().equals(r.getString(r.fieldIndex(KpiColumns.GOAL_ID)))
          && !r.isNullAt(r.fieldIndex(KpiColumns.ON_TRACK))
          && (latest == null
              || r.getDate(r.fieldIndex(KpiColumns.PERIOD_START))
                  .after(latest.getDate(latest.fieldIndex(KpiColumns.PERIOD_START))))) {
        latest = r;
      }
    }
    return java.util.Optional.ofNullable(latest);
  }

  /** "on track" or "off track" as a goal row's verdict says. */
  static String verdict(Row goalRow) {
    return goalRow.getBoolean(goalRow.fieldIndex(KpiColumns.ON_TRACK)) ? "on track" : "off track";
  }

  /** A period start as whole months (or weeks from Monday 1970-01-05) since 1970. */
  static double periodIndex(LocalDate start, boolean months) {
    return months
        ? start.getYear() * 12L + start.getMonthValue() - 1 - 1970 * 12L
        : Math.floorDiv(start.toEpochDay() - 4, 7);
  }

  /** The label of an axis value: the period starting there ("2026-03"), none between periods. */
  static String periodLabel(double v, boolean months) {
    if (Math.abs(v - Math.rint(v)) > 1e-9) {
      return "";
    }
    long i = Math.round(v);
    return months
        ? String.format(
            Locale.ROOT, "%d-%02d", 1970 + Math.floorDiv(i, 12), Math.floorMod(i, 12) + 1)
        : LocalDate.ofEpochDay(4 + 7 * i).toString();
  }

  /** Cohort retention (%) by cohort month and month offset. */
  static Figure cohortHeatmap(ReportData d) {
    String title =
        "Cohort retention: customers still active at the end of each month (%)" + asOf(d.asOf());
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("months after the cohort month")
            .yAxisTitle("cohort: month of first activity (customers)")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setShowValue(true);
    // Worse looks worse: low retention red, high green, on a fixed 0-100 scale.
    chart
        .getStyler()
        .setRangeColors(
            new Color[] {
              new Color(0xC6, 0x28, 0x28), new Color(0xFF, 0xEB, 0x84), new Color(0x2E, 0x7D, 0x32)
            })
        .setMin(0)
        .setMax(100);
    chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
    TreeSet<String> cohorts = new TreeSet<>();
    TreeSet<Integer> offsets = new TreeSet<>();
    TreeMap<String, Double> cells = new TreeMap<>();
    for (Row r : d.cohorts()) {
      String c = cohortLabel(r);
      int k = r.getInt(r.fieldIndex("period_offset"));
      cohorts.add(c);
      offsets.add(k);
      cells.put(c + "/" + k, 100 * r.getDouble(r.fieldIndex("retention_rate")));
    }
    if (cohorts.isEmpty()) {
      cohorts.add("none");
      offsets.add(0);
      cells.put("none/0", 0.0);
    }
    List<String> ys = new ArrayList<>(cohorts);
    List<Integer> xs = new ArrayList<>(offsets);
    List<Number[]> heat = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      for (int j = 0; j < ys.size(); j++) {
        Double v = cells.get(ys.get(j) + "/" + xs.get(i));
        if (v != null) {
          heat.add(new Number[] {i, j, Math.round(v * 10) / 10.0});
        }
      }
    }
    chart.addSeries("retention (%)", xs, ys, heat);
    return new Figure(title, chart);
  }

  /** A cohort's month and size, e.g. "2026-03 (412)". */
  static String cohortLabel(Row r) {
    return String.format(
        Locale.ROOT,
        "%s (%,d)",
        r.getDate(r.fieldIndex("cohort_month")).toString().substring(0, 7),
        r.getLong(r.fieldIndex("cohort_customers")));
  }

  /** The most recent cohorts drawn in the survival chart (older ones would crowd it). */
  static final int SURVIVAL_COHORTS = 6;

  /**
   * Kaplan-Meier survival (%) by days of tenure for the most recent cohorts with a value, each with
   * Greenwood's 95% interval as error bars, from 100% at day 0.
   */
  static Figure survivalCurves(ReportData d) {
    String title =
        "Survival by tenure per cohort: no churn yet (%), Kaplan-Meier with 95% intervals"
            + asOf(d.asOf());
    XYChart chart = lines(title, "days since the first activity", "customers not churned (%)");
    chart.getStyler().setYAxisMax(100.0).setYAxisMin(0.0);
    TreeMap<String, List<double[]>> byCohort = new TreeMap<>(java.util.Comparator.reverseOrder());
    for (Row r : d.cohorts()) {
      if (r.isNullAt(r.fieldIndex("km_survival"))) {
        continue;
      }
      // Rows written before km_survival_se existed have no interval.
      boolean hasSe = java.util.Arrays.asList(r.schema().fieldNames()).contains("km_survival_se");
      double se =
          !hasSe || r.isNullAt(r.fieldIndex("km_survival_se"))
              ? 0
              : r.getDouble(r.fieldIndex("km_survival_se"));
      byCohort
          .computeIfAbsent(cohortLabel(r), c -> new ArrayList<>(List.of(new double[] {0, 100, 0})))
          .add(
              new double[] {
                r.getInt(r.fieldIndex("survival_days")),
                100 * r.getDouble(r.fieldIndex("km_survival")),
                100 * 1.96 * se
              });
    }
    if (byCohort.isEmpty()) {
      chart.setTitle(title + " - no cohort followed for 30 days yet");
      chart.addSeries("no cohort yet", new double[] {0}, new double[] {100});
      return new Figure(chart.getTitle(), chart);
    }
    byCohort.entrySet().stream()
        .limit(SURVIVAL_COHORTS)
        .forEach(
            e -> {
              List<double[]> pts = new ArrayList<>(e.getValue());
              pts.sort(java.util.Comparator.comparingDouble(p -> p[0]));
              chart
                  .addSeries(
                      "cohort " + e.getKey(),
                      pts.stream().mapToDouble(p -> p[0]).toArray(),
                      pts.stream().mapToDouble(p -> p[1]).toArray(),
                      pts.stream().mapToDouble(p -> p[2]).toArray())
                  .setMarker(SeriesMarkers.CIRCLE);
            });
    return new Figure(title, chart);
  }

  /** Per segment: cost of the actions against the expected saved value (clv.currency). */
  static Figure planValue(ReportData d) {
    List<String> names = new ArrayList<>();
    List<Double> cost = new ArrayList<>();
    List<Double> saved = new ArrayList<>();
    for (Row r : d.segments()) {
      names.add(r.getString(r.fieldIndex("segment")));
      cost.add(r.getDouble(r.fieldIndex("cost")));
      saved.add(r.getDouble(r.fieldIndex("expected_saved_value")));
    }
    String currency = d.config().clv().currency();
    String title =
        "Retention plan: cost and expected saved value per segment ("
            + currency
            + ")"
            + asOf(d.asOf());
    CategoryChart chart =
        bars(
            title,
            "segment",
            currency,
            names.isEmpty() ? List.of("(no plan)") : names,
            "cost",
            names.isEmpty() ? List.of(0.0) : cost,
            "expected saved value",
            names.isEmpty() ? List.of(0.0) : saved);
    chart.getStyler().setXAxisLabelRotation(20);
    return new Figure(title, chart);
  }

  /** Per source: records loaded and quarantined. */
  static Figure dataQuality(ReportData d) {
    List<String> names = new ArrayList<>();
    List<Double> loaded = new ArrayList<>();
    List<Double> quarantined = new ArrayList<>();
    for (Row r : d.ingestion()) {
      names.add(r.getString(0));
      loaded.add((double) r.getLong(r.fieldIndex("rows_loaded")));
      quarantined.add((double) r.getLong(r.fieldIndex("rows_quarantined")));
    }
    String title =
        "Ingestion: records loaded and quarantined per source (records)" + asOf(d.asOf());
    return new Figure(
        title,
        bars(
            title,
            "source",
            "records",
            names.isEmpty() ? List.of("(nothing ingested)") : names,
            "loaded",
            names.isEmpty() ? List.of(0.0) : loaded,
            "quarantined",
            names.isEmpty() ? List.of(0.0) : quarantined));
  }

  /**
   * Realised ROC AUC per scored date whose labels have matured, one series per model, with the
   * scoring model's held-out ROC AUC and its recency baseline as flat lines.
   */
  static Figure realisedAuc(ReportData d) {
    String title = "Realised ROC AUC of each model on its matured scored dates" + asOf(d.asOf());
    XYChart chart = lines(title, "scored date", "ROC AUC");
    chart.getStyler().setYAxisDecimalPattern("0.000");
    double[] span = seriesPerModel(chart, d.monitoring().realised(), "value");
    if (d.model().isPresent() && span.length > 0) {
      ModelInfo m = d.model().get();
      flat(chart, "held out, model " + m.version(), span, m.metric("roc_auc"), Color.GRAY);
      double recency = m.metric("baseline_recency_roc_auc");
      if (!Double.isNaN(recency)) {
        flat(chart, "days since the last activity alone", span, recency, ModelPlots.RECENCY_COLOR);
      }
    }
    return new Figure(title, chart);
  }

  /**
   * The largest PSI among monitored features per scored date, one series per model, against the
   * threshold above which a feature counts as drifted.
   */
  static Figure driftHistory(ReportData d) {
    String title = "Drift: largest PSI of a monitored feature per scored date" + asOf(d.asOf());
    XYChart chart = lines(title, "scored date", "largest PSI (above the threshold: drifted)");
    chart.getStyler().setYAxisDecimalPattern("0.00").setYAxisMin(0.0);
    List<Row> rows = d.monitoring().driftHistory();
    double[] span = seriesPerModel(chart, rows, "max_psi");
    if (span.length > 0) {
      Row last = rows.get(rows.size() - 1);
      double threshold = last.getDouble(last.fieldIndex("threshold"));
      flat(
          chart,
          String.format(Locale.ROOT, "threshold %.2f", threshold),
          span,
          threshold,
          new Color(0xC6, 0x28, 0x28));
    }
    return new Figure(title, chart);
  }

  /**
   * One series per model_version of {@code column} by as_of_date, dates labelled on the x axis;
   * returns the dates' span (widened by a day each side for a single date), empty without rows.
   */
  private static double[] seriesPerModel(XYChart chart, List<Row> rows, String column) {
    chart.setCustomXAxisTickLabelsFormatter(v -> LocalDate.ofEpochDay(Math.round(v)).toString());
    chart.getStyler().setXAxisTickMarkSpacingHint(90);
    TreeMap<String, List<double[]>> byModel = new TreeMap<>();
    double first = Double.MAX_VALUE;
    double last = -Double.MAX_VALUE;
    for (Row r : rows) {
      double day = r.getDate(r.fieldIndex("as_of_date")).toLocalDate().toEpochDay();
      first = Math.min(first, day);
      last = Math.max(last, day);
      byModel
          .computeIfAbsent(r.getString(r.fieldIndex("model_version")), v -> new ArrayList<>())
          .add(new double[] {day, r.getDouble(r.fieldIndex(column))});
    }
    byModel.forEach(
        (version, points) ->
            chart
                .addSeries(
                    "model " + version,
                    points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray())
                .setMarker(SeriesMarkers.CIRCLE));
    if (rows.isEmpty()) {
      return new double[0];
    }
    return first == last ? new double[] {first - 1, last + 1} : new double[] {first, last};
  }

  /**
   * The uplift model's Qini curve on its evaluation wave (customers kept per treated customer by
   * the share contacted, best predicted uplift first), random targeting's straight line, and on
   * generated data the oracle's curve (ranking by the true effect).
   */
  static Figure qini(ReportData d, Row model) {
    String title =
        "Qini curve of uplift model "
            + model.getString(model.fieldIndex("model_version"))
            + " on wave "
            + model.getDate(model.fieldIndex("evaluation_wave"));
    XYChart chart =
        lines(
            title,
            "share of customers contacted, highest uplift first",
            "customers kept per treated customer");
    chart.getStyler().setYAxisDecimalPattern("0.000").setXAxisDecimalPattern("0.0");
    List<Row> curve = model.getList(model.fieldIndex("qini_curve"));
    qiniSeries(chart, "uplift model", curve).setMarker(SeriesMarkers.CIRCLE);
    Row end = curve.get(curve.size() - 1);
    XYSeries random =
        chart.addSeries(
            "random targeting", new double[] {0, 1}, new double[] {0, end.getDouble(1)});
    random.setMarker(SeriesMarkers.NONE);
    random.setLineColor(Color.GRAY);
    int oracle = model.fieldIndex("oracle_qini_curve");
    if (!model.isNullAt(oracle)) {
      qiniSeries(chart, "oracle (true effect, generated data)", model.getList(oracle))
          .setMarker(SeriesMarkers.NONE);
    }
    return new Figure(title + asOf(d.asOf()), chart);
  }

  private static XYSeries qiniSeries(XYChart chart, String name, List<Row> points) {
    return chart.addSeries(
        name,
        points.stream().mapToDouble(p -> p.getDouble(0)).toArray(),
        points.stream().mapToDouble(p -> p.getDouble(1)).toArray());
  }

  /** A flat reference line over {@code span}. */
  private static void flat(XYChart chart, String name, double[] span, double y, Color color) {
    XYSeries s = chart.addSeries(name, span, new double[] {y, y});
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
  }

  /** An empty line chart of the report's size and style. */
  private static XYChart lines(String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(chart);
    return chart;
  }

  /** Two bar series side by side over the same categories. */
  private static CategoryChart bars(
      String title,
      String xTitle,
      String yTitle,
      List<String> categories,
      String firstName,
      List<Double> first,
      String secondName,
      List<Double> second) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(chart);
    chart.getStyler().setYAxisDecimalPattern("#,##0");
    chart.addSeries(firstName, categories, first);
    chart.addSeries(secondName, categories, second);
    return chart;
  }

  /** A model chart under a title short enough for the report's width, with its date. */
  static Figure retitled(Chart<?, ?> chart, String title, LocalDate asOf) {
    chart.setTitle(title + asOf(asOf));
    return new Figure(chart.getTitle(), chart);
  }
}
