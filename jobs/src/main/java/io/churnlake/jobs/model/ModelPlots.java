package io.churnlake.jobs.model;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Pictures of a model's held-out evaluation, drawn with XChart and written as PNG files into the
 * model's directory ({@code plots/}): the gain curve (share of churners reached against share of
 * customers contacted, highest scores first), the reliability curve (observed churn rate against
 * mean predicted probability per score decile) and the global feature importance (mean absolute
 * contribution on the evaluation rows). Every chart is titled with the model version and the
 * evaluation date and has units on its axes. Built from figures already aggregated (ten deciles, a
 * few features), never from customer rows.
 */
public final class ModelPlots {
  static final int WIDTH = 900;
  static final int HEIGHT = 560;

  /** The colour of the recency baseline wherever it is drawn (here and in the report). */
  public static final Color RECENCY_COLOR = new Color(0xE0, 0x8A, 0x00);

  private ModelPlots() {}

  /** The file names written, in order. */
  public static final List<String> FILES =
      List.of("gain_curve.png", "calibration_curve.png", "feature_importance.png");

  /**
   * Draws the three charts into {@code dir} (any Hadoop file system).
   *
   * @param importance feature to mean absolute contribution, most important first
   */
  public static List<Path> write(
      ModelInfo m, Map<String, Double> importance, Path dir, Configuration hadoop) {
    System.setProperty("java.awt.headless", "true");
    List<Path> written = new ArrayList<>();
    written.add(save(gain(m), new Path(dir, FILES.get(0)), hadoop));
    written.add(save(calibration(m), new Path(dir, FILES.get(1)), hadoop));
    written.add(save(importance(m, importance), new Path(dir, FILES.get(2)), hadoop));
    return written;
  }

  private static String subtitle(ModelInfo m) {
    return String.format(
        Locale.ROOT,
        "%s (%s), evaluated on %s, %.0f customers",
        m.version(),
        m.algorithm(),
        m.evaluationDate(),
        m.metric("evaluation_customers"));
  }

  public static XYChart gain(ModelInfo m) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(
                "Gain curve: churners reached by contacting the highest scores first - "
                    + subtitle(m))
            .xAxisTitle("share of customers contacted, highest scores first (%)")
            .yAxisTitle("share of churners reached (%)")
            .build();
    style(chart);
    List<Double> x = new ArrayList<>(List.of(0.0));
    List<Double> y = new ArrayList<>(List.of(0.0));
    for (int d = 1; d <= 10; d++) {
      x.add(10.0 * d);
      y.add(100 * m.metric(String.format(Locale.ROOT, "capture_decile_%02d", d)));
    }
    XYSeries model =
        chart.addSeries(
            String.format(Locale.ROOT, "model (ROC AUC %.3f)", m.metric("roc_auc")), x, y);
    model.setMarker(SeriesMarkers.CIRCLE);
    if (m.metrics().containsKey("baseline_recency_gain_customers_01")) {
      List<Double> bx = new ArrayList<>(List.of(0.0));
      List<Double> by = new ArrayList<>(List.of(0.0));
      for (int d = 1; d <= 10; d++) {
        String k = String.format(Locale.ROOT, "%02d", d);
        bx.add(100 * m.metric("baseline_recency_gain_customers_" + k));
        by.add(100 * m.metric("baseline_recency_gain_churners_" + k));
      }
      XYSeries recency =
          chart.addSeries(
              String.format(
                  Locale.ROOT,
                  "days since the last activity alone (ROC AUC %.3f)",
                  m.metric("baseline_recency_roc_auc")),
              bx,
              by);
      recency.setMarker(SeriesMarkers.DIAMOND);
      recency.setLineColor(RECENCY_COLOR);
      recency.setMarkerColor(RECENCY_COLOR);
    }
    XYSeries random = chart.addSeries("random order", List.of(0.0, 100.0), List.of(0.0, 100.0));
    random.setMarker(SeriesMarkers.NONE);
    random.setLineColor(Color.GRAY);
    return chart;
  }

  public static XYChart calibration(ModelInfo m) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Calibration by predicted probability - " + subtitle(m))
            .xAxisTitle("mean predicted churn probability of the bin (%)")
            .yAxisTitle("observed churn rate of the bin (%), 95% Wilson interval")
            .build();
    style(chart);
    List<CalibrationBin> bins = calibrationBins(m);
    double max = 0;
    for (CalibrationBin bin : bins) {
      max = Math.max(max, Math.max(bin.predicted(), bin.upper().orElse(bin.observed())));
    }
    XYSeries model =
        chart.addSeries(
            String.format(
                Locale.ROOT,
                "bins of score deciles (ECE %.3f, calibration %s)",
                m.metric("ece"),
                m.calibration()),
            bins.stream().mapToDouble(CalibrationBin::predicted).toArray(),
            bins.stream().mapToDouble(CalibrationBin::observed).toArray());
    model.setMarker(SeriesMarkers.CIRCLE);
    Color band = new Color(0x1F, 0x77, 0xB4, 0x80);
    for (int i = 0; i < bins.size(); i++) {
      CalibrationBin bin = bins.get(i);
      if (bin.lower().isPresent()) {
        // Named by position: calibrated scores can give two bins the same mean (an isotonic step).
        XYSeries interval =
            chart.addSeries(
                "interval of bin " + (i + 1),
                new double[] {bin.predicted(), bin.predicted()},
                new double[] {bin.lower().getAsDouble(), bin.upper().getAsDouble()});
        interval.setMarker(SeriesMarkers.NONE);
        interval.setLineColor(band);
        interval.setMarkerColor(band);
        interval.setShowInLegend(false);
      }
    }
    XYSeries ideal = chart.addSeries("perfect calibration", List.of(0.0, max), List.of(0.0, max));
    ideal.setMarker(SeriesMarkers.NONE);
    ideal.setLineColor(Color.GRAY);
    return chart;
  }

  /**
   * One point of the calibration curve (percent): the mean predicted probability of a bin, its
   * observed churn rate, its customers and churners, and the rate's 95% Wilson interval (empty for
   * a model saved before the counts were recorded).
   */
  public record CalibrationBin(
      double predicted,
      double observed,
      long customers,
      long churners,
      java.util.OptionalDouble lower,
      java.util.OptionalDouble upper) {}

  /**
   * The calibration curve's bins, ordered by prediction: one per score decile, with deciles that
   * calibration gave one probability (an isotonic step) pooled into one bin (their customers and
   * churners summed), so the curve never folds back on itself and every bin's rate has its count.
   */
  public static List<CalibrationBin> calibrationBins(ModelInfo m) {
    boolean counted = m.metrics().containsKey("customers_decile_01");
    java.util.TreeMap<Double, double[]> pooled = new java.util.TreeMap<>();
    for (int d = 1; d <= 10; d++) {
      String k = String.format(Locale.ROOT, "%02d", d);
      double p = 100 * m.metric("mean_probability_decile_" + k);
      double rate = 100 * m.metric("lift_decile_" + k) * m.metric("churn_rate");
      double n = counted ? m.metric("customers_decile_" + k) : 0;
      double churners = counted ? m.metric("churners_decile_" + k) : 0;
      if (counted && n == 0) {
        continue;
      }
      // {sum of rates, deciles, customers, churners}
      double[] sum = pooled.computeIfAbsent(Math.round(p * 1e9) / 1e9, q -> new double[4]);
      sum[0] += rate;
      sum[1]++;
      sum[2] += n;
      sum[3] += churners;
    }
    List<CalibrationBin> bins = new ArrayList<>();
    for (Map.Entry<Double, double[]> e : pooled.entrySet()) {
      double[] sum = e.getValue();
      bins.add(
          counted
              ? counted(e.getKey(), (int) Math.round(sum[2]), (int) Math.round(sum[3]))
              : new CalibrationBin(
                  e.getKey(),
                  sum[0] / sum[1],
                  0,
                  0,
                  java.util.OptionalDouble.empty(),
                  java.util.OptionalDouble.empty()));
    }
    return bins;
  }

  /** A bin of {@code n} customers ({@code x} churners) with its rate's 95% Wilson interval. */
  private static CalibrationBin counted(double predicted, int n, int x) {
    var ci =
        new org.apache.commons.math3.stat.interval.WilsonScoreInterval().createInterval(n, x, 0.95);
    return new CalibrationBin(
        predicted,
        100.0 * x / n,
        n,
        x,
        java.util.OptionalDouble.of(100 * ci.getLowerBound()),
        java.util.OptionalDouble.of(100 * ci.getUpperBound()));
  }

  static CategoryChart importance(ModelInfo m, Map<String, Double> importance) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(
                "Feature importance: mean absolute contribution to the raw score - " + subtitle(m))
            .xAxisTitle("feature")
            .yAxisTitle("mean |contribution| to the raw score")
            .build();
    style(chart);
    chart.getStyler().setXAxisLabelRotation(35);
    chart.getStyler().setLegendVisible(false);
    Map<String, Double> top = new LinkedHashMap<>();
    importance.entrySet().stream().limit(15).forEach(e -> top.put(e.getKey(), e.getValue()));
    if (top.isEmpty()) {
      top.put("(no features)", 0.0);
    }
    chart.addSeries("importance", new ArrayList<>(top.keySet()), new ArrayList<>(top.values()));
    return chart;
  }

  private static void style(Chart<?, ?> chart) {
    Styler s = chart.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setChartTitleFont(s.getChartTitleFont().deriveFont(13f));
    s.setLegendPosition(Styler.LegendPosition.InsideNW);
  }

  private static Path save(Chart<?, ?> chart, Path file, Configuration hadoop) {
    try {
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      FileSystem fs = file.getFileSystem(hadoop);
      try (OutputStream out = fs.create(file, true)) {
        out.write(png);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
