package io.churnlake.jobs.labels;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig.LabelDefinition;
import io.churnlake.common.table.Columns;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Explicit churn labels. For each as-of date D, the customers known on D (an event on or before D,
 * no churn event on or before D) get {@code churned} = true when their first churn event falls in
 * D+1 .. D+horizon, false otherwise. When D+horizon is after {@code dataEnd} (the last date of the
 * data) the outcome is not observed: {@code churned} is null (censored), never false. Pure
 * transform; output columns are {@link LabelColumns#ALL}.
 */
public final class BuildChurnLabels {
  private final int horizonDays;
  private final LocalDate dataEnd;

  public BuildChurnLabels(int horizonDays, LocalDate dataEnd) {
    this.horizonDays = horizonDays;
    this.dataEnd = dataEnd;
  }

  /**
   * @param daily rows of {@code AggregateDailyActivity}
   * @param asOfDates one column {@code as_of_date} (date)
   */
  public Dataset<Row> apply(Dataset<Row> daily, Dataset<Row> asOfDates) {
    Column asOf = col(Columns.AS_OF_DATE);
    Column day = col(Columns.EVENT_DATE);
    Column churnDay = col("churn_events").gt(0);
    Column horizonEnd = date_add(asOf, horizonDays);
    Column inHorizon = day.gt(asOf).and(day.leq(horizonEnd));
    Column censored = horizonEnd.gt(lit(Date.valueOf(dataEnd)));
    return daily
        .join(broadcast(asOfDates), day.leq(horizonEnd))
        .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
        .agg(
            sum(when(day.leq(asOf), 1).otherwise(0)).as("days_known"),
            sum(when(day.leq(asOf).and(churnDay), 1).otherwise(0)).as("churned_before"),
            min(when(inHorizon.and(churnDay), day)).as("first_churn"))
        .where(col("days_known").gt(0).and(col("churned_before").equalTo(0)))
        .select(
            LabelColumns.select(
                lit(horizonDays),
                when(censored.unary_$bang(), col("first_churn").isNotNull()),
                when(censored.unary_$bang(), col("first_churn")),
                LabelDefinition.EXPLICIT));
  }
}
