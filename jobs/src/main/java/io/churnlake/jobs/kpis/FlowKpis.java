package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.tables.KpiColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Per period and dimension value, from spells: {@code active_customers} (in a spell on the day
 * before the period starts), {@code churned_customers} (of those, spells ending in the period),
 * {@code churn_rate} = churned / active, {@code retention_rate} = 1 - churn_rate, and {@code
 * new_customers} (first day in the period; dimension all only, since new customers have no tier
 * yet). Counts of a period that has not ended are null and immature; a rate without active
 * customers is null and undefined. One aggregation over spells x periods. Pure transform.
 */
public final class FlowKpis {
  /** Dimension assignments: customer_id, period_start, dims (array of dimension structs). */
  public static final String DIMS = "dims";

  private FlowKpis() {}

  /** The struct of one dimension value, the element type of {@link #DIMS}. */
  public static Column dimension(String name, Column value) {
    return struct(
        lit(name).as(KpiColumns.DIMENSION),
        value.cast(DataTypes.StringType).as(KpiColumns.DIMENSION_VALUE));
  }

  /**
   * @param spells rows of {@link CustomerSpells}
   * @param periods rows of {@link KpiPeriods#toDataset}
   * @param dimensions customer_id, period_start, dims: each customer's dimension values for the
   *     period (e.g. the risk tier of the plan before it starts); customers without a row count in
   *     dimension all only
   */
  public static Dataset<Row> apply(
      Dataset<Row> spells, Dataset<Row> periods, Dataset<Row> dimensions) {
    Column s = col(KpiColumns.PERIOD_START);
    Column e = col(KpiColumns.PERIOD_END);
    Dataset<Row> perSpell = perSpell(spells, periods, dimensions);
    Column all = dimension(KpiColumns.ALL, lit(KpiColumns.ALL));
    Dataset<Row> counts =
        perSpell
            .select(
                s,
                e,
                col(KpiColumns.MATURE),
                col("active"),
                col("churned"),
                col("new"),
                explode(
                        when(col(DIMS).isNull(), array(all))
                            .otherwise(concat(array(all), col(DIMS))))
                    .as("d"))
            .groupBy(
                s,
                e,
                col(KpiColumns.MATURE),
                col("d." + KpiColumns.DIMENSION).as(KpiColumns.DIMENSION),
                col("d." + KpiColumns.DIMENSION_VALUE).as(KpiColumns.DIMENSION_VALUE))
            .agg(sum("active").as("active"), sum("churned").as("churned"), sum("new").as("new"));
    Column active = col("active");
    Column churned = col("churned");
    String none = "no active customers at the period start";
    Dataset<Row> rows =
        KpiRows.explodeMetrics(
            counts,
            KpiRows.metric("active_customers", active, lit(KpiColumns.MATURE_STATUS), lit(null)),
            KpiRows.flow("churned_customers", churned),
            KpiRows.rate("churn_rate", churned, active, none),
            KpiRows.rate("retention_rate", active.minus(churned), active, none),
            KpiRows.flow("new_customers", col("new")));
    return rows.where(
        col(KpiColumns.METRIC)
            .notEqual("new_customers")
            .or(col(KpiColumns.DIMENSION).equalTo(KpiColumns.ALL)));
  }

  /**
   * Each spell overlapping each period: whether the customer was active the day before it, churned
   * in it or started in it, with the customer's dimension values for the period; plus an empty row
   * per period, so every period has a row under all.
   */
  private static Dataset<Row> perSpell(
      Dataset<Row> spells, Dataset<Row> periods, Dataset<Row> dimensions) {
    Column s = col(KpiColumns.PERIOD_START);
    Column e = col(KpiColumns.PERIOD_END);
    Column start = col(CustomerSpells.SPELL_START);
    Column end = col(CustomerSpells.SPELL_END);
    Column first = col(CustomerSpells.FIRST_START);
    return spells
        .join(broadcast(periods), start.leq(e).and(end.isNull().or(end.geq(s))))
        .select(
            col(Columns.CUSTOMER_ID),
            s,
            e,
            col(KpiColumns.MATURE),
            // Active the day before the period: started before it and not ended before it
            // (the join keeps spells ending on or after its first day).
            when(start.lt(s), 1).otherwise(0).as("active"),
            when(start.lt(s).and(end.leq(e)), 1).otherwise(0).as("churned"),
            when(start.equalTo(first).and(first.geq(s)), 1).otherwise(0).as("new"))
        .join(dimensions, new String[] {Columns.CUSTOMER_ID, KpiColumns.PERIOD_START}, "left")
        // Every period has a row under all, even one without any customer.
        .unionByName(
            periods.select(
                lit(null).cast(DataTypes.StringType).as(Columns.CUSTOMER_ID),
                s,
                e,
                col(KpiColumns.MATURE),
                lit(0).as("active"),
                lit(0).as("churned"),
                lit(0).as("new"),
                lit(null).cast(dimensions.schema().apply(DIMS).dataType()).as(DIMS)));
  }
}
