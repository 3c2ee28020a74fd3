package io.churnlake.jobs.train;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.model.ChampionPolicy;
import io.churnlake.jobs.model.ChampionPolicy.Promotion;
import io.churnlake.jobs.model.EvaluateChurnModel;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.model.ModelsTable;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The champion-challenger step after a model is trained: the champion scores the challenger's
 * evaluation rows when there is one to compare, {@link ChampionPolicy} decides, and the decision
 * and its reason are recorded in {@code models}.
 */
final class ChampionChallenge {
  private static final Logger LOG = LoggerFactory.getLogger(ChampionChallenge.class);

  private ChampionChallenge() {}

  /**
   * Promotion ({@link ChampionPolicy}): the champion's metric on the challenger's evaluation rows
   * is computed (and recorded in {@code model_evaluations}) only when there is one to compare; the
   * decision and its reason go to {@code models}.
   */
  static TrainJob.Trained promote(
      JobContext ctx,
      ModelRegistry registry,
      ModelInfo challenger,
      Dataset<Row> evalSet,
      Promotion promotion) {
    ChurnConfig.PromotionSettings p = ctx.config().train().promotion();
    Optional<String> current = ModelsTable.champion(ctx);
    Optional<ModelInfo> champion = current.flatMap(registry::find);
    ChampionPolicy.Decision d =
        new ChampionPolicy(p)
            .decide(
                challenger,
                promotion,
                current,
                champion,
                () -> championMetric(ctx, registry, champion.orElseThrow(), challenger, evalSet));
    boolean promoted = d.promoted();
    String reason = d.reason();
    ModelsTable.record(
        ctx,
        challenger,
        promoted ? ModelsTable.CHAMPION : ModelsTable.CANDIDATE,
        reason,
        promoted ? current : Optional.empty());
    return new TrainJob.Trained(challenger, promoted, reason);
  }

  /**
   * The champion's configured metric on the challenger's evaluation rows, recorded as its {@code
   * champion_comparison} evaluation; NaN when it cannot score them (its features differ).
   */
  private static double championMetric(
      JobContext ctx,
      ModelRegistry registry,
      ModelInfo old,
      ModelInfo challenger,
      Dataset<Row> evalSet) {
    try {
      Dataset<Row> scored = HeldOutEvaluation.scoredWithLabels(registry.load(old), old, evalSet);
      Map<String, Double> m = EvaluateChurnModel.ofScores(scored, ctx.config().train().topShare());
      TrainingRecords.writeEvaluations(
          ctx,
          old.version(),
          LocalDate.parse(challenger.evaluationDate()),
          TrainingRecords.CHAMPION_COMPARISON,
          m);
      return m.get(ctx.config().train().promotion().metric().id());
    } catch (io.churnlake.common.errors.ChurnException e) {
      LOG.warn(
          "train: champion {} cannot score the evaluation set: {}", old.version(), e.getMessage());
      return Double.NaN;
    }
  }
}
