package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import io.churnlake.jobs.tables.KpiColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The helpers that turn aggregates into {@code churn_kpis} metric rows (its columns and schema:
 * {@link KpiColumns}).
 */
public final class KpiRows {

  private KpiRows() {}

  /** One metric of a row: name, value, confidence bounds (or null), status and note. */
  static Column metric(
      String name, Column value, Column lower, Column upper, Column status, Column note) {
    return struct(
        lit(name).as(KpiColumns.METRIC),
        value.cast(DataTypes.DoubleType).as(KpiColumns.VALUE),
        lower.cast(DataTypes.DoubleType).as("lower"),
        upper.cast(DataTypes.DoubleType).as("upper"),
        status.as(KpiColumns.STATUS),
        note.cast(DataTypes.StringType).as(KpiColumns.NOTE));
  }

  static Column metric(String name, Column value, Column status, Column note) {
    return metric(name, value, lit(null), lit(null), status, note);
  }

  /** A count or sum known once the period is over: null and immature before. */
  static Column flow(String name, Column count) {
    Column mature = col(KpiColumns.MATURE);
    return metric(
        name,
        when(mature, count),
        when(mature, lit(KpiColumns.MATURE_STATUS)).otherwise(lit(KpiColumns.IMMATURE)),
        when(mature.unary_$bang(), lit("the period ends after the as-of date")));
  }

  /** numerator / denominator once the period is over; undefined (null) without a denominator. */
  static Column rate(String name, Column numerator, Column denominator, String emptyNote) {
    Column mature = col(KpiColumns.MATURE);
    return metric(
        name,
        when(mature.and(denominator.gt(0)), numerator.divide(denominator)),
        when(mature.unary_$bang(), lit(KpiColumns.IMMATURE))
            .when(denominator.leq(0), lit(KpiColumns.UNDEFINED))
            .otherwise(lit(KpiColumns.MATURE_STATUS)),
        when(mature.unary_$bang(), lit("the period ends after the as-of date"))
            .when(denominator.leq(0), lit(emptyNote)));
  }

  /**
   * Rows of {@code aggregates} (with period_start, period_end, dimension, dimension_value) times
   * {@code metrics}: one output row per metric, in the order of {@link #SCHEMA} without the run's
   * columns (as_of_date, period_grain, goal columns, run_id).
   */
  static Dataset<Row> explodeMetrics(Dataset<Row> aggregates, Column... metrics) {
    return aggregates
        .select(
            col(KpiColumns.PERIOD_START),
            col(KpiColumns.PERIOD_END),
            col(KpiColumns.DIMENSION),
            col(KpiColumns.DIMENSION_VALUE),
            explode(org.apache.spark.sql.functions.array(metrics)).as("m"))
        .select(
            col(KpiColumns.PERIOD_START),
            col(KpiColumns.PERIOD_END),
            col(KpiColumns.DIMENSION),
            col(KpiColumns.DIMENSION_VALUE),
            col("m." + KpiColumns.METRIC).as(KpiColumns.METRIC),
            col("m." + KpiColumns.VALUE).as(KpiColumns.VALUE),
            col("m.lower").as("lower"),
            col("m.upper").as("upper"),
            col("m." + KpiColumns.STATUS).as(KpiColumns.STATUS),
            col("m." + KpiColumns.NOTE).as(KpiColumns.NOTE));
  }

  /**
   * D's rows of {@code churn_kpis} for dimension {@code all}, by period and metric: a few metrics
   * per period, bounded by the calendar, not by customers (the printed summary and the report).
   */
  public static java.util.List<Row> overall(
      io.churnlake.common.table.TableStore store, java.time.LocalDate asOf) {
    return overall(
        store
            .read(io.churnlake.common.table.ChurnTable.CHURN_KPIS)
            .where(io.churnlake.jobs.History.asOfPredicate(asOf))
            .where(col(KpiColumns.DIMENSION).equalTo(KpiColumns.ALL))
            .collectAsList());
  }

  /** The rows under {@code all} of one date's KPI rows, by period, then metric. */
  public static java.util.List<Row> overall(java.util.List<Row> rowsOfTheDate) {
    return rowsOfTheDate.stream()
        .filter(r -> KpiColumns.ALL.equals(r.getString(r.fieldIndex(KpiColumns.DIMENSION))))
        .sorted(
            java.util.Comparator.comparing(
                    (Row r) -> r.getDate(r.fieldIndex(KpiColumns.PERIOD_START)))
                .thenComparing(r -> r.getString(r.fieldIndex(KpiColumns.METRIC))))
        .toList();
  }
}
