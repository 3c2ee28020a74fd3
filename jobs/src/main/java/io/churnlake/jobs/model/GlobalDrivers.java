package io.churnlake.jobs.model;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.corr;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * churn_drivers: per model version, as-of date and feature, what drives the scores across all
 * customers. One aggregation over the exploded contributions (rows = customers x features, groups =
 * features):
 *
 * <ul>
 *   <li>{@code importance}: mean absolute contribution to the raw score, over all customers;
 *   <li>{@code direction}: whether higher values of the feature raise or lower the score (the sign
 *       of the correlation between value and contribution; "categorical" for string features);
 *   <li>{@code mean_contribution_high_risk}: mean contribution among customers at or above the high
 *       risk tier's probability, and how many they are.
 * </ul>
 */
public final class GlobalDrivers {
  private GlobalDrivers() {}

  public static Dataset<Row> of(Dataset<Row> explained, String[] features, double highFrom) {
    Column high = col(Columns.CHURN_PROBABILITY).geq(highFrom);
    Dataset<Row> exploded =
        explained.select(
            col(Columns.MODEL_VERSION),
            col(Columns.AS_OF_DATE),
            high.as("high"),
            posexplode(col(ExplainScores.CONTRIBUTIONS)).as(new String[] {"pos", "c"}),
            col(ExplainScores.FEATURE_VALUES));
    Dataset<Row> grouped =
        exploded
            .withColumn("v", element_at(col(ExplainScores.FEATURE_VALUES), col("pos").plus(1)))
            .groupBy(col(Columns.MODEL_VERSION), col(Columns.AS_OF_DATE), col("pos"))
            .agg(
                avg(abs(col("c"))).as("importance"),
                corr(col("v"), col("c")).as("r"),
                count(col("v")).as("valued"),
                avg(when(col("high"), col("c"))).as("mean_contribution_high_risk"),
                count(when(col("high"), lit(1))).as("high_risk_customers"));
    Column direction =
        when(col("valued").equalTo(0), "categorical")
            .when(col("r").gt(0), "higher raises risk")
            .when(col("r").lt(0), "higher lowers risk")
            .otherwise("no effect");
    return grouped.select(
        col(Columns.MODEL_VERSION),
        col(Columns.AS_OF_DATE),
        row_number()
            .over(
                Window.partitionBy(col(Columns.MODEL_VERSION), col(Columns.AS_OF_DATE))
                    .orderBy(col("importance").desc(), col("pos")))
            .as("rank"),
        element_at(lit(features), col("pos").plus(1)).as("feature"),
        col("importance"),
        direction.as("direction"),
        col("mean_contribution_high_risk"),
        col("high_risk_customers"));
  }
}
