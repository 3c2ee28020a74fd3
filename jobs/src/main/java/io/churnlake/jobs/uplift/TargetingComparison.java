package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ExplainScores;
import io.churnlake.jobs.segment.PlanRetention;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.OptionalDouble;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * On generated data, which targeting would have realised more: a wave's plan as made (targeted
 * customers, by P(churn) x value x save rate) against the plan {@code segment.targeting = uplift}
 * makes from the same customers with that night's uplift predictions ({@link PlanRetention}, no
 * control group, the budget the plan spent), each valued by the generator's truth: the sum over its
 * targeted customers of true effect x value - cost.
 */
public final class TargetingComparison {
  /** Both targetings' true net values at one budget, and how many customers each contacts. */
  public record Result(
      double budget,
      double planNetValue,
      long planTargeted,
      double upliftNetValue,
      long upliftTargeted) {
    /** Which targeting won, in words. */
    public String winner() {
      return upliftNetValue >= planNetValue ? "uplift" : "churn-risk";
    }
  }

  private TargetingComparison() {}

  /**
   * @param plan risk_segments rows of one date
   * @param uplifts uplift_scores rows of that date
   * @param truth generated_effects rows of that date and the horizon (customer_id, action,
   *     true_effect)
   */
  public static Result compare(
      Dataset<Row> plan,
      Dataset<Row> uplifts,
      Dataset<Row> truth,
      ChurnConfig.SegmentSettings settings,
      String runId) {
    Column cost = PlanRetention.cost(settings);
    Column targeted = col(SegmentColumns.TARGETING).equalTo(SegmentColumns.TARGETED);
    Row spent = plan.agg(sum(when(targeted, cost).otherwise(0.0))).first();
    double budget = spent.isNullAt(0) ? 0 : spent.getDouble(0);
    Dataset<Row> inputs =
        plan.select(
                col(Columns.CUSTOMER_ID),
                col(Columns.AS_OF_DATE),
                col(Columns.CHURN_PROBABILITY),
                col(Columns.RISK_TIER),
                col(SegmentColumns.VALUE),
                col(SegmentColumns.VALUE_TIER),
                col(ExplainScores.DRIVERS),
                col(Columns.MODEL_VERSION))
            .join(PlanRetention.upliftsPerCustomer(uplifts), Columns.CUSTOMER_ID, "left")
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> byUplift =
          new PlanRetention(
                  settings.withPlanning(
                      ChurnConfig.Targeting.UPLIFT, OptionalDouble.of(budget), 0.0),
                  runId)
              .apply(inputs);
      double[] p = trueNetValue(plan, truth, cost);
      double[] u = trueNetValue(byUplift, truth, cost);
      return new Result(budget, p[0], (long) p[1], u[0], (long) u[1]);
    } finally {
      inputs.unpersist();
    }
  }

  /** The targeted customers' true effect x value - cost, and how many they are. */
  private static double[] trueNetValue(Dataset<Row> planned, Dataset<Row> truth, Column cost) {
    Dataset<Row> t =
        planned
            .where(col(SegmentColumns.TARGETING).equalTo(SegmentColumns.TARGETED))
            .join(
                truth.select(
                    col(Columns.CUSTOMER_ID), col(SegmentColumns.ACTION), col("true_effect")),
                scala.collection.JavaConverters.asScalaBuffer(
                    java.util.List.of(Columns.CUSTOMER_ID, SegmentColumns.ACTION)),
                "left");
    Row r =
        t.agg(
                sum(
                    coalesce(col("true_effect"), lit(0.0))
                        .multiply(col(SegmentColumns.VALUE))
                        .minus(cost)),
                org.apache.spark.sql.functions.count(lit(1)))
            .first();
    return new double[] {r.isNullAt(0) ? 0 : r.getDouble(0), r.getLong(1)};
  }
}
