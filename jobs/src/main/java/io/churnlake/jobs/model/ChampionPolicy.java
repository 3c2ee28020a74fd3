package io.churnlake.jobs.model;

import io.churnlake.common.config.ChurnConfig;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Whether a new model becomes champion: the first model, one the operator promotes, or one whose
 * {@code train.promotion.metric} on its evaluation rows beats the champion's on the same rows by
 * more than {@code train.promotion.margin} (a tie, to 1e-9, keeps the champion); a champion that
 * cannot score those rows (its features differ) yields. A model trained for a past date is never
 * promoted. Pure: the champion's figure is asked for only when there is a comparison to make.
 */
public record ChampionPolicy(ChurnConfig.PromotionSettings settings) {

  /**
   * What becomes of a new model: compared with the champion, made champion by the operator, or
   * never promoted (a model trained for a past date).
   */
  public enum Promotion {
    COMPARE,
    FORCE,
    NEVER
  }

  /** The decision and its reason, as {@code models.reason} records it. */
  public record Decision(boolean promoted, String reason) {}

  /**
   * @param current the version the models table names champion, if any
   * @param champion that champion's registry entry, when it can be loaded
   * @param championMetric the champion's metric on the challenger's evaluation rows, NaN when it
   *     cannot score them
   */
  public Decision decide(
      ModelInfo challenger,
      Promotion promotion,
      Optional<String> current,
      Optional<ModelInfo> champion,
      DoubleSupplier championMetric) {
    if (promotion == Promotion.NEVER) {
      return new Decision(
          false,
          ModelsTable.PAST_DATE_REASON
              + challenger.trainedAsOf()
              + " (champion "
              + current.orElse("none")
              + " was trained on later data); never promoted");
    }
    if (promotion == Promotion.FORCE) {
      return new Decision(true, "promoted by the operator (--promote)");
    }
    if (champion.isEmpty()) {
      return new Decision(true, "first model: no champion to beat");
    }
    ModelInfo old = champion.get();
    double theirs = championMetric.getAsDouble();
    if (Double.isNaN(theirs)) {
      return new Decision(
          true,
          String.format(
              Locale.ROOT,
              "champion %s cannot score the evaluation set of %s (its features differ)",
              old.version(),
              challenger.evaluationDate()));
    }
    String metric = settings.metric().id();
    double mine = challenger.metric(metric);
    boolean promoted = mine > theirs + settings.margin() + 1e-9;
    return new Decision(
        promoted,
        String.format(
            Locale.ROOT,
            "%s %.4f vs champion %s %.4f on %s (margin %.4f): %s",
            metric,
            mine,
            old.version(),
            theirs,
            challenger.evaluationDate(),
            settings.margin(),
            promoted ? "promoted" : "kept as candidate"));
  }
}
