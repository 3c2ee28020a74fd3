package io.churnlake.jobs.cli;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.spark.ChurnSpark;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.demo.DemoJob;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.forget.ForgetJob;
import io.churnlake.jobs.generate.GenerateJob;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.ingest.IngestPreview;
import io.churnlake.jobs.ingest.IngestResult;
import io.churnlake.jobs.ingest.SourceResult;
import io.churnlake.jobs.labels.LabelsJob;
import io.churnlake.jobs.nightly.LeasedNights;
import io.churnlake.jobs.nightly.NightlyJob;
import io.churnlake.jobs.runs.PipelineRuns;
import io.churnlake.jobs.runs.RunLedger;
import io.churnlake.jobs.runs.RunStatus;
import io.churnlake.jobs.score.ScoreJob;
import io.churnlake.jobs.segment.SegmentJob;
import io.churnlake.jobs.sql.SqlJob;
import io.churnlake.jobs.train.TrainJob;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * One picocli command per pipeline stage; each builds the config, starts Spark and runs its job.
 */
final class Commands {
  private Commands() {}

  /** Shared plumbing: config from files and overrides, validated before Spark starts. */
  abstract static class JobCommand implements Callable<Integer> {
    @ParentCommand ChurnlakeCli root;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    /** Command-specific options turned into configuration overrides (they win over --set). */
    List<String> commandOverrides() {
      return List.of();
    }

    abstract void run(JobContext ctx, PrintStream out);

    /** Checks options that picocli cannot (combinations), before Spark starts. */
    void validate() {}

    /** Whether the run's stages go to pipeline_runs (read-only commands say no). */
    boolean recorded() {
      return true;
    }

    /** The caller's --run-id, checked, or a new random id. */
    String runId() {
      String given = root.global.runId;
      if (given == null) {
        return java.util.UUID.randomUUID().toString();
      }
      if (!given.matches("[A-Za-z0-9._:-]{1,128}")) {
        throw io.churnlake.common.errors.ChurnErrors.badOption(
            "--run-id", given, "1 to 128 of A-Z a-z 0-9 . _ : -");
      }
      return given;
    }

    /**
     * Records how the command ended; a failure to record it is logged, never hides the command's
     * own outcome.
     */
    private static void exited(RunLedger ledger, int code, String error) {
      try {
        ledger.exited(code, error);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Commands.class)
            .warn(
                "could not record the run's exit code {}: {}",
                code,
                io.churnlake.common.errors.ChurnErrors.unexpected(e));
      }
    }

    /** The as-of date recorded with the run, if the command has one. */
    LocalDate recordedDate() {
      return null;
    }

    @Override
    public Integer call() {
      validate();
      List<String> overrides = new ArrayList<>(root.global.overrides);
      overrides.addAll(commandOverrides());
      String runId = runId();
      ChurnConfig config;
      try {
        config = ChurnConfigLoader.load(root.global.configFiles, overrides);
      } catch (io.churnlake.common.errors.ChurnException e) {
        if (recorded() && root.global.runId != null) {
          // An orchestrator asked for this run's outcome: record the refusal where it can.
          ChurnConfigLoader.warehouseOf(root.global.configFiles, overrides)
              .ifPresent(
                  w ->
                      PipelineRuns.exitedBeforeSpark(
                          w,
                          runId,
                          spec.name(),
                          recordedDate(),
                          e.exitCode().code(),
                          e.getMessage()));
        }
        throw e;
      }
      if (!root.global.verbose) {
        org.apache.logging.log4j.core.config.Configurator.setLevel(
            "org.apache.spark", org.apache.logging.log4j.Level.WARN);
      }
      SparkSession spark = ChurnSpark.start(config.spark());
      try {
        DeltaTableStore store = new DeltaTableStore(spark, config.warehouse(), config.database());
        if (recorded()) {
          store.checkWritable();
        }
        store.registerExisting();
        RunLedger ledger =
            recorded() && config.runs().ledger()
                ? new PipelineRuns(spark, store, runId, spec.name(), recordedDate())
                : RunLedger.NONE;
        JobContext ctx = new JobContext(config, spark, store, runId, ledger);
        try {
          run(ctx, root.out);
        } catch (io.churnlake.common.errors.ChurnException e) {
          exited(ledger, e.exitCode().code(), e.getMessage());
          throw e;
        } catch (RuntimeException e) {
          exited(
              ledger,
              io.churnlake.common.errors.ExitCode.RUNTIME_FAILURE.code(),
              io.churnlake.common.errors.ChurnErrors.unexpected(e));
          throw e;
        }
        exited(ledger, 0, null);
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  /** Commands that work on one date. */
  abstract static class DatedCommand extends JobCommand {
    @Option(
        names = "--as-of",
        paramLabel = "DATE",
        required = true,
        description = "As-of date yyyy-MM-dd: the end of that day, UTC (required).")
    LocalDate asOf;

    @Override
    LocalDate recordedDate() {
      return asOf;
    }
  }

  /** Commands that work on one date or on a range of dates in one run. */
  abstract static class DateRangeCommand extends JobCommand {
    @Option(
        names = "--as-of",
        paramLabel = "DATE",
        description = "As-of date yyyy-MM-dd: the end of that day, UTC.")
    LocalDate asOf;

    @Override
    LocalDate recordedDate() {
      return asOf;
    }

    @Option(
        names = "--from",
        paramLabel = "DATE",
        description = "First as-of date of a range (with --to).")
    LocalDate from;

    @Option(
        names = "--to",
        paramLabel = "DATE",
        description = "Last as-of date of a range (with --from); included.")
    LocalDate to;

    @Option(
        names = "--every",
        paramLabel = "DAYS",
        defaultValue = "1",
        description = "Days between as-of dates of a range (default: ${DEFAULT-VALUE}).")
    int every;

    @Override
    void validate() {
      dates();
    }

    /** --as-of D, or --from D1 --to D2 [--every N]: the as-of dates, oldest first. */
    List<LocalDate> dates() {
      if (asOf == null && from == null && to == null) {
        throw ChurnErrors.missingOption("'--as-of=DATE' (or --from DATE --to DATE [--every DAYS])");
      }
      if (asOf != null && (from != null || to != null)) {
        throw ChurnErrors.badOption(
            "--as-of", asOf, "either --as-of DATE or --from DATE --to DATE [--every DAYS]");
      }
      if (asOf != null) {
        return List.of(asOf);
      }
      if (from == null || to == null || to.isBefore(from)) {
        throw ChurnErrors.badOption(
            from == null ? "--from" : "--to",
            from == null ? null : to,
            "--from and --to together, --to on or after --from");
      }
      if (every < 1) {
        throw ChurnErrors.badOption("--every", every, "a whole number of days >= 1");
      }
      List<LocalDate> out = new ArrayList<>();
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(every)) {
        out.add(d);
      }
      return out;
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description =
          "Write a synthetic Sparkify-shaped event log with planted churn drivers, one JSON-lines file per day, and its ground-truth table.")
  static final class Generate extends JobCommand {
    @Mixin LogSizeOptions size;

    @Option(
        names = "--start-date",
        paramLabel = "DATE",
        description =
            "First simulated day (default: ${sys:default.churnlake.generate.start-date}).")
    LocalDate startDate;

    @Option(
        names = "--output",
        paramLabel = "DIR",
        description = "Output directory (default: ${sys:default.churnlake.generate.output}).")
    String output;

    @Override
    List<String> commandOverrides() {
      List<String> o = new ArrayList<>(size.overrides());
      Optional.ofNullable(startDate).ifPresent(v -> o.add("generate.start-date=\"" + v + "\""));
      Optional.ofNullable(output).ifPresent(v -> o.add("generate.output=\"" + v + "\""));
      return o;
    }

    @Override
    void run(JobContext ctx, PrintStream out) {
      GenerateJob.Result r = GenerateJob.run(ctx);
      out.printf(
          "generated %d daily files under %s and %d ground-truth rows in %s%n",
          r.files(),
          r.output(),
          r.truthRows(),
          ctx.store().location(io.churnlake.common.table.ChurnTable.GENERATED_TRUTH));
      if (ctx.config().generate().campaign().applyPlans()) {
        out.printf(
            "played the warehouse's retention plans: %d planned customers' true effects in %s%n",
            r.effectRows(),
            ctx.store().location(io.churnlake.common.table.ChurnTable.GENERATED_EFFECTS));
      }
    }
  }

  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description =
          "Load the files of configured sources not yet ingested into their canonical Delta tables"
              + " (events, transactions, customers); bad records go to 'quarantine' with a reason.")
  static final class Ingest extends JobCommand {
    @Option(
        names = "--as-of",
        paramLabel = "DATE",
        description =
            "Only files dated on or before this date, for sources whose file names carry dates"
                + " (default: all files).")
    LocalDate asOf;

    @Option(
        names = "--source",
        paramLabel = "NAME",
        description =
            "A source under churnlake.sources to load; repeatable (default: churnlake.ingest.sources).")
    List<String> sources = new ArrayList<>();

    @Option(
        names = "--dry-run",
        description =
            "Read, parse and judge the pending files and print how they map, what would be loaded,"
                + " quarantined (by reason) and recorded, and the first rows; write nothing"
                + " (default: ${DEFAULT-VALUE}).")
    boolean dryRun;

    @Option(
        names = "--rows",
        paramLabel = "N",
        description = "With --dry-run: rows of each source to show as loaded (default: 5).")
    int rows = 5;

    @Override
    void validate() {
      if (rows < 0) {
        throw ChurnErrors.badOption("--rows", String.valueOf(rows), "a whole number >= 0");
      }
    }

    @Override
    boolean recorded() {
      return !dryRun;
    }

    @Override
    void run(JobContext ctx, PrintStream out) {
      if (dryRun) {
        IngestPreview preview = new IngestPreview(rows);
        IngestJob.preview(ctx, Optional.ofNullable(asOf), sources, preview);
        out.println("ingest --dry-run: nothing was written");
        preview.lines().forEach(out::println);
        return;
      }
      IngestResult r = IngestJob.run(ctx, Optional.ofNullable(asOf), sources);
      for (SourceResult s : r.sources()) {
        out.println(s.reconciliation());
      }
    }
  }

  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description =
          "Erase one customer from every table (and its keyed hash, when the hash key is set),"
              + " then vacuum those tables so the rows leave storage.")
  static final class Forget extends JobCommand {
    @Option(
        names = "--customer",
        paramLabel = "ID",
        required = true,
        description = "The customer id as it appears in the source data.")
    String customer;

    @Override
    void run(JobContext ctx, PrintStream out) {
      Map<String, Long> deleted = ForgetJob.run(ctx, customer);
      deleted.forEach((table, n) -> out.printf("%s: %d rows deleted%n", table, n));
    }
  }

  @Command(
      name = "features",
      mixinStandardHelpOptions = true,
      description = "Build per-customer features as of a date into 'customer_features'.")
  static final class Features extends DateRangeCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      FeaturesJob.run(ctx, dates()).forEach(d -> out.println(d.line()));
    }
  }

  @Command(
      name = "dictionary",
      mixinStandardHelpOptions = true,
      description =
          "Print the data dictionary of 'customer_features' (markdown) for the configured windows and customer sources; no Spark.")
  static final class Dictionary implements Callable<Integer> {
    @ParentCommand ChurnlakeCli root;

    @Override
    public Integer call() {
      ChurnConfig config = ChurnConfigLoader.load(root.global.configFiles, root.global.overrides);
      root.out.print(io.churnlake.jobs.features.FeatureDictionary.markdown(config));
      return 0;
    }
  }

  @Command(
      name = "tables",
      mixinStandardHelpOptions = true,
      description =
          "Print the documentation of every table (markdown): grain, key, partitioning, writing commands, each column, example queries; docs/tables.md is its output; no Spark.")
  static final class Tables implements Callable<Integer> {
    @ParentCommand ChurnlakeCli root;

    @Override
    public Integer call() {
      // The tables' documentation does not depend on the configuration, but a configuration that
      // would fail every other command (an unknown key, a bad value) fails here too.
      ChurnConfigLoader.load(root.global.configFiles, root.global.overrides);
      root.out.print(
          io.churnlake.jobs.tables.RenderTableDocs.markdown(
              io.churnlake.jobs.tables.TableCatalog.all()));
      return 0;
    }
  }

  @Command(
      name = "labels",
      mixinStandardHelpOptions = true,
      description = "Label churn within the horizon after a date into 'churn_labels'.")
  static final class Labels extends DateRangeCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      LabelsJob.run(ctx, dates()).lines().forEach(out::println);
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Train a churn model on earlier as-of dates, evaluate it on a later one, save a new model version.")
  static final class Train extends DatedCommand {
    @Option(
        names = "--algorithm",
        description =
            "gbt, random-forest or logistic (default: ${sys:default.churnlake.train.algorithm}).")
    String algorithm;

    @Option(
        names = "--promote",
        description = "Make the new model champion whatever its metrics (recorded as forced).")
    boolean promote;

    @Override
    List<String> commandOverrides() {
      return algorithm == null ? List.of() : List.of("train.algorithm=" + algorithm);
    }

    @Override
    void run(JobContext ctx, PrintStream out) {
      TrainJob.Trained t = TrainJob.run(ctx, asOf, promote);
      out.print(
          Summaries.train(
              t, io.churnlake.jobs.labels.ChurnDefinition.of(ctx.config().labels()).population()));
    }
  }

  @Command(
      name = "backtest",
      mixinStandardHelpOptions = true,
      description =
          "Retrain on a rolling origin: for each date T (--as-of, or --from/--to/--every), train as"
              + " 'train --as-of T' would and evaluate on T - horizon; metrics per origin to"
              + " 'model_evaluations' (kind backtest). Registers no model.")
  static final class Backtest extends DateRangeCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      out.println(
          "origin      evaluation date   training dates, held-out metrics (time-based validation)");
      io.churnlake.jobs.train.BacktestJob.run(ctx, dates()).forEach(o -> out.println(o.line()));
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description =
          "Score a date's features with the champion model (or --model) into 'churn_scores',"
              + " with each customer's drivers, and the global drivers into 'churn_drivers'.")
  static final class Score extends DatedCommand {
    @Option(
        names = "--model",
        paramLabel = "VERSION",
        description = "Score with this model version (e.g. v0003) instead of the champion.")
    String model;

    @Override
    void run(JobContext ctx, PrintStream out) {
      ScoreJob.Result r = ScoreJob.run(ctx, asOf, Optional.ofNullable(model));
      out.printf(
          "churn_scores as of %s: %d customers scored by model %s%n", asOf, r.scored(), r.model());
      r.population().ifPresent(line -> out.printf("  population: %s%n", line));
      r.driftLine().ifPresent(line -> out.printf("  drift: %s%n", line));
    }
  }

  @Command(
      name = "clv",
      mixinStandardHelpOptions = true,
      description =
          "Customer lifetime value as of the date into 'customer_value': BG/NBD and Gamma-Gamma"
              + " fitted to the purchase days in 'transactions' (fits in 'clv_models'), or, for"
              + " subscriptions (clv.model), billing x expected further payments from the scores.")
  static final class Clv extends DatedCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      out.print(Summaries.clv(io.churnlake.jobs.clv.ClvJob.run(ctx, asOf)));
    }
  }

  @Command(
      name = "segment",
      mixinStandardHelpOptions = true,
      description =
          "Risk and value tiers, segment, action, expected net value and targeting (budget, control"
              + " group) from a date's scores into 'risk_segments' and 'segment_summary'; prints"
              + " the plan.")
  static final class Segment extends DatedCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      out.print(Summaries.segment(SegmentJob.run(ctx, asOf)));
    }
  }

  @Command(
      name = "kpis",
      mixinStandardHelpOptions = true,
      description =
          "Churn and retention rates, new customers, repeat purchase rate, CLV, revenue at risk and"
              + " the campaign's treated vs control churn per period and dimension, tracked against"
              + " the configured goals, into 'churn_kpis'; monthly cohorts into 'cohort_retention'.")
  static final class Kpis extends DatedCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      out.print(
          Summaries.kpis(
              io.churnlake.jobs.kpis.KpisJob.run(ctx, asOf), ctx.config().kpis().goals()));
    }
  }

  @Command(
      name = "uplift",
      mixinStandardHelpOptions = true,
      description =
          "Learn whom each retention action keeps from the randomised customers of matured campaign"
              + " waves (segment.uplift-learner: isotonic in churn risk per action, or two-model),"
              + " evaluate it on the latest wave by its Qini"
              + " coefficient, register it in 'uplift_models' and score the date's customers per"
              + " action into 'uplift_scores' (read by segment.targeting = uplift).")
  static final class Uplift extends DatedCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      out.print(Summaries.uplift(io.churnlake.jobs.uplift.UpliftJob.run(ctx, asOf)));
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description =
          "One self-contained HTML file for people: KPI trends against the goals, cohort"
              + " retention, the risk-value matrix, the model's gain and calibration curves and top"
              + " drivers, the plan's budget and expected value, ingestion's data quality.")
  static final class Report extends DatedCommand {
    @Option(
        names = "--path",
        paramLabel = "FILE",
        description =
            "Where to write it (default: <warehouse>/_reports/churnlake-report-DATE.html).")
    String path;

    @Override
    void run(JobContext ctx, PrintStream out) {
      io.churnlake.jobs.report.ReportJob.Result r =
          io.churnlake.jobs.report.ReportJob.run(ctx, asOf, java.util.Optional.ofNullable(path));
      out.printf("report as of %s: %s (%,d bytes)%n", r.asOf(), r.path(), r.bytes());
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Write a date's targeted customers (action, expected net value, drivers as columns;"
              + " personal data only if export.personal-columns lists it) as one CSV or Parquet"
              + " file under --path, for a CRM.")
  static final class Export extends DatedCommand {
    @Option(
        names = "--segment",
        paramLabel = "SEGMENT",
        split = ",",
        description =
            "Only these segments, e.g. high-value-high-risk (or \"high value, high risk\");"
                + " repeatable or comma-separated (default: all).")
    List<String> segments = new ArrayList<>();

    @Option(
        names = "--format",
        defaultValue = "csv",
        description = "csv (with a header) or parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--path", required = true, description = "Directory to create (required).")
    String path;

    @Option(names = "--overwrite", description = "Replace an existing --path.")
    boolean overwrite;

    @Override
    void validate() {
      if (!List.of("csv", "parquet").contains(format)) {
        throw ChurnErrors.badOption("--format", format, "csv, parquet");
      }
      segments.forEach(io.churnlake.jobs.export.ExportJob::segmentName);
    }

    @Override
    void run(JobContext ctx, PrintStream out) {
      out.print(
          Summaries.export(
              io.churnlake.jobs.export.ExportJob.run(
                  ctx, asOf, segments, format, path, overwrite)));
    }
  }

  @Command(
      name = "nightly",
      mixinStandardHelpOptions = true,
      description =
          "Ingest new files dated on or before the date, then features, train if due, score, clv, uplift, segment, kpis and the report; safe to re-run.")
  static final class Nightly extends DatedCommand {
    @Option(
        names = "--force",
        description =
            "Rerun every stage, also those an earlier run for the date already succeeded with the same inputs.")
    boolean force;

    @Override
    void run(JobContext ctx, PrintStream out) {
      NightlyJob.Result r = LeasedNights.leased(ctx, asOf, force);
      out.printf(
          "nightly %s: %d new files, %s customers featured, model %s%s, %s scored, %s segmented%n",
          asOf,
          r.ingest().files(),
          r.features().map(String::valueOf).orElse("(skipped)"),
          r.model().version(),
          r.trained() ? " (trained now: " + r.trainReason() + ")" : "",
          r.score().map(s -> String.valueOf(s.scored())).orElse("(skipped)"),
          r.segments().map(s -> String.valueOf(s.customers())).orElse("(skipped)"));
      r.skipped()
          .forEach(
              (stage, run) ->
                  out.printf(
                      "  %s: skipped, run %s already succeeded it with the same inputs"
                          + " (--force reruns it)%n",
                      stage, run));
      for (SourceResult s : r.ingest().sources()) {
        s.corruptFiles().forEach(c -> out.printf("  %s: file %s%n", s.source(), c));
      }
      for (var e : r.realised()) {
        out.printf(
            "  realised: model %s on %s: ROC AUC %.3f, ECE %.3f%n",
            e.version(), e.asOf(), e.metrics().get("roc_auc"), e.metrics().get("ece"));
      }
      r.score()
          .flatMap(ScoreJob.Result::population)
          .ifPresent(line -> out.printf("  population: %s%n", line));
      r.score()
          .flatMap(ScoreJob.Result::driftLine)
          .ifPresent(line -> out.printf("  drift: %s%n", line));
      r.clv().ifPresent(c -> out.print(Summaries.clv(c)));
      r.uplift().ifPresent(u -> out.print(Summaries.uplift(u)));
      r.segments().ifPresent(s -> out.print(Summaries.segment(s)));
      r.kpis().ifPresent(k -> out.print(Summaries.kpis(k, ctx.config().kpis().goals())));
      r.report().ifPresent(p -> out.printf("report: %s%n", p.path()));
    }
  }

  @Command(
      name = "backfill",
      mixinStandardHelpOptions = true,
      description =
          "Run the nightly flow for each date of a range, oldest first, so that history (and the KPI trends built on it) can be rebuilt; a rerun resumes: stages that already succeeded for a date with the same inputs are skipped.")
  static final class Backfill extends JobCommand {
    @Option(
        names = "--from",
        paramLabel = "DATE",
        required = true,
        description = "First as-of date (yyyy-MM-dd).")
    LocalDate from;

    @Option(
        names = "--to",
        paramLabel = "DATE",
        required = true,
        description = "Last as-of date, included.")
    LocalDate to;

    @Option(
        names = "--every",
        paramLabel = "DAYS",
        defaultValue = "1",
        description = "Days between as-of dates (default: ${DEFAULT-VALUE}).")
    int every;

    @Option(names = "--force", description = "Rerun every stage of every date.")
    boolean force;

    @Override
    void validate() {
      if (to.isBefore(from)) {
        throw ChurnErrors.badOption("--to", to, "a date on or after --from (" + from + ")");
      }
      if (every < 1) {
        throw ChurnErrors.badOption("--every", every, "a whole number of days >= 1");
      }
    }

    @Override
    void run(JobContext ctx, PrintStream out) {
      LeasedNights.backfill(
          ctx,
          from,
          to,
          every,
          force,
          (d, r) ->
              out.printf(
                  "backfill %s: %d new files, model %s%s, %d stages skipped (already done), %s"
                      + " segmented%n",
                  d,
                  r.ingest().files(),
                  r.model().version(),
                  r.trained() ? " (trained now: " + r.trainReason() + ")" : "",
                  r.skipped().size(),
                  r.segments().map(s -> String.valueOf(s.customers())).orElse("(skipped)")));
    }
  }

  @Command(
      name = "maintain",
      mixinStandardHelpOptions = true,
      description =
          "Per table: prune as-of dates older than maintain.keep-as-of-days (derived tables), compact small files (OPTIMIZE) and vacuum files unreferenced for maintain.vacuum-retention-hours; prints files before and after.")
  static final class Maintain extends JobCommand {
    @Override
    void run(JobContext ctx, PrintStream out) {
      out.print(
          Summaries.maintain(
              io.churnlake.jobs.maintain.MaintainJob.run(ctx), ctx.config().maintain()));
    }
  }

  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description =
          "Reset the configured warehouse's churnlake tables, generate a log, run nightly as of its last day and print a summary.")
  static final class Demo extends JobCommand {
    @Mixin LogSizeOptions size;

    @Override
    List<String> commandOverrides() {
      return size.overrides();
    }

    @Override
    void run(JobContext ctx, PrintStream out) {
      Summaries.demo(out, DemoJob.run(ctx));
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Print the stages of the latest runs from 'pipeline_runs': command, date, stage, status, duration, rows, error; read with Delta Kernel, no Spark.")
  static final class Status implements Callable<Integer> {
    @ParentCommand ChurnlakeCli root;

    @Option(
        names = "--runs",
        description = "How many of the latest runs (default: ${DEFAULT-VALUE}).")
    int runs = 5;

    @Option(
        names = "--run",
        paramLabel = "ID",
        description =
            "Only the run with this id (as given to --run-id), and how it ended (default: the latest runs).")
    String run;

    @Option(
        names = "--exit-code",
        description =
            "With --run: exit with the code the run recorded (0 done, 1 failed, 2 configuration, 3 lease held); 1 when it recorded none: for orchestrators in cluster deploy mode (default: ${DEFAULT-VALUE}).")
    boolean exitCode;

    @Override
    public Integer call() {
      if (runs < 1) {
        throw io.churnlake.common.errors.ChurnErrors.badOption(
            "--runs", runs, "a whole number >= 1");
      }
      if (exitCode && run == null) {
        throw io.churnlake.common.errors.ChurnErrors.badOption(
            "--exit-code", "without --run", "--run ID with it");
      }
      ChurnConfig config = ChurnConfigLoader.load(root.global.configFiles, root.global.overrides);
      if (run != null) {
        int recorded = RunStatus.printRun(config, run, root.out);
        return exitCode ? recorded : 0;
      }
      RunStatus.print(config, runs, root.out);
      return 0;
    }
  }

  @Command(
      name = "sql",
      mixinStandardHelpOptions = true,
      description =
          "Run Spark SQL with every churnlake table available by its name, e.g. SELECT risk_tier, count(*) FROM risk_segments GROUP BY 1.")
  static final class Sql extends JobCommand {
    @Override
    boolean recorded() {
      return false;
    }

    @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL query.")
    String query;

    @Option(names = "--format", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    SqlJob.Format format = SqlJob.Format.table;

    @Option(names = "--limit", description = "Most rows printed (default: ${DEFAULT-VALUE}).")
    int limit = 1000;

    @Override
    void run(JobContext ctx, PrintStream out) {
      if (limit < 1) {
        throw io.churnlake.common.errors.ChurnErrors.badOption(
            "--limit", limit, "a whole number >= 1");
      }
      SqlJob.run(ctx, query, format, limit, out);
    }
  }
}
