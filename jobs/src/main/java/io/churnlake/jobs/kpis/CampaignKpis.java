package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.tables.KpiColumns;
import io.churnlake.jobs.tables.SegmentColumns;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The campaign's effect, per period: the first retention plan dated in the period is followed for
 * {@code horizonDays}; {@code treated_churn_rate} and {@code control_churn_rate} are the shares of
 * its targeted and control customers (intent to treat: targeted = recommended) whose spell ended
 * within the horizon after the plan date, each with a 95% Wilson interval, and {@code
 * treatment_effect} = treated - control with Newcombe's 95% interval of a difference of two
 * proportions ({@link ProportionIntervals}: both keep a width at small counts and at rates of 0 or
 * 1; negative: the actions kept customers). Null and immature until the horizon has passed the
 * as-of date; undefined when either group is empty. Pure transform.
 */
public final class CampaignKpis {
  private CampaignKpis() {}

  /**
   * @param riskSegments risk_segments rows on or before the as-of date
   * @param spells rows of {@link CustomerSpells}
   * @param periods rows of {@link KpiPeriods#toDataset}
   */
  public static Dataset<Row> apply(
      Dataset<Row> riskSegments,
      Dataset<Row> spells,
      Dataset<Row> periods,
      int horizonDays,
      LocalDate asOf) {
    Column d = col(Columns.AS_OF_DATE);
    Column treated = col(SegmentColumns.TARGETING).equalTo(SegmentColumns.TARGETED);
    Column control = col(SegmentColumns.TARGETING).equalTo(SegmentColumns.CONTROL);
    Column churned = col(CHURNED);
    Dataset<Row> counts =
        followed(riskSegments, spells, periods, horizonDays)
            .groupBy(col(KpiColumns.PERIOD_START), col(KpiColumns.PERIOD_END), d)
            .agg(
                sum(when(treated, 1).otherwise(0)).as("nt"),
                sum(when(treated.and(churned), 1).otherwise(0)).as("ct"),
                sum(when(control, 1).otherwise(0)).as("nc"),
                sum(when(control.and(churned), 1).otherwise(0)).as("cc"))
            .withColumn(KpiColumns.MATURE, date_add(d, horizonDays).leq(lit(Date.valueOf(asOf))))
            .withColumn(KpiColumns.DIMENSION, lit(KpiColumns.ALL))
            .withColumn(KpiColumns.DIMENSION_VALUE, lit(KpiColumns.ALL));
    Column nt = col("nt");
    Column nc = col("nc");
    Column pt = col("ct").divide(nt);
    Column pc = col("cc").divide(nc);
    Column note = counted("plan of ", d, horizonDays, nt, nc);
    return KpiRows.explodeMetrics(
        counts,
        proportion(
            "treated_churn_rate", pt, ProportionIntervals.wilson(col("ct"), nt), nt.gt(0), note),
        proportion(
            "control_churn_rate", pc, ProportionIntervals.wilson(col("cc"), nc), nc.gt(0), note),
        proportion(
            "treatment_effect",
            pt.minus(pc),
            ProportionIntervals.newcombe(col("ct"), nt, col("cc"), nc),
            nt.gt(0).and(nc.gt(0)),
            note));
  }

  /** Column of {@link #followed}: the customer's spell ended within the horizon of the plan. */
  static final String CHURNED = "churned_within_horizon";

  /**
   * The targeted and control customers of each period's campaign wave (the first plan dated in the
   * period), each with its plan row, the period, and whether the spell it was in on the plan date
   * ended within {@code horizonDays} after it ({@link #CHURNED}; intent to treat).
   */
  static Dataset<Row> followed(
      Dataset<Row> riskSegments, Dataset<Row> spells, Dataset<Row> periods, int horizonDays) {
    Column d = col(Columns.AS_OF_DATE);
    Dataset<Row> waves =
        riskSegments
            .select(d)
            .distinct()
            .join(
                broadcast(periods),
                d.geq(col(KpiColumns.PERIOD_START)).and(d.leq(col(KpiColumns.PERIOD_END))))
            .groupBy(KpiColumns.PERIOD_START, KpiColumns.PERIOD_END)
            .agg(min(d).as(Columns.AS_OF_DATE));
    Column start = col(CustomerSpells.SPELL_START);
    Column end = col(CustomerSpells.SPELL_END);
    Column targeting = col(SegmentColumns.TARGETING);
    return riskSegments
        .where(targeting.isin(SegmentColumns.TARGETED, SegmentColumns.CONTROL))
        .join(broadcast(waves), Columns.AS_OF_DATE)
        .join(spells, Columns.CUSTOMER_ID)
        // The spell the customer was in on the plan date.
        .where(start.leq(d).and(end.isNull().or(end.gt(d))))
        .withColumn(CHURNED, end.isNotNull().and(end.leq(date_add(d, horizonDays))));
  }

  /** "{what} yyyy-MM-dd, churn within H days; treated n, control m": how a campaign was counted. */
  static Column counted(String what, Column date, int horizonDays, Column treated, Column control) {
    return concat(
        lit(what),
        date_format(date, "yyyy-MM-dd"),
        lit(", churn within " + horizonDays + " days; treated "),
        treated.cast("string"),
        lit(", control "),
        control.cast("string"));
  }

  private static Column proportion(
      String name, Column value, ProportionIntervals.Bounds bounds, Column defined, Column note) {
    Column mature = col(KpiColumns.MATURE);
    Column ok = mature.and(defined);
    return KpiRows.metric(
        name,
        when(ok, value),
        when(ok, bounds.lower()),
        when(ok, bounds.upper()),
        when(mature.unary_$bang(), lit(KpiColumns.IMMATURE))
            .when(defined.unary_$bang(), lit(KpiColumns.UNDEFINED))
            .otherwise(lit(KpiColumns.MATURE_STATUS)),
        when(mature.unary_$bang(), concat(lit("the horizon ends after the as-of date; "), note))
            .when(defined.unary_$bang(), concat(lit("no customer in a group; "), note))
            .otherwise(note));
  }
}
