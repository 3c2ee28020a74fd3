package io.churnlake.jobs.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.kpis.CampaignOutcomes;
import io.churnlake.jobs.kpis.KpiRows;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.segment.SummariseSegments;
import io.churnlake.jobs.train.RealisedPerformance;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake report --as-of D [--path FILE]}: gathers the date's aggregates ({@link
 * ReportData}), renders them ({@link RenderReport}) and writes one HTML file, by default {@code
 * <warehouse>/_reports/churnlake-report-D.html}, through a temporary file renamed into place so a
 * reader never sees half a report.
 */
public final class ReportJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReportJob.class);

  private ReportJob() {}

  /** Where the report was written and its size. */
  public record Result(LocalDate asOf, String path, long bytes) {}

  public static String defaultPath(String warehouse, LocalDate asOf) {
    return new Path(new Path(warehouse, "_reports"), "churnlake-report-" + asOf + ".html")
        .toString();
  }

  public static Result run(JobContext ctx, LocalDate asOf, Optional<String> path) {
    return ctx.stage(
        "report",
        () -> {
          ReportData data = gather(ctx, asOf);
          String html = RenderReport.html(data);
          String target = path.orElse(defaultPath(ctx.config().warehouse(), asOf));
          write(ctx, target, html);
          byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
          LOG.info("report as of {}: {} ({} bytes)", asOf, target, bytes.length);
          return new Result(asOf, target, bytes.length);
        });
  }

  static ReportData gather(JobContext ctx, LocalDate asOf) {
    String onDate = History.asOfPredicate(asOf);
    requireRows(ctx, asOf, onDate);
    // Every list below is bounded by periods, cohorts, segments, features or sources.
    List<Row> kpis = KpiRows.overall(ctx.store(), asOf);
    List<Row> cohorts =
        ctx.store().exists(ChurnTable.COHORT_RETENTION)
            ? ctx.store()
                .read(ChurnTable.COHORT_RETENTION)
                .where(onDate)
                .orderBy("cohort_month", "period_offset")
                .collectAsList()
            : List.of();
    List<Row> segments =
        ctx.store().exists(ChurnTable.SEGMENT_SUMMARY)
            ? ctx.store()
                .read(ChurnTable.SEGMENT_SUMMARY)
                .where(onDate)
                .orderBy(SummariseSegments.displayOrder())
                .collectAsList()
            : List.of();
    List<Row> versions =
        ctx.store()
            .read(ChurnTable.CHURN_SCORES)
            .where(onDate)
            .select(Columns.MODEL_VERSION)
            .distinct()
            .collectAsList();
    Optional<ModelInfo> model =
        versions.size() == 1
            ? new ModelRegistry(
                    ctx.config().warehouse(), ctx.spark().sparkContext().hadoopConfiguration())
                .find(versions.get(0).getString(0))
            : Optional.empty();
    List<Row> drivers =
        model.isPresent() && ctx.store().exists(ChurnTable.CHURN_DRIVERS)
            ? ctx.store()
                .read(ChurnTable.CHURN_DRIVERS)
                .where(onDate)
                .where(col(Columns.MODEL_VERSION).equalTo(model.get().version()))
                .orderBy("rank")
                .limit(10)
                .collectAsList()
            : List.of();
    List<Row> ingestion = ingestion(ctx, asOf);
    List<Row> quarantine = quarantine(ctx);
    return new ReportData(
        asOf,
        ctx.config(),
        kpis,
        cohorts,
        segments,
        model,
        drivers,
        ingestion,
        quarantine,
        monitoring(ctx, asOf, model),
        campaigns(ctx, asOf));
  }

  /** Scored dates the report's monitoring charts go back, at most. */
  static final int MONITORED_DATES = 180;

  /**
   * Realised ROC AUC of every model on scored dates up to D, the scoring model's drift on D, and
   * the largest drift of each scored date up to D (bounded by {@link #MONITORED_DATES}).
   */
  private static ReportData.Monitoring monitoring(
      JobContext ctx, LocalDate asOf, Optional<ModelInfo> model) {
    Column upTo = col(Columns.AS_OF_DATE).leq(lit(Date.valueOf(asOf)));
    List<Row> realised =
        ctx.store().exists(ChurnTable.MODEL_EVALUATIONS)
            ? latestRows(
                ctx.store()
                    .read(ChurnTable.MODEL_EVALUATIONS)
                    .where(upTo)
                    .where(col("kind").equalTo(RealisedPerformance.REALISED))
                    .where(col("metric").equalTo("roc_auc"))
                    .select(col(Columns.MODEL_VERSION), col(Columns.AS_OF_DATE), col("value")))
            : List.of();
    if (!ctx.store().exists(ChurnTable.FEATURE_DRIFT)) {
      return new ReportData.Monitoring(realised, List.of(), List.of());
    }
    Dataset<Row> drift = ctx.store().read(ChurnTable.FEATURE_DRIFT).where(upTo);
    List<Row> today =
        model.isEmpty()
            ? List.of()
            : drift
                .where(col(Columns.AS_OF_DATE).equalTo(lit(Date.valueOf(asOf))))
                .where(col(Columns.MODEL_VERSION).equalTo(model.get().version()))
                .orderBy(col("psi").desc(), col("feature"))
                .select("feature", "psi", "drifted", "threshold")
                .limit(10)
                .collectAsList();
    List<Row> history =
        latestRows(
            drift
                .groupBy(col(Columns.AS_OF_DATE), col(Columns.MODEL_VERSION))
                .agg(
                    functions.max("psi").as("max_psi"),
                    sum(col("drifted").cast("int")).as("drifted"),
                    functions.max("threshold").as("threshold")));
    return new ReportData.Monitoring(realised, today, history);
  }

  /** The {@link #MONITORED_DATES} rows with the latest as-of dates, returned oldest first. */
  private static List<Row> latestRows(Dataset<Row> rows) {
    List<Row> latest =
        new java.util.ArrayList<>(
            rows.orderBy(col(Columns.AS_OF_DATE).desc()).limit(MONITORED_DATES).collectAsList());
    java.util.Collections.reverse(latest);
    return latest;
  }

  /** D's campaign outcomes per wave and action, and D's learned save rates. */
  private static ReportData.Campaigns campaigns(JobContext ctx, LocalDate asOf) {
    Column onDate = col(Columns.AS_OF_DATE).equalTo(lit(Date.valueOf(asOf)));
    List<Row> outcomes =
        ctx.store().exists(ChurnTable.CAMPAIGN_OUTCOMES)
            ? CampaignOutcomes.perAction(
                    ctx.store().read(ChurnTable.CAMPAIGN_OUTCOMES).where(onDate), asOf)
                .collectAsList()
            : List.of();
    List<Row> effects =
        ctx.store().exists(ChurnTable.ACTION_EFFECTS)
            ? ctx.store()
                .read(ChurnTable.ACTION_EFFECTS)
                .where(onDate)
                .orderBy("action")
                .collectAsList()
            : List.of();
    java.util.Optional<Row> uplift =
        ctx.store().exists(ChurnTable.UPLIFT_MODELS)
            ? ctx
                .store()
                .read(ChurnTable.UPLIFT_MODELS)
                .where(col(Columns.AS_OF_DATE).leq(lit(Date.valueOf(asOf))))
                .orderBy(col(Columns.MODEL_VERSION).desc())
                .limit(1)
                .collectAsList()
                .stream()
                .findFirst()
            : java.util.Optional.empty();
    return new ReportData.Campaigns(outcomes, effects, uplift);
  }

  /** D's scores and KPIs must exist: the report is about them. */
  private static void requireRows(JobContext ctx, LocalDate asOf, String onDate) {
    for (ChurnTable t : List.of(ChurnTable.CHURN_SCORES, ChurnTable.CHURN_KPIS)) {
      if (!ctx.store().exists(t) || ctx.store().read(t).where(onDate).isEmpty()) {
        throw ChurnErrors.noRowsForDate(
            t.tableName(),
            asOf,
            "run 'churnlake "
                + (t == ChurnTable.CHURN_SCORES ? "score" : "kpis")
                + " --as-of "
                + asOf
                + "' (or nightly) first");
      }
    }
  }

  /** Per source: files, and records read, loaded, quarantined and dropped, up to D. */
  private static List<Row> ingestion(JobContext ctx, LocalDate asOf) {
    if (!ctx.store().exists(ChurnTable.INGESTED_FILES)) {
      return List.of();
    }
    Column[] sums =
        List.of(
                "rows_read",
                "rows_loaded",
                "rows_quarantined",
                "rows_dropped",
                "rows_blank",
                "rows_filtered")
            .stream()
            .map(c -> coalesce(sum(c), lit(0L)).cast(DataTypes.LongType).as(c))
            .toArray(Column[]::new);
    Column[] all = new Column[sums.length + 1];
    all[0] = count(lit(1)).as("files");
    System.arraycopy(sums, 0, all, 1, sums.length);
    Dataset<Row> files =
        ctx.store()
            .read(ChurnTable.INGESTED_FILES)
            .where(col("file_date").isNull().or(col("file_date").leq(lit(Date.valueOf(asOf)))));
    return files
        .groupBy("source")
        .agg(all[0], java.util.Arrays.copyOfRange(all, 1, all.length))
        .orderBy("source")
        .collectAsList();
  }

  /** Quarantined records per source and reason. */
  private static List<Row> quarantine(JobContext ctx) {
    return ctx.store().exists(ChurnTable.QUARANTINE)
        ? ctx.store()
            .read(ChurnTable.QUARANTINE)
            .groupBy("source", "reason")
            .agg(count(lit(1)).as("records"))
            .orderBy("source", "reason")
            .collectAsList()
        : List.of();
  }

  private static void write(JobContext ctx, String target, String html) {
    try {
      Path file = new Path(target);
      FileSystem fs = file.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
      Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
      fs.mkdirs(file.getParent());
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(html.getBytes(StandardCharsets.UTF_8));
      }
      fs.delete(file, false);
      if (!fs.rename(tmp, file)) {
        throw new IOException("cannot rename " + tmp + " to " + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
