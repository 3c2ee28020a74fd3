package io.churnlake.jobs.testing;

import io.churnlake.jobs.model.ModelInfo;
import java.util.List;
import java.util.Map;

/** A registered model's description for tests that read only its identity and metrics. */
public final class Models {
  private Models() {}

  /**
   * A gbt model trained as of {@code trainedAsOf} (its only training date), evaluated on {@code
   * evaluationDate} with {@code metrics}, uncalibrated, one feature "x", no drift reference.
   */
  public static ModelInfo model(
      String version, String trainedAsOf, String evaluationDate, Map<String, Double> metrics) {
    return new ModelInfo(
        version,
        "gbt",
        trainedAsOf,
        List.of(trainedAsOf),
        evaluationDate,
        30,
        List.of("x"),
        0,
        trainedAsOf + "T00:00:00Z",
        metrics,
        "time-based",
        List.of(),
        List.of(),
        "none",
        null,
        "explicit",
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of());
  }
}
