package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.tables.SegmentColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code segment_summary} rows from {@code risk_segments} rows, in one aggregation: per as-of date
 * and segment (with its tiers and action), the customers, their mean churn probability, the value
 * at risk (sum of P(churn) x value), and over the targeted customers the expected saved value (sum
 * of P(churn) x value x save rate), the cost and the expected net value.
 */
public final class SummariseSegments {

  private final ChurnConfig.SegmentSettings settings;

  public SummariseSegments(ChurnConfig.SegmentSettings settings) {
    this.settings = settings;
  }

  public Dataset<Row> apply(Dataset<Row> riskSegments) {
    Column targeted = col(SegmentColumns.TARGETING).equalTo(SegmentColumns.TARGETED);
    Column p = col(Columns.CHURN_PROBABILITY);
    Column v = col(SegmentColumns.VALUE);
    return riskSegments
        .groupBy(
            col(Columns.AS_OF_DATE),
            col(SegmentColumns.SEGMENT),
            col(SegmentColumns.VALUE_TIER),
            col(Columns.RISK_TIER),
            col(SegmentColumns.ACTION))
        .agg(
            count(lit(1)).as("customers"),
            avg(p).as("mean_probability"),
            sum(v).as("value"),
            sum(p.multiply(v)).as("revenue_at_risk"),
            count(when(targeted, true)).as("targeted"),
            count(when(col(SegmentColumns.TARGETING).equalTo(SegmentColumns.CONTROL), true))
                .as("control"),
            sum(when(targeted, saved()).otherwise(0.0)).as("expected_saved_value"),
            sum(when(targeted, PlanRetention.cost(settings)).otherwise(0.0)).as("cost"),
            sum(when(targeted, col(SegmentColumns.EXPECTED_NET_VALUE)).otherwise(0.0))
                .as("expected_net_value"))
        .orderBy(displayOrder());
  }

  /**
   * The saved value of a planned row: P(churn) x value x save rate; by uplift, net value + cost
   * (risk_segments keeps the expected net value, not the uplift it came from).
   */
  private Column saved() {
    return settings.targeting() == ChurnConfig.Targeting.UPLIFT
        ? col(SegmentColumns.EXPECTED_NET_VALUE).plus(PlanRetention.cost(settings))
        : PlanRetention.savedValue(settings);
  }

  /** High value first, then high risk first. */
  public static Column[] displayOrder() {
    return new Column[] {
      tierOrder(SegmentColumns.VALUE_TIER).desc(), tierOrder(Columns.RISK_TIER).desc()
    };
  }

  private static Column tierOrder(String column) {
    return when(col(column).equalTo("high"), 2).when(col(column).equalTo("medium"), 1).otherwise(0);
  }
}
