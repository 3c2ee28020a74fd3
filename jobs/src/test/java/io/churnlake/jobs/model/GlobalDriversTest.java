package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.testing.SparkTestBase;
import java.sql.Date;
import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Global churn drivers from hand-worked contributions. Invariants: importance is the mean absolute
 * contribution over every customer; the direction is the sign of the correlation between a
 * feature's value and its contribution ("categorical" when the feature has no numeric value); the
 * high-risk figures cover exactly the customers at or above the tier's probability; ranks follow
 * importance, ties by the feature's position.
 */
class GlobalDriversTest extends SparkTestBase {
  private static final StructType EXPLAINED =
      new StructType()
          .add("model_version", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("churn_probability", DataTypes.DoubleType)
          .add("contributions", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("feature_values", DataTypes.createArrayType(DataTypes.DoubleType, true));

  private static Object[] scored(double p, Double[] contributions, Double[] values) {
    return new Object[] {
      "m1", Date.valueOf("2026-03-31"), p, Arrays.asList(contributions), Arrays.asList(values)
    };
  }

  @Test
  void importanceDirectionAndHighRiskFiguresPerFeature() {
    Dataset<Row> explained =
        rows(
            EXPLAINED,
            scored(0.9, new Double[] {1.0, -0.5, 0.25}, new Double[] {3.0, 1.0, null}),
            scored(0.8, new Double[] {0.5, -1.0, -0.25}, new Double[] {2.0, 2.0, null}),
            scored(0.2, new Double[] {-0.5, 0.5, 0.25}, new Double[] {0.0, 0.0, null}),
            scored(0.1, new Double[] {-1.0, 1.0, -0.25}, new Double[] {-1.0, -1.0, null}));
    Dataset<Row> drivers =
        GlobalDrivers.of(explained, new String[] {"f_up", "f_down", "plan"}, 0.75);
    assertThat(drivers.orderBy("rank").collectAsList().toString())
        .isEqualTo(
            "[[m1,2026-03-31,1,f_up,0.75,higher raises risk,0.75,2],"
                + " [m1,2026-03-31,2,f_down,0.75,higher lowers risk,-0.75,2],"
                + " [m1,2026-03-31,3,plan,0.25,categorical,0.0,2]]");
  }
}
