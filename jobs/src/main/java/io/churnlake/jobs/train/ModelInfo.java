package io.churnlake.jobs.train;

import java.util.List;
import java.util.Map;

/**
 * What a saved model was trained on and how it scored; stored as {@code metadata.json} beside the
 * pipeline. Written last, so a model without it is incomplete and never used.
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
    Map<String, Double> metrics) {

  public double metric(String name) {
    Double v = metrics.get(name);
    return v == null ? Double.NaN : v;
  }
}
