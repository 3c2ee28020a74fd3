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
          Dataset<Row> features = build(ctx, History.eventsUpTo(ctx, asOf), List.of(asOf));
          ctx.store()
              .replaceWhere(ChurnTable.CUSTOMER_FEATURES, features, History.asOfPredicate(asOf));
          return ctx.store()
              .read(ChurnTable.CUSTOMER_FEATURES)
              .where(History.asOfPredicate(asOf))
              .count();
        });
  }

  /** Features for several as-of dates from events that must already end on or before the last. */
  public static Dataset<Row> build(JobContext ctx, Dataset<Row> events, List<LocalDate> asOfDates) {
    Dataset<Row> daily =
        new AggregateDailyActivity(ctx.config().labels().churnEvent()).apply(events);
    return new BuildCustomerFeatures(ctx.config().features().windows())
        .apply(daily, History.asOfDates(ctx.spark(), asOfDates));
  }
}
