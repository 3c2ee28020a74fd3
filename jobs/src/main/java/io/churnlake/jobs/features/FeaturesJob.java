package io.churnlake.jobs.features;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code churnlake features --as-of D}: replaces the {@code customer_features} rows for D. */
public final class FeaturesJob {
  private FeaturesJob() {}

  public static long run(JobContext ctx, LocalDate asOf) {
    return ctx.stage(
        "features",
        () -> {
          History.spanUpTo(ctx, asOf);
          Dataset<Row> features =
              build(ctx, daily(ctx, History.eventsUpTo(ctx, asOf)), List.of(asOf));
          ctx.store()
              .replaceWhere(ChurnTable.CUSTOMER_FEATURES, features, History.asOfPredicate(asOf));
          return ctx.store()
              .read(ChurnTable.CUSTOMER_FEATURES)
              .where(History.asOfPredicate(asOf))
              .count();
        });
  }

  /** Canonical events aggregated per customer and day: what features and labels are built from. */
  public static Dataset<Row> daily(JobContext ctx, Dataset<Row> events) {
    return new AggregateDailyActivity(ctx.config().labels().churnEvent()).apply(events);
  }

  /**
   * Features for several as-of dates from daily activity (rows after a date are ignored for it).
   */
  public static Dataset<Row> build(JobContext ctx, Dataset<Row> daily, List<LocalDate> asOfDates) {
    return new BuildCustomerFeatures(ctx.config().features().windows())
        .apply(daily, History.asOfDates(ctx.spark(), asOfDates));
  }
}
