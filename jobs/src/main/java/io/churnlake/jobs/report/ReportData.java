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
    List<Row> quarantine) {}
