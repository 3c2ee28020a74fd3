package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.tables.KpiColumns;
import io.churnlake.jobs.tables.SegmentColumns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Each campaign wave's outcome per action and segment ({@code campaign_outcomes}): a wave is the
 * first retention plan dated in a KPI period (as {@link CampaignKpis} follows it), its targeted and
 * control customers followed for {@code horizonDays} (intent to treat). Per wave, action and
 * segment: the treated and control churn rates with 95% Wilson intervals, the effect (treated -
 * control, negative when the action kept customers) with Newcombe's 95% interval, the relative
 * effect (the save rate the wave realised: (control - treated) / control), and the realised net
 * value ((control - treated) x the treated customers' value - their contact cost) beside the net
 * value the plan expected. A wave whose horizon ends after the as-of date is {@code immature} and
 * carries no rate (never read as "no effect"); a group with no customer makes the effect {@code
 * undefined}. Pure transform; a handful of rows per wave.
 */
public final class CampaignOutcomes {
  private final int horizonDays;
  private final LocalDate asOf;
  private final Map<String, Double> costs;
  private final String runId;

  /**
   * @param costs each action's cost per contacted customer (segment.actions); an action not listed
   *     costs nothing
   */
  public CampaignOutcomes(
      int horizonDays, LocalDate asOf, Map<String, Double> costs, String runId) {
    this.horizonDays = horizonDays;
    this.asOf = asOf;
    this.costs = Map.copyOf(costs);
    this.runId = runId;
  }

  /**
   * @param riskSegments risk_segments rows on or before the as-of date
   * @param spells rows of {@link CustomerSpells}
   * @param periods rows of {@link KpiPeriods#toDataset}
   */
  public Dataset<Row> apply(Dataset<Row> riskSegments, Dataset<Row> spells, Dataset<Row> periods) {
    Column treated = col(SegmentColumns.TARGETING).equalTo(SegmentColumns.TARGETED);
    Column control = col(SegmentColumns.TARGETING).equalTo(SegmentColumns.CONTROL);
    Column churned = col(CampaignKpis.CHURNED);
    Dataset<Row> counts =
        CampaignKpis.followed(riskSegments, spells, periods, horizonDays)
            .groupBy(
                col(Columns.AS_OF_DATE).as("wave_date"),
                col(SegmentColumns.ACTION),
                col(SegmentColumns.SEGMENT))
            .agg(
                sum(when(treated, 1L).otherwise(0L)).as("treated"),
                sum(when(treated.and(churned), 1L).otherwise(0L)).as("treated_churned"),
                sum(when(control, 1L).otherwise(0L)).as("control"),
                sum(when(control.and(churned), 1L).otherwise(0L)).as("control_churned"),
                sum(when(treated, col(SegmentColumns.EXPECTED_NET_VALUE)).otherwise(0.0))
                    .as("expected_net_value"),
                sum(when(treated, col(SegmentColumns.VALUE)).otherwise(0.0)).as("_treated_value"));
    return counts
        .select(outcomeColumns())
        .select(
            Arrays.stream(KpiColumns.CAMPAIGN_OUTCOMES.fields())
                .map(f -> col(f.name()).cast(f.dataType()).as(f.name()))
                .toArray(Column[]::new));
  }

  /**
   * The randomised customers of every wave matured by the as-of date, one row each, as an uplift
   * learner reads them: {@code wave_date}, {@code customer_id}, {@code action}, {@code segment},
   * {@code treated} (true: targeted, false: control) and {@code churned} (1.0 when the spell the
   * customer was in on the wave date ended within the horizon, intent to treat; else 0.0). The same
   * customers {@link #apply} counts; immature waves are left out (their outcome is unknown).
   */
  public Dataset<Row> customers(
      Dataset<Row> riskSegments, Dataset<Row> spells, Dataset<Row> periods) {
    Column mature = date_add(col(Columns.AS_OF_DATE), horizonDays).leq(lit(Date.valueOf(asOf)));
    return CampaignKpis.followed(riskSegments, spells, periods, horizonDays)
        .where(mature)
        .select(
            col(Columns.AS_OF_DATE).as("wave_date"),
            col(Columns.CUSTOMER_ID),
            col(SegmentColumns.ACTION),
            col(SegmentColumns.SEGMENT),
            col(SegmentColumns.TARGETING).equalTo(SegmentColumns.TARGETED).as("treated"),
            col(CampaignKpis.CHURNED).cast("double").as("churned"));
  }

  /** The table's columns from a wave's counts: rates only when mature, effects with both groups. */
  private Column[] outcomeColumns() {
    Column mature = date_add(col("wave_date"), horizonDays).leq(lit(Date.valueOf(asOf)));
    Column nt = col("treated");
    Column pt = col("treated_churned").divide(nt);
    Column pc = col("control_churned").divide(col("control"));
    Column both = both(mature);
    List<Column> out = new ArrayList<>();
    out.add(lit(Date.valueOf(asOf)).as(Columns.AS_OF_DATE));
    out.add(col("wave_date"));
    out.add(col(SegmentColumns.ACTION));
    out.add(col(SegmentColumns.SEGMENT));
    out.add(lit(horizonDays).as("horizon_days"));
    out.addAll(rates(mature));
    out.add(col("expected_net_value"));
    out.add(
        when(both, pc.minus(pt).multiply(col("_treated_value")).minus(nt.multiply(cost())))
            .as("realised_net_value"));
    out.add(note(mature).as("note"));
    out.add(lit(runId).as("run_id"));
    return out.toArray(new Column[0]);
  }

  private static Column both(Column mature) {
    return mature.and(col("treated").gt(0)).and(col("control").gt(0));
  }

  /**
   * From the counts {@code treated}, {@code treated_churned}, {@code control}, {@code
   * control_churned}: the status, the counts, both churn rates with Wilson intervals, the effect
   * with Newcombe's interval and the relative effect; rates only when {@code mature}, effects only
   * with both groups.
   */
  private static List<Column> rates(Column mature) {
    Column nt = col("treated");
    Column nc = col("control");
    Column pt = col("treated_churned").divide(nt);
    Column pc = col("control_churned").divide(nc);
    Column both = both(mature);
    ProportionIntervals.Bounds wt = ProportionIntervals.wilson(col("treated_churned"), nt);
    ProportionIntervals.Bounds wc = ProportionIntervals.wilson(col("control_churned"), nc);
    ProportionIntervals.Bounds diff =
        ProportionIntervals.newcombe(col("treated_churned"), nt, col("control_churned"), nc);
    return List.of(
        when(mature.unary_$bang(), lit(KpiColumns.IMMATURE))
            .when(both.unary_$bang(), lit(KpiColumns.UNDEFINED))
            .otherwise(lit(KpiColumns.MATURE_STATUS))
            .as("status"),
        nt,
        col("treated_churned"),
        nc,
        col("control_churned"),
        when(mature.and(nt.gt(0)), pt).as("treated_churn_rate"),
        when(mature.and(nt.gt(0)), wt.lower()).as("treated_churn_rate_lower"),
        when(mature.and(nt.gt(0)), wt.upper()).as("treated_churn_rate_upper"),
        when(mature.and(nc.gt(0)), pc).as("control_churn_rate"),
        when(mature.and(nc.gt(0)), wc.lower()).as("control_churn_rate_lower"),
        when(mature.and(nc.gt(0)), wc.upper()).as("control_churn_rate_upper"),
        when(both, pt.minus(pc)).as("effect"),
        when(both, diff.lower()).as("effect_lower"),
        when(both, diff.upper()).as("effect_upper"),
        when(both.and(pc.gt(0)), pc.minus(pt).divide(pc)).as("relative_effect"));
  }

  /**
   * campaign_outcomes rows of one as-of date summed over segments: per wave and action, the day it
   * matures on, its status, the summed counts with the same rates, intervals and effects as a
   * segment's row (from the summed counts), the expected net value, and the realised net value
   * summed over the segments that have one (null when none has). What the report shows per action.
   */
  public static Dataset<Row> perAction(Dataset<Row> outcomes, LocalDate asOf) {
    Dataset<Row> counts =
        outcomes
            .groupBy(col("wave_date"), col(SegmentColumns.ACTION), col("horizon_days"))
            .agg(
                sum("treated").as("treated"),
                sum("treated_churned").as("treated_churned"),
                sum("control").as("control"),
                sum("control_churned").as("control_churned"),
                sum("expected_net_value").as("expected_net_value"),
                sum("realised_net_value").as("realised_net_value"));
    Column matures = date_add(col("wave_date"), col("horizon_days"));
    List<Column> out = new ArrayList<>();
    out.add(col("wave_date"));
    out.add(col(SegmentColumns.ACTION));
    out.add(matures.as("matures_on"));
    out.addAll(rates(matures.leq(lit(Date.valueOf(asOf)))));
    out.add(col("expected_net_value"));
    out.add(col("realised_net_value"));
    return counts
        .select(out.toArray(new Column[0]))
        .orderBy(col("wave_date"), col(SegmentColumns.ACTION));
  }

  /** How a row was counted, and why a rate is missing. */
  private Column note(Column mature) {
    Column wave = col("wave_date");
    Column nt = col("treated");
    Column nc = col("control");
    Column counted = CampaignKpis.counted("wave of ", wave, horizonDays, nt, nc);
    return when(
            mature.unary_$bang(),
            concat(
                lit("immature: the horizon ends on "),
                date_format(date_add(wave, horizonDays), "yyyy-MM-dd"),
                lit(", after the as-of date; "),
                counted))
        .when(nc.equalTo(0), concat(lit("undefined: no control customer; "), counted))
        .when(nt.equalTo(0), concat(lit("undefined: no treated customer; "), counted))
        .otherwise(counted);
  }

  /** The cost per contacted customer of the row's action (0 for an action not configured). */
  private Column cost() {
    Column c = lit(0.0);
    for (Map.Entry<String, Double> e : costs.entrySet()) {
      c = when(col(SegmentColumns.ACTION).equalTo(e.getKey()), e.getValue()).otherwise(c);
    }
    return c;
  }
}
