package io.churnlake.jobs.nightly;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.clv.ClvJob;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.kpis.KpisJob;
import io.churnlake.jobs.report.ReportJob;
import io.churnlake.jobs.score.ScoreJob;
import io.churnlake.jobs.segment.SegmentJob;
import io.churnlake.jobs.train.ModelInfo;
import io.churnlake.jobs.train.ModelRegistry;
import io.churnlake.jobs.train.ModelsTable;
import io.churnlake.jobs.train.RealisedPerformance;
import io.churnlake.jobs.train.TrainJob;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake nightly --as-of D}: ingest new files dated on or before D, then features, then
 * the realised performance of earlier scored dates whose labels have matured, then (re)training
 * when it is due, then score, customer value (clv), the retention plan (segment), the KPIs (kpis)
 * and the HTML report as of D. Training is due when no model exists, the newest is {@code
 * train.retrain-interval-days} old, or (at most once per {@code train.step-days}) the champion's
 * realised ROC AUC fell {@code train.retrain-on.auc-drop} below its held-out figure or a feature of
 * D's snapshot drifted past {@code score.psi-threshold}. Every output for D is replaced atomically,
 * so running it again for D leaves the same tables.
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);

  /** What the run did, and why it trained (or not). */
  public record Result(
      IngestJob.Result ingest,
      long features,
      ModelInfo model,
      boolean trained,
      String trainReason,
      List<RealisedPerformance.Evaluated> realised,
      long scored,
      Map<String, Double> drifted,
      Optional<ClvJob.Result> clv,
      SegmentJob.Result segments,
      KpisJob.Result kpis,
      ReportJob.Result report) {

    public long segmented() {
      return segments.customers();
    }
  }

  private NightlyJob() {}

  public static Result run(JobContext ctx, LocalDate asOf) {
    IngestJob.Result ingest = IngestJob.run(ctx, Optional.of(asOf));
    long features = FeaturesJob.run(ctx, asOf);
    List<RealisedPerformance.Evaluated> realised =
        ctx.stage(
            "realised", () -> RealisedPerformance.run(ctx, History.spanUpTo(ctx, asOf).last()));
    Optional<String> reason = retrainReason(ctx, asOf);
    if (reason.isPresent()) {
      LOG.info("nightly: training because {}", reason.get());
      TrainJob.Trained t = TrainJob.run(ctx, asOf);
      LOG.info("nightly: trained model {}: {}", t.model().version(), t.decision());
    } else {
      LOG.info("nightly: training not due");
    }
    ScoreJob.Result scored = ScoreJob.run(ctx, asOf, Optional.empty());
    // The model that scored: the champion (a new model may have stayed a candidate).
    ModelInfo model =
        registry(ctx)
            .find(scored.model())
            .orElseThrow(() -> new IllegalStateException("no model " + scored.model()));
    // Value before segments: the retention plan weighs each customer's lifetime value.
    Optional<ClvJob.Result> clv =
        ctx.config().clv().nightly() ? Optional.of(ClvJob.run(ctx, asOf)) : Optional.empty();
    SegmentJob.Result segments = SegmentJob.run(ctx, asOf);
    // KPIs last: they read the night's plan and customer values.
    KpisJob.Result kpis = KpisJob.run(ctx, asOf);
    ReportJob.Result report = ReportJob.run(ctx, asOf, Optional.empty());
    return new Result(
        ingest,
        features,
        model,
        reason.isPresent(),
        reason.orElse("not due"),
        realised,
        scored.scored(),
        scored.drifted(),
        clv,
        segments,
        kpis,
        report);
  }

  private static ModelRegistry registry(JobContext ctx) {
    return new ModelRegistry(
        ctx.config().warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
  }

  /** Why a model must be trained as of D, or empty when the champion serves. */
  static Optional<String> retrainReason(JobContext ctx, LocalDate asOf) {
    ChurnConfig.TrainSettings t = ctx.config().train();
    ModelRegistry registry = registry(ctx);
    Optional<ModelInfo> newest = registry.latest();
    Optional<ModelInfo> champion = ModelsTable.champion(ctx).flatMap(registry::find);
    if (newest.isEmpty() || champion.isEmpty()) {
      return Optional.of("no champion model yet");
    }
    if (isStale(newest.get(), asOf, t.retrainIntervalDays())) {
      return Optional.of(
          "the newest model ("
              + newest.get().version()
              + ", as of "
              + newest.get().trainedAsOf()
              + ") is train.retrain-interval-days ("
              + t.retrainIntervalDays()
              + ") old");
    }
    if (!isStale(newest.get(), asOf, t.stepDays())) {
      // A model trained within the last step serves; triggers below fire at most once per step.
      return Optional.empty();
    }
    ModelInfo c = champion.get();
    Optional<Double> realised = RealisedPerformance.latestRocAuc(ctx, c.version());
    if (realised.isPresent() && realised.get() < c.metric("roc_auc") - t.retrainOn().aucDrop()) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "champion %s's realised ROC AUC %.3f is more than %.3f below its held-out %.3f",
              c.version(),
              realised.get(),
              t.retrainOn().aucDrop(),
              c.metric("roc_auc")));
    }
    if (t.retrainOn().onDrift()) {
      Map<String, Double> psi =
          ScoreJob.drift(
              c, ctx.store().read(ChurnTable.CUSTOMER_FEATURES).where(History.asOfPredicate(asOf)));
      double threshold = ctx.config().score().psiThreshold();
      List<String> drifted =
          psi.entrySet().stream()
              .filter(e -> e.getValue() > threshold)
              .map(Map.Entry::getKey)
              .toList();
      if (!drifted.isEmpty()) {
        return Optional.of(
            "features drifted since champion "
                + c.version()
                + " was trained (PSI above "
                + threshold
                + "): "
                + drifted);
      }
    }
    return Optional.empty();
  }

  static boolean isStale(ModelInfo model, LocalDate asOf, int intervalDays) {
    return !LocalDate.parse(model.trainedAsOf()).plusDays(intervalDays).isAfter(asOf);
  }
}
