package io.churnlake.common.table;

import java.util.Optional;

/** The logical tables churnlake owns. Jobs name these, never paths. */
public enum ChurnTable {
  /** Canonical interaction events, one row per event, partitioned by event date. */
  EVENTS("events", "event_date"),
  /** Canonical order lines (purchases, cancellations, returns), partitioned by event date. */
  TRANSACTIONS("transactions", "event_date"),
  /** Customer attributes per snapshot date, with the given churn flag when a source has one. */
  CUSTOMERS("customers", "snapshot_date"),
  /** Raw records that did not become events, with the reason; can hold personal data. */
  QUARANTINE("quarantine", null),
  /** One row per source file ingested: the ingest ledger that makes ingestion incremental. */
  INGESTED_FILES("ingested_files", null),
  /**
   * Events aggregated per customer and day (activity counts, sessions, billed amount, level),
   * partitioned by event date; kept up to date with {@code events} before each read.
   */
  DAILY_ACTIVITY("daily_activity", "event_date"),
  /**
   * Transactions aggregated per customer and day (orders, amounts, returns, cancellations),
   * partitioned by event date; kept up to date with {@code transactions} before each read.
   */
  DAILY_PURCHASES("daily_purchases", "event_date"),
  /** Per-customer features as of a date. */
  CUSTOMER_FEATURES("customer_features", "as_of_date"),
  /** Churn labels as of a date (churned within the horizon after it). */
  CHURN_LABELS("churn_labels", "as_of_date"),
  /** Churn probabilities as of a date with the model version that produced them. */
  CHURN_SCORES("churn_scores", "as_of_date"),
  /**
   * The retention plan per customer as of a date: risk and value tiers, segment, action, expected
   * net value, targeting (targeted, control, none) and drivers.
   */
  RISK_SEGMENTS("risk_segments", "as_of_date"),
  /** Per as-of date and segment: customers, value at risk, targeted, cost, expected net value. */
  SEGMENT_SUMMARY("segment_summary", "as_of_date"),
  /** Per-model, per-date evaluation metrics, by kind (holdout, champion_comparison, ...). */
  MODEL_EVALUATIONS("model_evaluations", null),
  /** The model registry: one row per trained model with its inputs, metrics and status. */
  MODELS("models", null),
  /** Hyper-parameter search candidates per model version: parameters, validation, metric. */
  MODEL_SEARCH("model_search", null),
  /** Global churn drivers per model version and as-of date. */
  CHURN_DRIVERS("churn_drivers", null),
  /**
   * Population stability of each feature of a scored snapshot against the model's training rows.
   */
  FEATURE_DRIFT("feature_drift", null),
  /** Per-customer lifetime value as of a date: P(alive), expected purchases and spend, CLV. */
  CUSTOMER_VALUE("customer_value", "as_of_date"),
  /** Fitted BG/NBD and Gamma-Gamma parameters per as-of date, with standard errors. */
  CLV_MODELS("clv_models", null),
  /**
   * KPIs per period and dimension as computed on an as-of date: churn and retention rates, counts,
   * repeat purchase rate, CLV, revenue at risk, treated vs control churn, goal tracking.
   */
  CHURN_KPIS("churn_kpis", "as_of_date"),
  /** Monthly cohorts' retention and Kaplan-Meier survival as computed on an as-of date. */
  COHORT_RETENTION("cohort_retention", "as_of_date"),
  /**
   * Each campaign wave's outcome per action and segment, as measured on an as-of date: treated and
   * control churn, the effect with its interval, the realised against the expected net value.
   */
  CAMPAIGN_OUTCOMES("campaign_outcomes", "as_of_date"),
  /** Each retention action's save rate learned from matured waves, as of a date. */
  ACTION_EFFECTS("action_effects", "as_of_date"),
  /** The uplift model registry's index: each model's waves, features and Qini evaluation. */
  UPLIFT_MODELS("uplift_models", null),
  /** Each customer's predicted uplift per retention action, as of a date. */
  UPLIFT_SCORES("uplift_scores", "as_of_date"),
  /** The generator's true churn probabilities (synthetic data only). */
  GENERATED_TRUTH("generated_truth", "as_of_date"),
  /** The generator's true effect of each planned retention action (synthetic data only). */
  GENERATED_EFFECTS("generated_effects", "as_of_date"),
  /** The run ledger: one row per stage start and end of every command run. */
  PIPELINE_RUNS("pipeline_runs", null),
  /** Leases that keep two runs of the same command and date from running at once. */
  PIPELINE_LEASES("pipeline_leases", null);

  private final String tableName;
  private final String partitionColumn;

  ChurnTable(String tableName, String partitionColumn) {
    this.tableName = tableName;
    this.partitionColumn = partitionColumn;
  }

  /** The run ledger and the leases: they record runs rather than hold the pipeline's data. */
  public boolean operational() {
    return this == PIPELINE_RUNS || this == PIPELINE_LEASES;
  }

  /** The name SQL users see, e.g. {@code risk_segments}. */
  public String tableName() {
    return tableName;
  }

  public Optional<String> partitionColumn() {
    return Optional.ofNullable(partitionColumn);
  }

  /**
   * The columns a new table keeps Delta file statistics for, when not its first three (the session
   * default, {@code ChurnSpark}): the columns its deletes and reads filter on, so that Delta skips
   * the files that cannot match instead of reading them. Quarantine's purge filters on {@code
   * quarantined_at}, its eighth column.
   */
  public Optional<String> statsColumns() {
    return this == QUARANTINE
        ? Optional.of("source,source_file,customer_id,quarantined_at")
        : Optional.empty();
  }
}
