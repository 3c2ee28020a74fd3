package io.churnlake.common.config;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The whole typed, immutable configuration of one churnlake command, built once on the driver by
 * {@link ChurnConfigLoader} and validated before Spark starts. Keys are documented in
 * conf/application.conf. {@code fingerprint} identifies what the configuration asks to compute: a
 * SHA-256 of the resolved keys, the {@code spark}, {@code catalog}, {@code runs} and {@code
 * maintain} sections excluded (nightly skips a stage that already succeeded with the same
 * fingerprint and inputs).
 */
public record ChurnConfig(
    String warehouse,
    String database,
    SparkSettings spark,
    GenerateSettings generate,
    IngestSettings ingest,
    Map<String, SourceSpec> sources,
    FeatureSettings features,
    LabelSettings labels,
    TrainSettings train,
    ScoreSettings score,
    SegmentSettings segment,
    ClvSettings clv,
    ExportSettings export,
    KpiSettings kpis,
    RunSettings runs,
    MaintainSettings maintain,
    String fingerprint) {

  /**
   * What {@code maintain} does ({@code churnlake.maintain}): compact small files, vacuum files
   * unreferenced for this many hours, and keep this many days of as-of dates in derived tables (0:
   * all).
   */
  public record MaintainSettings(boolean optimize, double vacuumRetentionHours, int keepAsOfDays) {}

  /**
   * The run ledger and leases ({@code churnlake.runs}): whether commands record their stages in
   * {@code pipeline_runs}, after how long without a heartbeat a lease is stale, and how often a
   * running command renews it. {@code pauseAtStages} and {@code pauseDir} are a fault-injection
   * hook for the cluster integration test: a stage named there writes {@code STAGE.paused} into the
   * directory when it starts and waits until {@code STAGE.resume} appears (empty: never pause).
   */
  public record RunSettings(
      boolean ledger,
      int leaseStaleMinutes,
      int heartbeatSeconds,
      List<String> pauseAtStages,
      String pauseDir,
      Gate gate,
      int gateTrailingDays,
      double gateMinVolume,
      double gateMaxVolume) {}

  /**
   * What {@code kpis} measures ({@code churnlake.kpis}): the period grain, customers-table columns
   * to break rates down by, and the business's goals.
   */
  public record KpiSettings(KpiGrain grain, List<String> dimensions, List<Goal> goals) {
    /** Metrics of {@code churn_kpis} a goal can name. */
    public static final List<String> GOAL_METRICS =
        List.of(
            "churn_rate",
            "retention_rate",
            "active_customers",
            "churned_customers",
            "new_customers",
            "repeat_purchase_rate",
            "clv_mean",
            "clv_total",
            "revenue_at_risk");
  }

  /**
   * A goal in the business's words, e.g. "churn_rate -10% vs 2026-01 by 2026-07": the metric, a
   * change (relative: a fraction of the baseline value, -0.10; absolute: in the metric's unit), the
   * baseline period's start and the deadline period's start.
   */
  public record Goal(
      String id,
      String text,
      String metric,
      boolean relative,
      double change,
      LocalDate baseline,
      LocalDate deadline) {

    /** The value the goal aims at by the deadline, from the baseline period's value. */
    public double target(double baselineValue) {
      return relative ? baselineValue * (1 + change) : baselineValue + change;
    }
  }

  /**
   * What {@code export} adds to targeted customers ({@code churnlake.export}): customer-table
   * columns that may hold personal data, none by default.
   */
  public record ExportSettings(List<String> personalColumns) {}

  /**
   * Spark session settings ({@code churnlake.spark}); {@code codegen} and {@code codegenFromMb}
   * decide whether a stage's queries generate Java code ({@link Codegen}).
   */
  public record SparkSettings(
      String master,
      String appName,
      int shufflePartitions,
      Map<String, String> extra,
      Codegen codegen,
      int codegenFromMb) {
    /** Settings with Spark's own code generation on every query (peers of the benchmarks). */
    public SparkSettings(
        String master, String appName, int shufflePartitions, Map<String, String> extra) {
      this(master, appName, shufflePartitions, extra, Codegen.ON, 0);
    }
  }

  /**
   * {@code spark.codegen}: whether queries generate and compile Java code (Spark's whole-stage code
   * generation) or evaluate their expressions interpreted. Compiling pays off on large data and
   * costs seconds per stage on small data; {@code auto} generates code for a stage only when the
   * data it works on reaches {@code spark.codegen-from-mb}.
   */
  public enum Codegen implements Choice {
    AUTO,
    ON,
    OFF
  }

  /** Synthetic log generator settings ({@code churnlake.generate}). */
  public record GenerateSettings(
      String output,
      int customers,
      int days,
      LocalDate startDate,
      long seed,
      double sessionsPerWeek,
      double paidShare,
      double newCustomerShare,
      double monthlyPrice,
      int partitions,
      TruthSettings truth,
      PlantedShift shift,
      CampaignPlay campaign,
      java.util.Optional<LocalDate> writeFrom,
      int arrivalDays) {}

  /**
   * The generator playing the retention loop ({@code churnlake.generate.campaign}): with {@code
   * applyPlans}, every customer the warehouse's {@code risk_segments} targeted on a date D is
   * contacted on D + 1, and the contact multiplies their churn hazard for {@code effectDays} days
   * by a planted, customer-dependent factor (docs/generator.md); {@code doNotDisturbShare} of
   * customers (the content ones: not fragile, fewest thumbs down; at most 0.75) are driven away by
   * any contact.
   */
  public record CampaignPlay(boolean applyPlans, int effectDays, double doNotDisturbShare) {}

  /**
   * A change of behaviour planted in the generated log ({@code churnlake.generate.shift}), so that
   * drift monitoring can be tested against a known truth: from {@code fromDate} on (empty: never),
   * every customer's error pages per session are multiplied by {@code errorFactor} (a faulty
   * release, say). The errors feed the planted churn hazard, so churn rises with them.
   */
  public record PlantedShift(java.util.Optional<LocalDate> fromDate, double errorFactor) {}

  /** Which ground-truth probabilities the generator computes ({@code churnlake.generate.truth}). */
  public record TruthSettings(List<Integer> horizonDays, int firstDay, int everyDays, int paths) {}

  /** What {@code ingest} does across sources ({@code churnlake.ingest}). */
  public record IngestSettings(
      List<String> sources,
      OnChangedFile onChangedFile,
      String hashKeyEnv,
      int quarantineRetentionDays) {}

  /** What ingest does with a file already ingested whose size or modification time changed. */
  public enum OnChangedFile {
    /** Fail the source, naming the file, and load nothing from it. */
    REJECT,
    /** Replace everything loaded from the file by its new content. */
    RELOAD
  }

  /** The source of that name, or a usage error listing the configured ones. */
  public SourceSpec source(String name) {
    SourceSpec spec = sources.get(name);
    if (spec == null) {
      throw io.churnlake.common.errors.ChurnErrors.badOption(
          "source", name, "a source configured under churnlake.sources " + sources.keySet());
    }
    return spec;
  }

  /**
   * Feature windows, and features kept for reporting but out of every model, e.g. protected
   * attributes ({@code churnlake.features}).
   */
  public record FeatureSettings(
      List<Integer> windows, List<String> excludeFromModel, EventTypes eventTypes) {}

  /**
   * Event types the activity family counts per window and per session ({@code
   * churnlake.features.event-types}): content consumed (songs played, articles read), friction
   * ("negative"), engagement ("positive"), and the ones that change a customer's plan (for days
   * since the last plan change); and the plan levels ({@code churnlake.features.plan}): the level
   * an event moves a customer to, and the levels that pay. No type or level is built into the code:
   * the defaults in conf/application.conf are the generator's (Sparkify's) pages.
   */
  public record EventTypes(
      List<String> content,
      List<String> negative,
      List<String> positive,
      List<String> planChange,
      List<LevelEvent> levelEvents,
      List<String> paidLevels) {
    public EventTypes {
      content = List.copyOf(content);
      negative = List.copyOf(negative);
      positive = List.copyOf(positive);
      planChange = List.copyOf(planChange);
      levelEvents = List.copyOf(levelEvents);
      paidLevels = List.copyOf(paidLevels);
    }

    /** negative then positive, without repeats: the types with their own feature columns. */
    public List<String> featured() {
      java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>(negative);
      out.addAll(positive);
      return List.copyOf(out);
    }

    /** Every type the daily aggregate counts: featured, plan changes, content. */
    public List<String> counted() {
      java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>(featured());
      out.addAll(planChange);
      out.addAll(content);
      return List.copyOf(out);
    }

    /** The levels that level events set, in their order, without repeats. */
    public List<String> levelsSet() {
      return levelEvents.stream().map(LevelEvent::level).distinct().toList();
    }
  }

  /**
   * An event type that moves a customer to a plan level, for logs whose plan-change events still
   * carry the level they change from ({@code churnlake.features.plan.level-events}).
   */
  public record LevelEvent(String eventType, String level) {}

  /**
   * Churn label definition ({@code churnlake.labels}): how churn is recognised, over which horizon
   * after the as-of date.
   */
  public record LabelSettings(
      LabelDefinition definition,
      int horizonDays,
      String churnEvent,
      InactivityTable inactivityTable,
      String qualifyingActivity) {}

  /**
   * A value chosen from a closed list, spelled in the configuration as {@link #id()}; the loader
   * parses it once ({@code ChurnConfigLoader}), code compares constants, never strings.
   */
  public interface Choice {
    /**
     * How the configuration spells it: the constant's name in lower case, words joined by hyphens
     * ({@code RANDOM_FOREST} is {@code random-forest}), unless a constant says otherwise. Text for
     * people and tables uses this, never the enum's own name.
     */
    default String id() {
      return ((Enum<?>) this).name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** {@code train.class-weight}: weight the classes inversely to their frequency, or not. */
  public enum ClassWeight implements Choice {
    BALANCED,
    NONE
  }

  /** {@code train.calibration}: isotonic calibration on a later date, or none. */
  public enum Calibration implements Choice {
    ISOTONIC,
    NONE
  }

  /** {@code train.non-finite}: a NaN or infinite feature value is imputed, or the run fails. */
  public enum NonFinite implements Choice {
    IMPUTE,
    REJECT
  }

  /** {@code train.search.mode}: no search, every grid combination, or a seeded random draw. */
  public enum SearchMode implements Choice {
    NONE,
    GRID,
    RANDOM
  }

  /** A model metric that search and promotion compare (higher is better). */
  public enum ModelMetric implements Choice {
    ROC_AUC,
    PR_AUC;

    /** Metric names keep their underscore ({@code roc_auc}), as in {@code model_evaluations}. */
    @Override
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** {@code kpis.grain}: KPIs per calendar month or per week (Monday to Sunday). */
  public enum KpiGrain implements Choice {
    MONTH,
    WEEK;

    /** The first day of the period holding {@code day}. */
    public LocalDate start(LocalDate day) {
      return this == WEEK
          ? day.with(
              java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY))
          : day.withDayOfMonth(1);
    }

    /** The first day of the period after the one starting on {@code start}. */
    public LocalDate next(LocalDate start) {
      return this == WEEK ? start.plusWeeks(1) : start.plusMonths(1);
    }

    /** The most days a period has (how far before a period's start its predecessor begins). */
    public int maxDays() {
      return this == WEEK ? 7 : 31;
    }
  }

  /** {@code runs.gate}: what an implausible day of data does to nightly. */
  public enum Gate implements Choice {
    FAIL,
    WARN,
    OFF
  }

  /** {@code clv.model}: BG/NBD and Gamma-Gamma, the contractual model, or chosen by the data. */
  public enum ClvModel implements Choice {
    AUTO,
    BG_NBD,
    CONTRACTUAL
  }

  /** {@code segment.risk-tiers}: fixed probability cut points or quantiles of the scores. */
  public enum RiskTiers implements Choice {
    CUT_POINTS,
    QUANTILES
  }

  /** {@code segment.value-source}: the CLV table, revenue, or CLV when it is ready. */
  public enum ValueSource implements Choice {
    AUTO,
    CLV,
    REVENUE
  }

  /** {@code labels.inactivity.table}: the log whose silence is churn. */
  public enum InactivityTable implements Choice {
    EVENTS,
    TRANSACTIONS
  }

  /** The churn classifiers {@code train.algorithm} chooses from. */
  public enum AlgorithmName implements Choice {
    /** Gradient-boosted trees (MLlib {@code GBTClassifier}). */
    GBT,
    /** Logistic regression on standardised features (MLlib {@code LogisticRegression}). */
    LOGISTIC,
    /** Random forest (MLlib {@code RandomForestClassifier}). */
    RANDOM_FOREST
  }

  /** The three ways a data set says a customer churned. */
  public enum LabelDefinition implements Choice {
    /** A churn event (e.g. a cancellation) within the horizon after the as-of date. */
    EXPLICIT,
    /** No qualifying activity within the horizon after the as-of date (non-contractual data). */
    INACTIVITY,
    /** The churn flag of the customers snapshot dated on the as-of date (static data sets). */
    GIVEN
  }

  /** Model training ({@code churnlake.train}). */
  public record TrainSettings(
      AlgorithmName algorithm,
      int minHistoryDays,
      int stepDays,
      int retrainIntervalDays,
      long seed,
      GbtSettings gbt,
      LogisticSettings logistic,
      double evaluationShare,
      RandomForestSettings randomForest,
      ClassWeight classWeight,
      Calibration calibration,
      double topShare,
      int minPositives,
      PromotionSettings promotion,
      NonFinite nonFinite,
      RetrainSettings retrainOn,
      SearchSettings search) {

    /** The same settings with other gradient-boosted trees hyper-parameters. */
    public TrainSettings withGbt(GbtSettings g) {
      return withModels(g, logistic, randomForest);
    }

    /** The same settings with other logistic regression hyper-parameters. */
    public TrainSettings withLogistic(LogisticSettings l) {
      return withModels(gbt, l, randomForest);
    }

    /** The same settings with other random forest hyper-parameters. */
    public TrainSettings withRandomForest(RandomForestSettings r) {
      return withModels(gbt, logistic, r);
    }

    private TrainSettings withModels(GbtSettings g, LogisticSettings l, RandomForestSettings r) {
      return new TrainSettings(
          algorithm,
          minHistoryDays,
          stepDays,
          retrainIntervalDays,
          seed,
          g,
          l,
          evaluationShare,
          r,
          classWeight,
          calibration,
          topShare,
          minPositives,
          promotion,
          nonFinite,
          retrainOn,
          search);
    }
  }

  /**
   * Hyper-parameter search ({@code churnlake.train.search}): {@code mode} none (the configured
   * parameters), grid (every combination of the lists, the first {@code maxModels}) or random
   * ({@code maxModels} combinations drawn with the seed); candidates validated on up to {@code
   * folds} rolling origins (time-based) or by seeded stratified {@code folds}-fold
   * (cross-sectional) and compared by {@code metric}; {@code parallelism} candidates fitted at
   * once.
   */
  public record SearchSettings(
      SearchMode mode,
      int maxModels,
      int parallelism,
      int folds,
      ModelMetric metric,
      GbtGrid gbt,
      RandomForestGrid randomForest,
      LogisticGrid logistic) {}

  /** Values the search tries for gradient-boosted trees. */
  public record GbtGrid(List<Integer> maxIter, List<Integer> maxDepth, List<Double> stepSize) {}

  /** Values the search tries for random forests. */
  public record RandomForestGrid(List<Integer> numTrees, List<Integer> maxDepth) {}

  /** Values the search tries for logistic regression. */
  public record LogisticGrid(List<Double> regParam, List<Double> elasticNet) {}

  /**
   * When nightly retrains before the interval is up: the champion's realised ROC AUC fell more than
   * {@code aucDrop} below its held-out figure, or (with {@code onDrift}) a feature drifted.
   */
  public record RetrainSettings(double aucDrop, boolean onDrift) {}

  /**
   * Scoring ({@code churnlake.score}): how many drivers each score carries, and the population
   * stability index above which a feature counts as drifted.
   */
  public record ScoreSettings(
      int drivers,
      double psiThreshold,
      ScorePopulation population,
      TreeExplanations treeExplanations,
      Map<String, List<String>> reasonCategories) {}

  /**
   * {@code score.tree-explanations}: how a tree ensemble's score is split into contributions: exact
   * Shapley values (path-dependent TreeSHAP) or path contributions (Saabas).
   */
  public enum TreeExplanations implements Choice {
    TREESHAP,
    SAABAS
  }

  /**
   * {@code score.population}: score only the customers the label definition still counts as
   * customers (not already churned by it), or every customer with features.
   */
  public enum ScorePopulation implements Choice {
    AT_RISK,
    ALL
  }

  /**
   * Which save rate the plan multiplies by: the one learned from matured campaign waves ({@code
   * action_effects}) where there is one, else the configured; or always the configured.
   */
  public enum SaveRates implements Choice {
    LEARNED,
    CONFIGURED
  }

  /**
   * What the plan's expected net value multiplies the value by: {@code churn-risk}, P(churn) x the
   * action's save rate; {@code uplift}, the uplift model's predicted churn reduction for the
   * customer and action ({@code uplift_scores}).
   */
  public enum Targeting implements Choice {
    CHURN_RISK,
    UPLIFT
  }

  /**
   * How the uplift stage learns each action's effect from randomised customers: {@code isotonic},
   * the transformed outcome regressed on the churn model's score by isotonic regression, per
   * action; {@code two-model}, the churn pipeline fitted on treated and on control customers.
   */
  public enum UpliftLearner implements Choice {
    ISOTONIC,
    TWO_MODEL
  }

  /** How the plan sizes each action's control group: the configured fraction, or by power. */
  public enum ControlSizing implements Choice {
    FIXED,
    POWER
  }

  /**
   * The control group's sizing: {@code fixed} holds out {@code SegmentSettings.controlFraction} of
   * every action's candidates; {@code power} the smallest share that detects a relative churn
   * reduction of {@code minimumEffect} with a two-sided two-proportion test at {@code significance}
   * with {@code power}, at most {@code maxFraction}. Either way the plan reports each action's
   * power.
   */
  public record ControlPower(
      ControlSizing sizing,
      double minimumEffect,
      double significance,
      double power,
      double maxFraction) {}

  /** Random forest hyper-parameters. */
  public record RandomForestSettings(int numTrees, int maxDepth, double subsamplingRate) {}

  /**
   * When a new model replaces the champion: its {@code metric} on the champion's evaluation date
   * must beat the champion's by more than {@code margin}.
   */
  public record PromotionSettings(ModelMetric metric, double margin) {}

  /** Gradient-boosted trees hyper-parameters. */
  public record GbtSettings(int maxIter, int maxDepth, double stepSize, double subsamplingRate) {}

  /** Logistic regression hyper-parameters. */
  public record LogisticSettings(double regParam, double elasticNet, int maxIter) {}

  /**
   * Customer lifetime value ({@code churnlake.clv}): BG/NBD and Gamma-Gamma on purchase days of
   * {@code transactions}; CLV over {@code horizonMonths} 30-day months, discounted monthly, times
   * {@code margin}; {@code expectedPurchasesDays} is the window of the expected_purchases column.
   */
  public record ClvSettings(
      ClvModel model,
      int horizonMonths,
      double monthlyDiscountRate,
      double margin,
      int expectedPurchasesDays,
      int minCustomers,
      long maxGroups,
      int spendSignificantDigits,
      boolean acceptUnconverged,
      boolean nightly,
      String currency) {}

  /**
   * Risk and value tiers, the action of each risk-value cell, what actions cost and save, the
   * budget and the control group ({@code churnlake.segment}).
   */
  public record SegmentSettings(
      RiskTiers riskTiers,
      double mediumFrom,
      double highFrom,
      double mediumQuantile,
      double highQuantile,
      ValueSource valueSource,
      String revenueFeature,
      double valueMediumQuantile,
      double valueHighQuantile,
      Map<String, String> actionsBySegment,
      Map<String, RetentionAction> actions,
      OptionalDouble budget,
      double controlFraction,
      String campaignId,
      double saveRatePriorStrength,
      SaveRates saveRates,
      ControlPower control,
      Targeting targeting,
      UpliftLearner upliftLearner) {
    /** The tiers, low to high. */
    public static final List<String> TIERS = List.of("low", "medium", "high");

    /** These settings targeting otherwise. */
    public SegmentSettings withTargeting(Targeting other) {
      return withPlanning(other, budget, controlFraction);
    }

    /** These settings with another targeting, budget and control share. */
    public SegmentSettings withPlanning(
        Targeting other, OptionalDouble otherBudget, double otherControlFraction) {
      return new SegmentSettings(
          riskTiers,
          mediumFrom,
          highFrom,
          mediumQuantile,
          highQuantile,
          valueSource,
          revenueFeature,
          valueMediumQuantile,
          valueHighQuantile,
          actionsBySegment,
          actions,
          otherBudget,
          otherControlFraction,
          campaignId,
          saveRatePriorStrength,
          saveRates,
          control,
          other,
          upliftLearner);
    }

    /** These settings with other actions (the same names with learned save rates). */
    public SegmentSettings withActions(Map<String, RetentionAction> other) {
      return new SegmentSettings(
          riskTiers,
          mediumFrom,
          highFrom,
          mediumQuantile,
          highQuantile,
          valueSource,
          revenueFeature,
          valueMediumQuantile,
          valueHighQuantile,
          actionsBySegment,
          java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(other)),
          budget,
          controlFraction,
          campaignId,
          saveRatePriorStrength,
          saveRates,
          control,
          targeting,
          upliftLearner);
    }

    /** The actions-by-segment key of a cell, e.g. {@code high-value-high-risk}. */
    public static String cellKey(String valueTier, String riskTier) {
      return valueTier + "-value-" + riskTier + "-risk";
    }
  }

  /**
   * A retention action: its cost per targeted customer (in the value's currency), the share of
   * would-be churners it keeps, and words for people.
   */
  public record RetentionAction(double cost, double saveRate, String description) {}
}
