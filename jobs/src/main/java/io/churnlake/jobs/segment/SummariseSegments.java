package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code segment_summary} rows from {@code risk_segments} rows, in one aggregation: per as-of date
 * and segment (with its tiers and action), the customers, their mean churn probability, the value
 * at risk (sum of P(churn) x value), and over the targeted customers the expected saved value (sum
 * of P(churn) x value x save rate), the cost and the expected net value.
 */
public final class SummariseSegments {
  public static final StructType SCHEMA =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add(PlanRetention.SEGMENT, DataTypes.StringType, false)
          .add(PlanRetention.VALUE_TIER, DataTypes.StringType, false)
          .add(Columns.RISK_TIER, DataTypes.StringType, false)
          .add(PlanRetention.ACTION, DataTypes.StringType, false)
          .add("customers", DataTypes.LongType, false)
          .add("mean_probability", DataTypes.DoubleType, false)
          .add("value", DataTypes.DoubleType, false)
          .add("revenue_at_risk", DataTypes.DoubleType, false)
          .add("targeted", DataTypes.LongType, false)
          .add("control", DataTypes.LongType, false)
          .add("expected_saved_value", DataTypes.DoubleType, false)
          .add("cost", DataTypes.DoubleType, false)
          .add("expected_net_value", DataTypes.DoubleType, false);

  private final ChurnConfig.SegmentSettings settings;

  public SummariseSegments(ChurnConfig.SegmentSettings settings) {
    this.settings = settings;
  }

  public Dataset<Row> apply(Dataset<Row> riskSegments) {
    Column targeted = col(PlanRetention.TARGETING).equalTo(PlanRetention.TARGETED);
    Column p = col(Columns.CHURN_PROBABILITY);
    Column v = col(PlanRetention.VALUE);
    return riskSegments
        .groupBy(
            col(Columns.AS_OF_DATE),
            col(PlanRetention.SEGMENT),
            col(PlanRetention.VALUE_TIER),
            col(Columns.RISK_TIER),
            col(PlanRetention.ACTION))
        .agg(
            count(lit(1)).as("customers"),
            avg(p).as("mean_probability"),
            sum(v).as("value"),
            sum(p.multiply(v)).as("revenue_at_risk"),
            count(when(targeted, true)).as("targeted"),
            count(when(col(PlanRetention.TARGETING).equalTo(PlanRetention.CONTROL), true))
                .as("control"),
            sum(when(targeted, PlanRetention.savedValue(settings)).otherwise(0.0))
                .as("expected_saved_value"),
            sum(when(targeted, PlanRetention.cost(settings)).otherwise(0.0)).as("cost"),
            sum(when(targeted, col(PlanRetention.EXPECTED_NET_VALUE)).otherwise(0.0))
                .as("expected_net_value"))
        .orderBy(displayOrder());
  }

  /** High value first, then high risk first. */
  public static Column[] displayOrder() {
    return new Column[] {
      tierOrder(PlanRetention.VALUE_TIER).desc(), tierOrder(Columns.RISK_TIER).desc()
    };
  }

  private static Column tierOrder(String column) {
    return when(col(column).equalTo("high"), 2).when(col(column).equalTo("medium"), 1).otherwise(0);
  }
}
