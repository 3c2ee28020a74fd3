package io.churnlake.jobs.train;

import java.util.List;
import java.util.Map;

/**
 * What a saved model was trained on and how it scored, and which kind of validation produced the
 * scores ({@code validation}: time-based or cross-sectional); stored as {@code metadata.json}
 * beside the pipeline. {@code eventsTableVersion} is the version of the table the examples came
 * from ({@code events}, or {@code customers} for a cross-sectional model). Written last, so a model
 * without it is incomplete and never used.
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
    String validation) {

  public double metric(String name) {
    Double v = metrics.get(name);
    return v == null ? Double.NaN : v;
  }
}
