package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Goal tracking: for each configured goal, the goal's metric under dimension all in every period
 * from the baseline to the deadline is repeated with {@code goal_id}, {@code target} (the straight
 * path from the baseline period's value to the goal's value at the deadline) and {@code on_track}
 * (at or below the path for a goal that lowers the metric, at or above it for one that raises it;
 * null while the value or the baseline's value is null, with the reason in the note). Metric rows
 * are kept as they are (goal_id null). Pure transform.
 */
public final class TrackGoals {
  private static final StructType GOALS =
      new StructType()
          .add("g_id", DataTypes.StringType)
          .add("g_text", DataTypes.StringType)
          .add("g_metric", DataTypes.StringType)
          .add("g_relative", DataTypes.BooleanType)
          .add("g_change", DataTypes.DoubleType)
          .add("g_baseline", DataTypes.DateType)
          .add("g_deadline", DataTypes.DateType);

  private TrackGoals() {}

  /**
   * @param kpis rows in {@link KpiRows#explodeMetrics} layout
   */
  public static Dataset<Row> apply(
      SparkSession spark,
      Dataset<Row> kpis,
      List<ChurnConfig.Goal> goals,
      ChurnConfig.KpiGrain grain) {
    Dataset<Row> plain =
        kpis.withColumn(KpiColumns.GOAL_ID, lit(null).cast(DataTypes.StringType))
            .withColumn(KpiColumns.TARGET, lit(null).cast(DataTypes.DoubleType))
            .withColumn(KpiColumns.ON_TRACK, lit(null).cast(DataTypes.BooleanType));
    if (goals.isEmpty()) {
      return plain;
    }
    Dataset<Row> goalRows = broadcast(spark.createDataFrame(goalRows(goals), GOALS));
    Dataset<Row> overall = kpis.where(col(KpiColumns.DIMENSION).equalTo(KpiColumns.ALL));
    Column period = col(KpiColumns.PERIOD_START);
    Dataset<Row> baselines =
        overall
            .join(
                goalRows,
                col(KpiColumns.METRIC)
                    .equalTo(col("g_metric"))
                    .and(period.equalTo(col("g_baseline"))))
            .select(col("g_id").as("b_id"), col(KpiColumns.VALUE).as("b_value"));
    Column b = col("b_value");
    Column goalValue =
        when(col("g_relative"), b.multiply(lit(1).plus(col("g_change"))))
            .otherwise(b.plus(col("g_change")));
    Column target = target(grain, period, b, goalValue);
    Column value = col(KpiColumns.VALUE);
    Column lowers = col("g_change").lt(0);
    Column onTrack =
        when(
            value.isNotNull().and(b.isNotNull()),
            when(lowers, value.leq(target)).otherwise(value.geq(target)));
    Column note = note(b, goalValue);
    Dataset<Row> tracked =
        overall
            .join(
                goalRows,
                col(KpiColumns.METRIC)
                    .equalTo(col("g_metric"))
                    .and(period.geq(col("g_baseline")))
                    .and(period.leq(col("g_deadline"))))
            .join(broadcast(baselines), col("g_id").equalTo(col("b_id")), "left")
            .withColumn(KpiColumns.NOTE, note)
            .withColumn(KpiColumns.GOAL_ID, col("g_id"))
            .withColumn(KpiColumns.TARGET, target)
            .withColumn(KpiColumns.ON_TRACK, onTrack)
            .select(
                plain.columns()[0],
                java.util.Arrays.copyOfRange(plain.columns(), 1, plain.columns().length));
    return plain.unionByName(tracked);
  }

  /** One row per goal, in {@link #GOALS}' layout (a handful: one per configured goal). */
  private static List<Row> goalRows(List<ChurnConfig.Goal> goals) {
    List<Row> rows = new ArrayList<>();
    for (ChurnConfig.Goal g : goals) {
      rows.add(
          RowFactory.create(
              g.id(),
              g.text(),
              g.metric(),
              g.relative(),
              g.change(),
              Date.valueOf(g.baseline()),
              Date.valueOf(g.deadline())));
    }
    return rows;
  }

  /** What a goal row says: no baseline, no value yet, or the baseline and the goal. */
  private static Column note(Column b, Column goalValue) {
    Column value = col(KpiColumns.VALUE);
    return when(
            b.isNull(),
            concat(col("g_text"), lit(": the baseline period has no value of the metric")))
        .when(
            value.isNull(),
            concat(col("g_text"), lit(": no value yet ("), col(KpiColumns.STATUS), lit(")")))
        .otherwise(
            concat(
                col("g_text"),
                lit(": baseline "),
                format_number(b, 4),
                lit(", goal "),
                format_number(goalValue, 4)));
  }

  /** The period's target: from the baseline value to the goal, in a straight line by periods. */
  private static Column target(
      ChurnConfig.KpiGrain grain, Column period, Column b, Column goalValue) {
    Column steps =
        grain == ChurnConfig.KpiGrain.WEEK
            ? datediff(period, col("g_baseline")).divide(7)
            : months_between(period, col("g_baseline"));
    Column total =
        grain == ChurnConfig.KpiGrain.WEEK
            ? datediff(col("g_deadline"), col("g_baseline")).divide(7)
            : months_between(col("g_deadline"), col("g_baseline"));
    return b.plus(goalValue.minus(b).multiply(steps.divide(total)));
  }
}
