package io.churnlake.jobs.labels;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig.LabelDefinition;
import io.churnlake.common.table.Columns;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Inactivity churn labels for non-contractual data, where churn is never announced: a customer has
 * churned once {@code horizon} days pass without qualifying activity. For each as-of date D the
 * population is the customers active in D-horizon+1 .. D (the others had already churned); {@code
 * churned} is true when they have no qualifying activity in D+1 .. D+horizon, with {@code
 * churn_date} = last activity on or before D + horizon (the day the silence reached the horizon),
 * false otherwise. When D+horizon is after {@code dataEnd} the outcome is not observed and {@code
 * churned} is null (censored). Pure transform; output columns are {@link LabelColumns#ALL}.
 */
public final class InactivityLabels {
  private final int horizonDays;
  private final LocalDate dataEnd;

  public InactivityLabels(int horizonDays, LocalDate dataEnd) {
    this.horizonDays = horizonDays;
    this.dataEnd = dataEnd;
  }

  /**
   * @param activity rows of qualifying activity with {@code customer_id} and {@code event_date}
   * @param asOfDates one column {@code as_of_date} (date)
   */
  public Dataset<Row> apply(Dataset<Row> activity, Dataset<Row> asOfDates) {
    Column asOf = col(Columns.AS_OF_DATE);
    Column day = col(Columns.EVENT_DATE);
    Column horizonEnd = date_add(asOf, horizonDays);
    Column censored = horizonEnd.gt(lit(Date.valueOf(dataEnd)));
    return activity
        .select(Columns.CUSTOMER_ID, Columns.EVENT_DATE)
        .distinct()
        .join(broadcast(asOfDates), day.gt(date_sub(asOf, horizonDays)).and(day.leq(horizonEnd)))
        .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
        .agg(
            max(when(day.leq(asOf), day)).as("last_active"),
            min(when(day.gt(asOf), day)).as("next_active"))
        .where(col("last_active").isNotNull())
        .select(
            LabelColumns.select(
                lit(horizonDays),
                when(censored.unary_$bang(), col("next_active").isNull()),
                when(
                    censored.unary_$bang().and(col("next_active").isNull()),
                    date_add(col("last_active"), horizonDays)),
                LabelDefinition.INACTIVITY));
  }
}
