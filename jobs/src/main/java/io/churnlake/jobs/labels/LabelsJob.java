package io.churnlake.jobs.labels;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.FeaturesJob;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code churnlake labels --as-of D}: replaces the {@code churn_labels} rows for D; refuses a date
 * whose horizon runs past the end of the data (those customers are censored, not retained).
 */
public final class LabelsJob {
  private LabelsJob() {}

  public static long run(JobContext ctx, LocalDate asOf) {
    return ctx.stage(
        "labels",
        () -> {
          int horizon = ctx.config().labels().horizonDays();
          History.spanUpTo(ctx, asOf);
          History.Span span = History.span(ctx);
          if (asOf.plusDays(horizon).isAfter(span.last())) {
            throw ChurnErrors.labelsNotMature(asOf, horizon, span.last());
          }
          Dataset<Row> daily =
              FeaturesJob.daily(ctx, History.eventsUpTo(ctx, asOf.plusDays(horizon)));
          Dataset<Row> labels = build(ctx, daily, List.of(asOf));
          ctx.store().replaceWhere(ChurnTable.CHURN_LABELS, labels, History.asOfPredicate(asOf));
          return ctx.store()
              .read(ChurnTable.CHURN_LABELS)
              .where(History.asOfPredicate(asOf))
              .count();
        });
  }

  /** Labels for mature as-of dates from events that reach at least the last date plus horizon. */
  public static Dataset<Row> build(JobContext ctx, Dataset<Row> daily, List<LocalDate> asOfDates) {
    return new BuildChurnLabels(ctx.config().labels().horizonDays())
        .apply(daily, History.asOfDates(ctx.spark(), asOfDates));
  }
}
