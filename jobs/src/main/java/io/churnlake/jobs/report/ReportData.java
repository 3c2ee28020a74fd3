package io.churnlake.jobs.report;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.model.ModelInfo;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;

/**
 * Everything the run report shows, already aggregated: KPI rows of dimension all (a few per
 * period), cohort cells (cohorts x months), the plan's per-segment summary (at most nine rows), the
 * scoring model and its top drivers, ingestion counts per source and quarantine counts per reason.
 * Bounded by periods, segments, features and sources, never by customers.
 *
 * @param kpis churn_kpis rows of the date with dimension all
 * @param cohorts cohort_retention rows of the date
 * @param segments segment_summary rows of the date
 * @param drivers churn_drivers rows of the scoring model and date, by rank
 * @param ingestion per source: source, files, rows_read, rows_loaded, rows_quarantined,
 *     rows_dropped, rows_blank, rows_filtered (files dated on or before the date)
 * @param quarantine per source and reason: source, reason, records
 * @param monitoring the model's realised performance and drift over time
 * @param campaigns the outcomes of past plans and what each action learned from them
 */
public record ReportData(
    LocalDate asOf,
    ChurnConfig config,
    List<Row> kpis,
    List<Row> cohorts,
    List<Row> segments,
    Optional<ModelInfo> model,
    List<Row> drivers,
    List<Row> ingestion,
    List<Row> quarantine,
    Monitoring monitoring,
    Campaigns campaigns) {

  /**
   * How the models fared after training, bounded by scored dates and features.
   *
   * @param realised model_evaluations rows of kind realised and metric roc_auc up to the date:
   *     model_version, as_of_date, value, by date
   * @param drift feature_drift rows of the date and the scoring model, most drifted first (at most
   *     ten): feature, psi, drifted, threshold
   * @param driftHistory per scored date and model up to the date: as_of_date, model_version,
   *     max_psi, drifted (features above the threshold), threshold; by date
   */
  public record Monitoring(List<Row> realised, List<Row> drift, List<Row> driftHistory) {
    public static final Monitoring NONE = new Monitoring(List.of(), List.of(), List.of());
  }

  /**
   * Treated against control per wave and action, and the save rates learned from them.
   *
   * @param outcomes campaign_outcomes rows of the date summed over segments per wave and action
   *     (see ReportJob#outcomes for the columns), by wave and action
   * @param effects action_effects rows of the date, by action
   * @param uplift the newest uplift_models row trained on or before the date, if any
   */
  public record Campaigns(List<Row> outcomes, List<Row> effects, java.util.Optional<Row> uplift) {
    public static final Campaigns NONE = new Campaigns(List.of(), List.of());

    public Campaigns(List<Row> outcomes, List<Row> effects) {
      this(outcomes, effects, java.util.Optional.empty());
    }
  }
}
