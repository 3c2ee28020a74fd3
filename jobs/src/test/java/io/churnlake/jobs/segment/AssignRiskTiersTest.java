package io.churnlake.jobs.segment;

import io.churnlake.common.testing.SparkTestBase;
import java.sql.Date;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class AssignRiskTiersTest extends SparkTestBase {
  static final Date D = Date.valueOf("2026-03-31");
  static final StructType SCORES =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("churn_probability", DataTypes.DoubleType)
          .add("model_version", DataTypes.StringType);

  @Test
  void tiersFollowTheCutPointsWithTheCutPointInTheHigherTier() {
    Dataset<Row> scores =
        rows(
            SCORES,
            new Object[] {"a", D, 0.0, "v0001"},
            new Object[] {"b", D, 0.0999, "v0001"},
            new Object[] {"c", D, 0.1, "v0001"},
            new Object[] {"d", D, 0.2999, "v0001"},
            new Object[] {"e", D, 0.3, "v0001"},
            new Object[] {"f", D, 1.0, "v0001"});
    StructType out =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("as_of_date", DataTypes.DateType)
            .add("churn_probability", DataTypes.DoubleType)
            .add("risk_tier", DataTypes.StringType)
            .add("model_version", DataTypes.StringType);
    Dataset<Row> expected =
        rows(
            out,
            new Object[] {"a", D, 0.0, "low", "v0001"},
            new Object[] {"b", D, 0.0999, "low", "v0001"},
            new Object[] {"c", D, 0.1, "medium", "v0001"},
            new Object[] {"d", D, 0.2999, "medium", "v0001"},
            new Object[] {"e", D, 0.3, "high", "v0001"},
            new Object[] {"f", D, 1.0, "high", "v0001"});
    assertSameRows(expected, new AssignRiskTiers(0.1, 0.3).apply(scores));
  }
}
