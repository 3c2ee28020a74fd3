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
            .title("Calibration by score decile - " + subtitle(m))
            .xAxisTitle("mean predicted churn probability in the decile (%)")
            .yAxisTitle("observed churn rate in the decile (%)")
            .build();
    style(chart);
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    double max = 0;
    for (double[] point : calibrationPoints(m)) {
      x.add(point[0]);
      y.add(point[1]);
      max = Math.max(max, Math.max(point[0], point[1]));
    }
    XYSeries model =
        chart.addSeries(
            String.format(
                Locale.ROOT,
                "deciles (ECE %.3f, calibration %s)",
                m.metric("ece"),
                m.calibration()),
            x,
            y);
    model.setMarker(SeriesMarkers.CIRCLE);
    XYSeries ideal = chart.addSeries("perfect calibration", List.of(0.0, max), List.of(0.0, max));
    ideal.setMarker(SeriesMarkers.NONE);
    ideal.setLineColor(Color.GRAY);
    return chart;
  }

  /**
   * The calibration curve's points (percent): per score decile, its mean predicted probability and
   * observed churn rate, ordered by prediction; deciles that calibration gave one probability (an
   * isotonic step) pooled into one point with their mean observed rate, so the curve never folds
   * back on itself.
   */
  static List<double[]> calibrationPoints(ModelInfo m) {
    java.util.TreeMap<Double, double[]> pooled = new java.util.TreeMap<>();
    for (int d = 1; d <= 10; d++) {
      String k = String.format(Locale.ROOT, "%02d", d);
      double p = 100 * m.metric("mean_probability_decile_" + k);
      double rate = 100 * m.metric("lift_decile_" + k) * m.metric("churn_rate");
      double[] sum = pooled.computeIfAbsent(Math.round(p * 1e9) / 1e9, q -> new double[2]);
      sum[0] += rate;
      sum[1]++;
    }
    List<double[]> points = new ArrayList<>();
    pooled.forEach((p, sum) -> points.add(new double[] {p, sum[0] / sum[1]}));
    return points;
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
