package io.churnlake.jobs.labels;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfig.LabelDefinition;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code churnlake labels --as-of D} (or several dates): builds labels by the configured definition
 * (explicit churn event, inactivity, or a given flag), replaces the {@code churn_labels} rows of
 * those dates with the labelled customers, and counts the ones left unlabelled: censored (the
 * horizon ends after the data) or without a flag. A run in which no customer can be labelled fails
 * saying why instead of writing nothing silently.
 */
public final class LabelsJob {
  private LabelsJob() {}

  /** Per as-of date: customers labelled (churned or retained) and left unlabelled. */
  public record DateCounts(LocalDate asOf, long churned, long retained, long unlabelled) {
    public long labelled() {
      return churned + retained;
    }
  }

  /**
   * What a run wrote. {@code unlabelledReason} says why customers have no label: "censored"
   * (explicit, inactivity) or "without a churn flag" (given).
   */
  public record Result(
      LabelDefinition definition,
      int horizonDays,
      String table,
      LocalDate dataEnd,
      String unlabelledReason,
      List<DateCounts> dates) {
    public long labelled() {
      return dates.stream().mapToLong(DateCounts::labelled).sum();
    }

    /** One line per as-of date, for the command's output. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      String how =
          definition == LabelDefinition.GIVEN
              ? "given flag in " + table
              : definition.id() + ", " + horizonDays + "-day horizon, " + table + " to " + dataEnd;
      for (DateCounts d : dates) {
        out.add(
            String.format(
                "churn_labels as of %s (%s): %d labelled (%d churned, %d retained), %d %s",
                d.asOf(),
                how,
                d.labelled(),
                d.churned(),
                d.retained(),
                d.unlabelled(),
                unlabelledReason));
      }
      return out;
    }
  }

  public static Result run(JobContext ctx, LocalDate asOf) {
    return run(ctx, List.of(asOf));
  }

  public static Result run(JobContext ctx, List<LocalDate> asOfDates) {
    List<LocalDate> dates = asOfDates.stream().sorted().distinct().collect(Collectors.toList());
    return ctx.stage(
        "labels",
        () -> {
          Labelled l = build(ctx, dates, NO_LIMIT, java.util.Optional.empty());
          Dataset<Row> all = l.rows().persist(StorageLevel.MEMORY_AND_DISK());
          try {
            Map<LocalDate, DateCounts> counts = new TreeMap<>();
            dates.forEach(d -> counts.put(d, new DateCounts(d, 0, 0, 0)));
            Column churned = col(Columns.CHURNED);
            // One row per as-of date: bounded by the dates asked for, not by customers.
            for (Row r :
                all.groupBy(Columns.AS_OF_DATE)
                    .agg(
                        sum(when(churned, 1).otherwise(0)),
                        sum(when(churned.unary_$bang(), 1).otherwise(0)),
                        sum(when(churned.isNull(), 1).otherwise(0)))
                    .collectAsList()) {
              LocalDate d = r.getDate(0).toLocalDate();
              counts.put(d, new DateCounts(d, r.getLong(1), r.getLong(2), r.getLong(3)));
            }
            Result result =
                new Result(
                    l.definition(),
                    ctx.config().labels().horizonDays(),
                    l.table(),
                    l.dataEnd(),
                    l.definition() == LabelDefinition.GIVEN ? "without a churn flag" : "censored",
                    List.copyOf(counts.values()));
            String when = dates.size() == 1 ? dates.get(0).toString() : dates.toString();
            if (result.labelled() == 0) {
              long unlabelled = counts.values().stream().mapToLong(DateCounts::unlabelled).sum();
              if (unlabelled > 0 && l.definition() != LabelDefinition.GIVEN) {
                throw ChurnErrors.allCensored(
                    when, unlabelled, ctx.config().labels().horizonDays(), l.table(), l.dataEnd());
              }
              throw ChurnErrors.noLabels(
                  when,
                  unlabelled > 0
                      ? unlabelled + " customers of '" + l.table() + "' have no churn flag"
                      : "no customer of '"
                          + l.table()
                          + "' is live on "
                          + (dates.size() == 1 ? "it" : "them"));
            }
            ctx.store()
                .replaceWhere(
                    ChurnTable.CHURN_LABELS,
                    all.where(churned.isNotNull()),
                    History.asOfPredicate(dates));
            return result;
          } finally {
            all.unpersist();
          }
        });
  }

  /** Label rows (churned null: unlabelled) and where they come from. */
  public record Labelled(
      Dataset<Row> rows, LabelDefinition definition, String table, LocalDate dataEnd) {}

  private static final LocalDate NO_LIMIT = LocalDate.of(9999, 12, 31);

  /**
   * Labels for {@code dates} by the configured definition, unlabelled customers included with
   * {@code churned} null, from data dated on or before {@code upTo} only (a model trained as of a
   * date must not see later data). Fails naming the table when the definition's table was never
   * ingested.
   *
   * @param daily the events' daily aggregate when the caller has it (explicit labels use it instead
   *     of reading the events again); rows after {@code upTo} must not be in it
   */
  public static Labelled build(
      JobContext ctx,
      List<LocalDate> dates,
      LocalDate upTo,
      java.util.Optional<Dataset<Row>> daily) {
    ChurnConfig.LabelSettings s = ctx.config().labels();
    Dataset<Row> asOf = History.asOfDates(ctx.spark(), dates);
    return ChurnDefinition.of(s).label(ctx, dates, upTo, daily, asOf);
  }

  /** The table's last date; fails when it is missing or starts after the first as-of date. */
  static LocalDate dataEnd(JobContext ctx, ChurnTable table, List<LocalDate> dates) {
    requireTable(ctx, table);
    // One aggregation: the table's whole span, checked against the first as-of date.
    History.Span span = History.spanUpTo(ctx, table, NO_LIMIT);
    LocalDate first = Collections.min(dates);
    if (first.isBefore(span.first())) {
      throw ChurnErrors.asOfBeforeData(table.tableName(), first, span.first());
    }
    return span.last();
  }

  static void requireTable(JobContext ctx, ChurnTable table) {
    if (!ctx.store().exists(table)) {
      throw ChurnErrors.tableMissing(
          table.tableName(),
          ctx.store().location(table),
          "labels.definition = "
              + ctx.config().labels().definition().id()
              + " reads it; ingest a source of kind "
              + table.tableName()
              + " first, or choose another churnlake.labels.definition");
    }
  }

  static LocalDate min(LocalDate a, LocalDate b) {
    return a.isBefore(b) ? a : b;
  }
}
