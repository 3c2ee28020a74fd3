package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ScoreCustomers;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Adds {@code risk_tier}: {@code high} at or above the high cut point, {@code medium} at or above
 * the medium cut point, {@code low} below it. The cut points apply to {@code churn_probability}
 * ("cut-points") or to the score's rank among the date's customers ({@code rank_percentile},
 * "quantiles": 0.8 = the riskiest 20%).
 */
public final class AssignRiskTiers {
  private final String column;
  private final double mediumFrom;
  private final double highFrom;

  private AssignRiskTiers(String column, double mediumFrom, double highFrom) {
    this.column = column;
    this.mediumFrom = mediumFrom;
    this.highFrom = highFrom;
  }

  /** Cut points on churn_probability. */
  public static AssignRiskTiers onProbability(double mediumFrom, double highFrom) {
    return new AssignRiskTiers(Columns.CHURN_PROBABILITY, mediumFrom, highFrom);
  }

  /** Cut points on rank_percentile (quantiles of the date's score distribution). */
  public static AssignRiskTiers onRank(double mediumQuantile, double highQuantile) {
    return new AssignRiskTiers(ScoreCustomers.RANK_PERCENTILE, mediumQuantile, highQuantile);
  }

  /** As configured under segment.risk-tiers. */
  public static AssignRiskTiers of(ChurnConfig.SegmentSettings s) {
    return s.riskTiers() == ChurnConfig.RiskTiers.QUANTILES
        ? onRank(s.mediumQuantile(), s.highQuantile())
        : onProbability(s.mediumFrom(), s.highFrom());
  }

  public Dataset<Row> apply(Dataset<Row> scores) {
    Column v = col(column);
    Column tier = when(v.geq(highFrom), "high").when(v.geq(mediumFrom), "medium").otherwise("low");
    return scores.withColumn(Columns.RISK_TIER, tier);
  }
}
