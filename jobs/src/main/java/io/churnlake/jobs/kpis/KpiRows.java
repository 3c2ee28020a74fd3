package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The {@code churn_kpis} schema and the helpers that turn aggregates into its metric rows. */
public final class KpiRows {
  public static final String PERIOD_START = "period_start";
  public static final String PERIOD_END = "period_end";
  public static final String MATURE = "mature";
  public static final String DIMENSION = "dimension";
  public static final String DIMENSION_VALUE = "dimension_value";
  public static final String METRIC = "metric";
  public static final String VALUE = "value";
  public static final String STATUS = "status";
  public static final String NOTE = "note";
  public static final String GOAL_ID = "goal_id";
  public static final String TARGET = "target";
  public static final String ON_TRACK = "on_track";
  public static final String ALL = "all";

  /** Status of a value: complete, not yet complete, point-in-time, or without a denominator. */
  public static final String MATURE_STATUS = "mature";

  public static final String IMMATURE = "immature";
  public static final String SNAPSHOT = "snapshot";
  public static final String UNDEFINED = "undefined";

  /** churn_kpis, column by column (docs/kpis.md). */
  public static final StructType SCHEMA =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add("period_grain", DataTypes.StringType, false)
          .add(PERIOD_START, DataTypes.DateType, false)
          .add(PERIOD_END, DataTypes.DateType, false)
          .add(DIMENSION, DataTypes.StringType, false)
          .add(DIMENSION_VALUE, DataTypes.StringType, true)
          .add(METRIC, DataTypes.StringType, false)
          .add(VALUE, DataTypes.DoubleType, true)
          .add("lower", DataTypes.DoubleType, true)
          .add("upper", DataTypes.DoubleType, true)
          .add(STATUS, DataTypes.StringType, false)
          .add(NOTE, DataTypes.StringType, true)
          .add(GOAL_ID, DataTypes.StringType, true)
          .add(TARGET, DataTypes.DoubleType, true)
          .add(ON_TRACK, DataTypes.BooleanType, true)
          .add("run_id", DataTypes.StringType, false);

  private KpiRows() {}

  /** One metric of a row: name, value, confidence bounds (or null), status and note. */
  static Column metric(
      String name, Column value, Column lower, Column upper, Column status, Column note) {
    return struct(
        lit(name).as(METRIC),
        value.cast(DataTypes.DoubleType).as(VALUE),
        lower.cast(DataTypes.DoubleType).as("lower"),
        upper.cast(DataTypes.DoubleType).as("upper"),
        status.as(STATUS),
        note.cast(DataTypes.StringType).as(NOTE));
  }

  static Column metric(String name, Column value, Column status, Column note) {
    return metric(name, value, lit(null), lit(null), status, note);
  }

  /** A count or sum known once the period is over: null and immature before. */
  static Column flow(String name, Column count) {
    Column mature = col(MATURE);
    return metric(
        name,
        when(mature, count),
        when(mature, lit(MATURE_STATUS)).otherwise(lit(IMMATURE)),
        when(mature.unary_$bang(), lit("the period ends after the as-of date")));
  }

  /** numerator / denominator once the period is over; undefined (null) without a denominator. */
  static Column rate(String name, Column numerator, Column denominator, String emptyNote) {
    Column mature = col(MATURE);
    return metric(
        name,
        when(mature.and(denominator.gt(0)), numerator.divide(denominator)),
        when(mature.unary_$bang(), lit(IMMATURE))
            .when(denominator.leq(0), lit(UNDEFINED))
            .otherwise(lit(MATURE_STATUS)),
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
            col(PERIOD_START),
            col(PERIOD_END),
            col(DIMENSION),
            col(DIMENSION_VALUE),
            explode(org.apache.spark.sql.functions.array(metrics)).as("m"))
        .select(
            col(PERIOD_START),
            col(PERIOD_END),
            col(DIMENSION),
            col(DIMENSION_VALUE),
            col("m." + METRIC).as(METRIC),
            col("m." + VALUE).as(VALUE),
            col("m.lower").as("lower"),
            col("m.upper").as("upper"),
            col("m." + STATUS).as(STATUS),
            col("m." + NOTE).as(NOTE));
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
            .where(col(DIMENSION).equalTo(ALL))
            .collectAsList());
  }

  /** The rows under {@code all} of one date's KPI rows, by period, then metric. */
  public static java.util.List<Row> overall(java.util.List<Row> rowsOfTheDate) {
    return rowsOfTheDate.stream()
        .filter(r -> ALL.equals(r.getString(r.fieldIndex(DIMENSION))))
        .sorted(
            java.util.Comparator.comparing((Row r) -> r.getDate(r.fieldIndex(PERIOD_START)))
                .thenComparing(r -> r.getString(r.fieldIndex(METRIC))))
        .toList();
  }
}
