package io.churnlake.jobs.model;

import io.churnlake.common.config.ChurnConfig;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * When nightly trains a new model for today's date: no champion yet; the most recent model is
 * {@code train.retrain-interval-days} old; or, at most once per {@code train.step-days}, the
 * champion's realised ROC AUC dropped more than {@code train.retrain-on.auc-drop} below its
 * held-out one, or (with {@code train.retrain-on.drift}) a monitored feature's PSI exceeds {@code
 * score.psi-threshold}. Pure: the realised AUC and the drift are asked for only when a trigger may
 * fire, through the functions the caller passes.
 */
public record RetrainPolicy(ChurnConfig.TrainSettings train, double psiThreshold) {

  /**
   * Why a model is due on {@code asOf}, or empty when the champion serves.
   *
   * @param newest the most recently registered model
   * @param champion the current champion
   * @param realisedAuc the champion's latest realised ROC AUC, if any date has matured
   * @param psi the champion's PSI per monitored feature on {@code asOf}'s features
   */
  public Optional<String> reason(
      Optional<ModelInfo> newest,
      Optional<ModelInfo> champion,
      LocalDate asOf,
      Function<ModelInfo, Optional<Double>> realisedAuc,
      Function<ModelInfo, Map<String, Double>> psi) {
    if (newest.isEmpty() || champion.isEmpty()) {
      return Optional.of("no champion model yet");
    }
    ModelInfo c = champion.get();
    // A model trained for a past date (a backfill) is no recent attempt: the most recently
    // trained of the newest model and the champion is.
    ModelInfo recent =
        trainedAfter(c, LocalDate.parse(newest.get().trainedAsOf())) ? c : newest.get();
    if (isStale(recent, asOf, train.retrainIntervalDays())) {
      return Optional.of(
          "the newest model ("
              + recent.version()
              + ", as of "
              + recent.trainedAsOf()
              + ") is train.retrain-interval-days ("
              + train.retrainIntervalDays()
              + ") old");
    }
    if (!isStale(recent, asOf, train.stepDays())) {
      // A model trained within the last step serves; triggers below fire at most once per step.
      return Optional.empty();
    }
    Optional<Double> realised = realisedAuc.apply(c);
    double drop = train.retrainOn().aucDrop();
    if (realised.isPresent() && realised.get() < c.metric("roc_auc") - drop) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "champion %s's realised ROC AUC %.3f is more than %.3f below its held-out %.3f",
              c.version(),
              realised.get(),
              drop,
              c.metric("roc_auc")));
    }
    if (train.retrainOn().onDrift()) {
      List<String> drifted =
          psi.apply(c).entrySet().stream()
              .filter(e -> e.getValue() > psiThreshold)
              .sorted(
                  Map.Entry.<String, Double>comparingByValue()
                      .reversed()
                      .thenComparing(Map.Entry.comparingByKey()))
              .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
              .toList();
      if (!drifted.isEmpty()) {
        return Optional.of(
            String.format(
                Locale.ROOT,
                "features drifted since champion %s was trained (PSI above %.2f): %s",
                c.version(),
                psiThreshold,
                String.join(", ", drifted)));
      }
    }
    return Optional.empty();
  }

  /** Whether {@code model} was trained {@code intervalDays} or more before {@code asOf}. */
  public static boolean isStale(ModelInfo model, LocalDate asOf, int intervalDays) {
    return !LocalDate.parse(model.trainedAsOf()).plusDays(intervalDays).isAfter(asOf);
  }

  /** Whether {@code model} was trained on data after {@code asOf}. */
  public static boolean trainedAfter(ModelInfo model, LocalDate asOf) {
    return LocalDate.parse(model.trainedAsOf()).isAfter(asOf);
  }
}
