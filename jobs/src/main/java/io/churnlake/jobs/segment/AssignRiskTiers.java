package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Assigns risk tier {@code high} at or above the high cut point, {@code medium} at or above the
 * medium cut point, {@code low} below it.
 */
public final class AssignRiskTiers {
  private final double mediumFrom;
  private final double highFrom;

  public AssignRiskTiers(double mediumFrom, double highFrom) {
    this.mediumFrom = mediumFrom;
    this.highFrom = highFrom;
  }

  public Dataset<Row> apply(Dataset<Row> scores) {
    Column p = col(Columns.CHURN_PROBABILITY);
    Column tier = when(p.geq(highFrom), "high").when(p.geq(mediumFrom), "medium").otherwise("low");
    return scores.select(
        col(Columns.CUSTOMER_ID),
        col(Columns.AS_OF_DATE),
        p,
        tier.as(Columns.RISK_TIER),
        col(Columns.MODEL_VERSION));
  }
}
