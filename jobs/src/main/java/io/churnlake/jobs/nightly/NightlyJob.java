package io.churnlake.jobs.nightly;

import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.score.ScoreJob;
import io.churnlake.jobs.segment.SegmentJob;
import io.churnlake.jobs.train.ModelInfo;
import io.churnlake.jobs.train.ModelRegistry;
import io.churnlake.jobs.train.TrainJob;
import java.time.LocalDate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake nightly --as-of D}: ingest new files dated on or before D, then features,
 * (re)train when no model exists or the newest is older than the retraining interval, score and
 * segment as of D. Every output for D is replaced atomically, so running it again for D leaves the
 * same tables.
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);

  /** What the run did. */
  public record Result(
      IngestJob.Result ingest,
      long features,
      ModelInfo model,
      boolean trained,
      long scored,
      long segmented) {}

  private NightlyJob() {}

  public static Result run(JobContext ctx, LocalDate asOf) {
    IngestJob.Result ingest = IngestJob.run(ctx, Optional.of(asOf));
    long features = FeaturesJob.run(ctx, asOf);
    ModelRegistry registry =
        new ModelRegistry(
            ctx.config().warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
    Optional<ModelInfo> latest = registry.latest();
    boolean retrain =
        latest.map(m -> isStale(m, asOf, ctx.config().train().retrainIntervalDays())).orElse(true);
    ModelInfo model = retrain ? TrainJob.run(ctx, asOf) : latest.get();
    if (!retrain) {
      LOG.info("nightly: reusing model {} trained as of {}", model.version(), model.trainedAsOf());
    }
    long scored = ScoreJob.run(ctx, asOf);
    long segmented = SegmentJob.run(ctx, asOf);
    return new Result(ingest, features, model, retrain, scored, segmented);
  }

  static boolean isStale(ModelInfo model, LocalDate asOf, int intervalDays) {
    return !LocalDate.parse(model.trainedAsOf()).plusDays(intervalDays).isAfter(asOf);
  }
}
