package io.churnlake.jobs.model;

import java.util.List;
import java.util.Map;

/**
 * What a saved model was trained on and how it scored, and which kind of validation produced the
 * scores ({@code validation}: time-based or cross-sectional); stored as {@code metadata.json}
 * beside the pipeline and as a row of the {@code models} table. {@code eventsTableVersion} is the
 * version of the table the examples came from ({@code events}, or {@code customers} for a
 * cross-sectional model); {@code tableVersions} every input table's version. Written last, so a
 * model without it is incomplete and never used.
 *
 * @param featureColumns numeric customer_features columns the model reads
 * @param categoricalColumns string customer_features columns the model reads (one-hot encoded)
 * @param excludedColumns columns kept out of the model by configuration
 *     (features.exclude-from-model)
 * @param calibration "isotonic" (probabilities from isotonic regression on {@code calibrationDate})
 *     or "none"
 * @param featureMeans each feature's mean over the training examples: the "typical" value drivers
 *     are compared with
 * @param driftCuts per numeric feature, the training rows' distinct decile cut points
 * @param driftShares per numeric feature, the training rows' share in each of those bins and in the
 *     missing bin: the reference of feature_drift
 */
public record ModelInfo(
    String version,
    String algorithm,
    String trainedAsOf,
    List<String> trainingDates,
    String evaluationDate,
    int horizonDays,
    List<String> featureColumns,
    long eventsTableVersion,
    String createdAt,
    Map<String, Double> metrics,
    String validation,
    List<String> categoricalColumns,
    List<String> excludedColumns,
    String calibration,
    String calibrationDate,
    String labelDefinition,
    Map<String, String> parameters,
    Map<String, Long> tableVersions,
    Map<String, Double> featureMeans,
    Map<String, List<Double>> driftCuts,
    Map<String, List<Double>> driftShares) {

  public double metric(String name) {
    Double v = metrics.get(name);
    return v == null ? Double.NaN : v;
  }

  /** Every customer_features column the model reads. */
  public List<String> inputColumns() {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(featureColumns);
    if (categoricalColumns != null) {
      all.addAll(categoricalColumns);
    }
    return all;
  }

  /** The same description with these metrics. */
  public ModelInfo withMetrics(Map<String, Double> m) {
    return new ModelInfo(
        version,
        algorithm,
        trainedAsOf,
        trainingDates,
        evaluationDate,
        horizonDays,
        featureColumns,
        eventsTableVersion,
        createdAt,
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m)),
        validation,
        categoricalColumns,
        excludedColumns,
        calibration,
        calibrationDate,
        labelDefinition,
        parameters,
        tableVersions,
        featureMeans,
        driftCuts,
        driftShares);
  }

  public boolean calibrated() {
    return "isotonic".equals(calibration);
  }
}
