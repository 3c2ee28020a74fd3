package io.churnlake.jobs.nightly;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.clv.ClvJob;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.ingest.FreshnessGate;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.ingest.IngestResult;
import io.churnlake.jobs.kpis.KpisJob;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.model.ModelsTable;
import io.churnlake.jobs.model.RetrainPolicy;
import io.churnlake.jobs.report.ReportJob;
import io.churnlake.jobs.score.ScoreJob;
import io.churnlake.jobs.segment.SegmentJob;
import io.churnlake.jobs.train.RealisedPerformance;
import io.churnlake.jobs.train.TrainJob;
import io.churnlake.jobs.uplift.UpliftJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.sql.Row;
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
 * so running it again for D leaves the same tables; a stage that already succeeded for D with the
 * same inputs (configuration, ingest ledger, champion model) is skipped, so a run that failed
 * half-way resumes from the failed stage ({@code force} reruns everything).
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);

  /**
   * What the run did, and why it trained (or not). A stage skipped because an earlier run already
   * succeeded it with the same inputs has no result here ({@code skipped} names it and that run).
   */
  public record Result(
      IngestResult ingest,
      Optional<Long> features,
      ModelInfo model,
      boolean trained,
      String trainReason,
      List<RealisedPerformance.Evaluated> realised,
      Optional<ScoreJob.Result> score,
      Optional<ClvJob.Result> clv,
      Optional<UpliftJob.Result> uplift,
      Optional<SegmentJob.Result> segments,
      Optional<KpisJob.Result> kpis,
      Optional<ReportJob.Result> report,
      Map<String, String> skipped) {}

  private NightlyJob() {}

  /** The nightly flow as of D, skipping stages an earlier run already did with the same inputs. */
  public static Result run(JobContext ctx, LocalDate asOf) {
    return run(ctx, asOf, false);
  }

  /** The nightly flow as of D; {@code force} reruns stages that already succeeded. */
  public static Result run(JobContext ctx, LocalDate asOf, boolean force) {
    // The raw files for D exist and their volume looks like the days before (runs.gate).
    ctx.stage("gate", () -> FreshnessGate.check(ctx, asOf));
    // Ingest always runs: it loads only files not loaded yet, so a re-run finds nothing new.
    IngestResult ingest = IngestJob.run(ctx, Optional.of(asOf));
    Map<String, String> skipped = new LinkedHashMap<>();
    Stages before = Stages.of(ctx, inputs(ctx, asOf, "no model"), force, skipped);
    Optional<Long> features = before.run("features", c -> FeaturesJob.run(c, asOf, force));
    List<RealisedPerformance.Evaluated> realised =
        before
            .run(
                "realised",
                c ->
                    c.stage(
                        "realised",
                        () -> RealisedPerformance.run(c, History.spanUpTo(c, asOf).last())))
            .orElse(List.of());
    Training training = train(ctx, asOf, before);
    Optional<String> reason = training.reason();
    ModelInfo model = training.model();
    Stages after = Stages.of(ctx, inputs(ctx, asOf, "model " + model.version()), force, skipped);
    Optional<ScoreJob.Result> scored =
        after.run("score", c -> ScoreJob.run(c, asOf, Optional.of(model.version())));
    // Value before segments: the retention plan weighs each customer's lifetime value.
    Optional<ClvJob.Result> clv =
        ctx.config().clv().nightly()
            ? after.run("clv", c -> ClvJob.run(c, asOf))
            : Optional.empty();
    // Uplift before segments: segment.targeting = uplift reads the night's uplift_scores. It
    // learns from waves matured by D, never from D's own plan.
    Optional<UpliftJob.Result> uplift = after.run("uplift", c -> UpliftJob.run(c, asOf));
    Optional<SegmentJob.Result> segments = after.run("segment", c -> SegmentJob.run(c, asOf));
    // KPIs last: they read the night's plan and customer values.
    Optional<KpisJob.Result> kpis = after.run("kpis", c -> KpisJob.run(c, asOf));
    Optional<ReportJob.Result> report =
        after.run("report", c -> ReportJob.run(c, asOf, Optional.empty()));
    return new Result(
        ingest,
        features,
        model,
        reason.isPresent(),
        reason.orElse("not due"),
        realised,
        scored,
        clv,
        uplift,
        segments,
        kpis,
        report,
        java.util.Collections.unmodifiableMap(skipped));
  }

  /** Why the night trained (empty when training was not due), and the model that scores D. */
  private record Training(Optional<String> reason, ModelInfo model) {}

  /**
   * Trains when due (or, for a date before the champion's training date, when no model trained on
   * or before it serves it), and returns the model that scores D.
   */
  private static Training train(JobContext ctx, LocalDate asOf, Stages before) {
    // A date before the champion's training date (a backfill) must not be scored by it: its
    // training saw later data. Such a date is served by a model trained on or before it.
    Optional<ModelInfo> champion = champion(ctx);
    boolean pastDate = champion.isPresent() && RetrainPolicy.trainedAfter(champion.get(), asOf);
    // Training is not skipped by the ledger: a model trained as of D makes it not due.
    Optional<String> reason =
        pastDate ? pastDateReason(ctx, champion.get(), asOf) : retrainReason(ctx, asOf);
    if (reason.isPresent()) {
      LOG.info("nightly: training because {}", reason.get());
      TrainJob.Trained t =
          pastDate
              ? TrainJob.forPastDate(before.context(), asOf)
              : TrainJob.run(before.context(), asOf);
      LOG.info("nightly: trained model {}: {}", t.model().version(), t.decision());
    } else {
      LOG.info("nightly: training not due");
    }
    // The champion after training (a new model may have stayed a candidate), or for a past date
    // the model that serves it.
    ModelInfo model =
        pastDate
            ? servingPastDate(ctx, asOf)
                .orElseThrow(() -> new IllegalStateException("no model serves " + asOf))
            : champion(ctx)
                .orElseThrow(() -> new IllegalStateException("no champion model after training"));
    if (pastDate) {
      LOG.info(
          "nightly: champion {} was trained as of {}, after {}: model {} scores it",
          champion.get().version(),
          champion.get().trainedAsOf(),
          asOf,
          model.version());
    }
    return new Training(reason, model);
  }

  /**
   * A fingerprint of what the stages after ingest read: the configuration's fingerprint, the date,
   * the ingest ledger's files dated on or before it (one aggregation over {@code ingested_files})
   * and the model.
   */
  static String inputs(JobContext ctx, LocalDate asOf, String model) {
    String files = "no files";
    if (ctx.store().exists(ChurnTable.INGESTED_FILES)) {
      Row r =
          ctx.store()
              .read(ChurnTable.INGESTED_FILES)
              .where(col("file_date").isNull().or(col("file_date").leq(lit(Date.valueOf(asOf)))))
              .agg(
                  count(lit(1)),
                  coalesce(
                      sum(xxhash64(col("source"), col("file_name"), col("content_hash"))), lit(0L)))
              .first();
      files = r.getLong(0) + " files, hash " + r.getLong(1);
    }
    String all = ctx.config().fingerprint() + "|" + asOf + "|" + files + "|" + model;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(all.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Runs nightly's stages, or skips one that an earlier run succeeded with the same inputs. */
  private record Stages(
      JobContext context, String inputs, boolean force, Map<String, String> skipped) {
    static Stages of(JobContext ctx, String inputs, boolean force, Map<String, String> skipped) {
      return new Stages(ctx.withInputs(inputs), inputs, force, skipped);
    }

    <T> Optional<T> run(String stage, Function<JobContext, T> job) {
      if (!force) {
        Optional<String> done = context.ledger().succeededWith(stage, inputs);
        if (done.isPresent()) {
          LOG.info("stage {} skipped: run {} succeeded it with the same inputs", stage, done.get());
          context.ledger().skipped(stage, done.get());
          skipped.put(stage, done.get());
          return Optional.empty();
        }
      }
      return Optional.of(job.apply(context));
    }
  }

  private static ModelRegistry registry(JobContext ctx) {
    return new ModelRegistry(
        ctx.config().warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
  }

  private static Optional<ModelInfo> champion(JobContext ctx) {
    return ModelsTable.champion(ctx).flatMap(registry(ctx)::find);
  }

  /** The model that serves a past date D: see {@link ModelsTable#newestTrainedBy}. */
  private static Optional<ModelInfo> servingPastDate(JobContext ctx, LocalDate asOf) {
    return ModelsTable.newestTrainedBy(ctx, asOf).flatMap(registry(ctx)::find);
  }

  /**
   * Why a model must be trained for a past date D (the champion was trained after it): no model
   * that served was trained on or before D, or the newest such is train.retrain-interval-days old.
   */
  static Optional<String> pastDateReason(JobContext ctx, ModelInfo champion, LocalDate asOf) {
    int interval = ctx.config().train().retrainIntervalDays();
    Optional<ModelInfo> past = servingPastDate(ctx, asOf);
    if (past.isEmpty()) {
      return Optional.of(
          "a past date: champion "
              + champion.version()
              + " was trained as of "
              + champion.trainedAsOf()
              + ", after "
              + asOf
              + ", and no model that served was trained on or before it");
    }
    if (RetrainPolicy.isStale(past.get(), asOf, interval)) {
      return Optional.of(
          "a past date: the newest model trained on or before "
              + asOf
              + " that served ("
              + past.get().version()
              + ", as of "
              + past.get().trainedAsOf()
              + ") is train.retrain-interval-days ("
              + interval
              + ") old");
    }
    return Optional.empty();
  }

  /** Why a model must be trained as of D, or empty when the champion serves. */
  static Optional<String> retrainReason(JobContext ctx, LocalDate asOf) {
    return new RetrainPolicy(ctx.config().train(), ctx.config().score().psiThreshold())
        .reason(
            registry(ctx).latest(),
            champion(ctx),
            asOf,
            c -> RealisedPerformance.latestRocAuc(ctx, c.version()),
            c ->
                ScoreJob.drift(
                    c,
                    ctx.store()
                        .read(ChurnTable.CUSTOMER_FEATURES)
                        .where(History.asOfPredicate(asOf))));
  }
}
