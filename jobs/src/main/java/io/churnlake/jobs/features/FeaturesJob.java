package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code churnlake features --as-of D}: replaces the {@code customer_features} rows for D with the
 * families whose tables exist: activity from {@code events}, purchases from {@code transactions},
 * attributes from {@code customers}.
 */
public final class FeaturesJob {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeaturesJob.class);

  private FeaturesJob() {}

  public static long run(JobContext ctx, LocalDate asOf) {
    return run(ctx, asOf, false);
  }

  /**
   * Features as of one date; {@code rebuildDaily} aggregates the daily tables from the whole
   * history first instead of only the days that changed ({@link DailyTables}).
   */
  public static long run(JobContext ctx, LocalDate asOf, boolean rebuildDaily) {
    return run(ctx, List.of(asOf), rebuildDaily).get(0).customers();
  }

  /**
   * Customers with features on one as-of date; {@code dataLagDays} > 0 when the data ends before
   * the date (its features age: recency keeps growing).
   */
  public record DateCount(LocalDate asOf, long customers, LocalDate dataEnd) {
    public long dataLagDays() {
      return Math.max(0, java.time.temporal.ChronoUnit.DAYS.between(dataEnd, asOf));
    }

    public String line() {
      return String.format("customer_features as of %s: %d customers", asOf, customers)
          + (dataLagDays() > 0
              ? String.format(
                  " (warning: the data ends on %s, %d days before: features age)",
                  dataEnd, dataLagDays())
              : "");
    }
  }

  /**
   * Features for several as-of dates in one pass over the history (one daily aggregate, one commit
   * replacing those dates' rows).
   */
  public static List<DateCount> run(JobContext ctx, List<LocalDate> asOfDates) {
    return run(ctx, asOfDates, false);
  }

  /** As {@link #run(JobContext, List)}, rebuilding the daily tables first when asked. */
  public static List<DateCount> run(
      JobContext ctx, List<LocalDate> asOfDates, boolean rebuildDaily) {
    List<LocalDate> dates = asOfDates.stream().sorted().distinct().toList();
    return ctx.stage(
        "features",
        () -> {
          LocalDate first = dates.get(0);
          LocalDate last = dates.get(dates.size() - 1);
          History.Span span = History.spanUpTo(ctx, last);
          if (first.isBefore(span.first())) {
            throw ChurnErrors.asOfBeforeData(
                History.historyTable(ctx).tableName(), first, span.first());
          }
          LocalDate dataEnd = span.last();
          if (dataEnd.isBefore(last)) {
            LOG.warn(
                "features: the data ends on {}, {} days before the as-of date {}; features age",
                dataEnd,
                java.time.temporal.ChronoUnit.DAYS.between(dataEnd, last),
                last);
          }
          if (rebuildDaily) {
            DailyTables.refreshAll(ctx, true);
          }
          Optional<Dataset<Row>> daily =
              ctx.store().exists(ChurnTable.EVENTS)
                  ? Optional.of(DailyTables.activityUpTo(ctx, last))
                  : Optional.empty();
          // Kept while written, so that counting the rows per date reads them from the cache, not
          // the table again.
          Dataset<Row> features = build(ctx, daily, dates).persist(StorageLevel.MEMORY_AND_DISK());
          java.util.Map<LocalDate, Long> counts = new java.util.TreeMap<>();
          dates.forEach(d -> counts.put(d, 0L));
          try {
            ctx.store()
                .replaceWhere(ChurnTable.CUSTOMER_FEATURES, features, History.asOfPredicate(dates));
            // One row per as-of date.
            for (Row r : features.groupBy(Columns.AS_OF_DATE).count().collectAsList()) {
              counts.put(r.getDate(0).toLocalDate(), r.getLong(1));
            }
          } finally {
            features.unpersist();
          }
          List<DateCount> out = new java.util.ArrayList<>();
          for (LocalDate d : dates) {
            out.add(new DateCount(d, counts.get(d), dataEnd.isBefore(d) ? dataEnd : d));
          }
          return out;
        });
  }

  /**
   * Canonical events aggregated per customer and day: what features and labels are built from (the
   * jobs read it from the {@code daily_activity} table, {@link DailyTables}, which this fills).
   */
  public static Dataset<Row> daily(JobContext ctx, Dataset<Row> events) {
    return daily(ctx, events, LevelCodes.in(events));
  }

  /** As {@link #daily(JobContext, Dataset)}, with the events' levels known. */
  static Dataset<Row> daily(JobContext ctx, Dataset<Row> events, LevelCodes levels) {
    return new AggregateDailyActivity(
            ctx.config().labels().churnEvent(), ctx.config().features().eventTypes(), levels)
        .apply(events);
  }

  /**
   * Features for several as-of dates from daily activity (rows after a date are ignored for it).
   */
  public static Dataset<Row> build(JobContext ctx, Dataset<Row> daily, List<LocalDate> asOfDates) {
    return build(ctx, Optional.of(daily), asOfDates);
  }

  /**
   * Features for several as-of dates: the activity family from {@code daily} when given, and the
   * purchase and attribute families when their tables exist; each reads only rows dated on or
   * before the latest of the dates, and each date only rows on or before itself.
   */
  public static Dataset<Row> build(
      JobContext ctx, Optional<Dataset<Row>> daily, List<LocalDate> asOfDates) {
    List<Integer> windows = ctx.config().features().windows();
    Dataset<Row> dates = History.asOfDates(ctx.spark(), asOfDates);
    Date last = Date.valueOf(Collections.max(asOfDates));
    Optional<Dataset<Row>> activity =
        daily.map(
            d ->
                new BuildCustomerFeatures(windows, ctx.config().features().eventTypes())
                    .withChurnedBefore(d, dates));
    Optional<Dataset<Row>> purchases = Optional.empty();
    if (ctx.store().exists(ChurnTable.TRANSACTIONS)) {
      purchases =
          Optional.of(
              new BuildPurchaseFeatures(windows)
                  .apply(DailyTables.purchasesUpTo(ctx, last.toLocalDate()), dates));
    }
    Optional<Dataset<Row>> attributes = Optional.empty();
    if (ctx.store().exists(ChurnTable.CUSTOMERS)) {
      Dataset<Row> customers =
          ctx.store().read(ChurnTable.CUSTOMERS).where(col("snapshot_date").leq(last));
      attributes = Optional.of(new CustomerAttributesAsOf().apply(customers, dates));
    }
    return new CombineFeatureFamilies().apply(activity, purchases, attributes);
  }
}
