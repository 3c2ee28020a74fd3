package io.churnlake.jobs;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Reads of the events history that several stages share. */
public final class History {
  private History() {}

  /** The first and last event dates on or before {@code asOf}. */
  public record Span(LocalDate first, LocalDate last) {}

  /** Events with event date on or before {@code asOf}. */
  public static Dataset<Row> eventsUpTo(JobContext ctx, LocalDate asOf) {
    return ctx.store()
        .read(ChurnTable.EVENTS)
        .where(col(Columns.EVENT_DATE).leq(Date.valueOf(asOf)));
  }

  /** The span of all event dates; fails when there are no events. */
  public static Span span(JobContext ctx) {
    return spanUpTo(ctx, LocalDate.of(9999, 12, 31));
  }

  /**
   * The span of dates on or before {@code asOf} in the history the pipeline reads: {@code events}
   * when it exists, else {@code transactions}, else the {@code customers} snapshots. Fails naming
   * the table and date when there is none.
   */
  public static Span spanUpTo(JobContext ctx, LocalDate asOf) {
    if (List.of(ChurnTable.EVENTS, ChurnTable.TRANSACTIONS, ChurnTable.CUSTOMERS).stream()
        .noneMatch(ctx.store()::exists)) {
      throw ChurnErrors.noDataBefore(ChurnTable.EVENTS.tableName(), asOf);
    }
    return spanUpTo(ctx, historyTable(ctx), asOf);
  }

  /**
   * The span of dates on or before {@code asOf} in {@code table} ({@code snapshot_date} for
   * customers, else {@code event_date}). Fails when the table is missing or empty, or when {@code
   * asOf} is before its first date (naming that date).
   */
  public static Span spanUpTo(JobContext ctx, ChurnTable table, LocalDate asOf) {
    if (!ctx.store().exists(table)) {
      throw ChurnErrors.tableMissing(
          table.tableName(),
          ctx.store().location(table),
          "ingest a source of kind " + table.tableName() + " first");
    }
    // From the table's log: one value per date partition, no data file read, no Spark job.
    List<LocalDate> dates =
        ctx.store().partitionValues(table).stream().map(LocalDate::parse).sorted().toList();
    if (dates.isEmpty()) {
      throw ChurnErrors.noDataBefore(table.tableName(), asOf);
    }
    List<LocalDate> upTo = dates.stream().filter(d -> !d.isAfter(asOf)).toList();
    if (upTo.isEmpty()) {
      throw ChurnErrors.asOfBeforeData(table.tableName(), asOf, dates.get(0));
    }
    return new Span(upTo.get(0), upTo.get(upTo.size() - 1));
  }

  /** The table whose dates define the history: events, else transactions, else customers. */
  public static ChurnTable historyTable(JobContext ctx) {
    for (ChurnTable t : List.of(ChurnTable.EVENTS, ChurnTable.TRANSACTIONS, ChurnTable.CUSTOMERS)) {
      if (ctx.store().exists(t)) {
        return t;
      }
    }
    throw ChurnErrors.tableMissing(
        "events",
        ctx.store().location(ChurnTable.EVENTS),
        "ingest a source first (no events, transactions or customers table)");
  }

  /** A one-column frame of as-of dates, the shape the feature and label transforms take. */
  public static Dataset<Row> asOfDates(SparkSession spark, List<LocalDate> dates) {
    StructType schema = new StructType().add(Columns.AS_OF_DATE, DataTypes.DateType, false);
    List<Row> rows =
        dates.stream().map(d -> RowFactory.create(Date.valueOf(d))).collect(Collectors.toList());
    return spark.createDataFrame(rows, schema);
  }

  /** The replaceWhere predicate for a set of as-of date partitions. */
  public static String asOfPredicate(List<LocalDate> dates) {
    return dates.size() == 1
        ? asOfPredicate(dates.get(0))
        : datesPredicate(Columns.AS_OF_DATE, dates);
  }

  /** {@code column IN (DATE'...', ...)}: a replaceWhere predicate over date partitions. */
  public static String datesPredicate(String column, List<LocalDate> dates) {
    return column
        + " IN ("
        + dates.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", "))
        + ")";
  }

  /**
   * D's {@code churn_scores} rows; fails naming the table and the date when score has not run for D
   * ({@code needs}: who needs them, prefixed to "run 'churnlake score --as-of D' first").
   */
  public static Dataset<Row> scoresOn(JobContext ctx, LocalDate asOf, String needs) {
    String onDate = asOfPredicate(asOf);
    if (!ctx.store().exists(ChurnTable.CHURN_SCORES)
        || ctx.store().read(ChurnTable.CHURN_SCORES).where(onDate).isEmpty()) {
      throw ChurnErrors.noRowsForDate(
          ChurnTable.CHURN_SCORES.tableName(),
          asOf,
          needs + "run 'churnlake score --as-of " + asOf + "' first");
    }
    return ctx.store().read(ChurnTable.CHURN_SCORES).where(onDate);
  }

  /** The replaceWhere predicate for one as-of date partition. */
  public static String asOfPredicate(LocalDate asOf) {
    return Columns.AS_OF_DATE + " = DATE'" + asOf + "'";
  }
}
