package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code cohort_retention}: customers grouped by the month of their first day (cohort), and for
 * every month offset k whose last day is on or before the as-of date: {@code retained_customers} =
 * the cohort's customers in a spell on the last day of month cohort + k, {@code retention_rate} =
 * retained / cohort size; and the Kaplan-Meier survival of the cohort's first spell (time to first
 * churn, censored at the as-of date when still open) at {@code survival_days} = 30 x (k + 1) days
 * of tenure with Greenwood's standard error, null beyond the follow-up of the cohort's youngest
 * customer. Pure transform.
 */
public final class CohortRetention {

  private CohortRetention() {}

  public static Dataset<Row> apply(Dataset<Row> spells, LocalDate asOf, String runId) {
    Column asOfDate = lit(Date.valueOf(asOf));
    Column first = col(CustomerSpells.FIRST_START);
    Column start = col(CustomerSpells.SPELL_START);
    Column cohort = trunc(first, "month");
    // The last month (start) whose last day is on or before asOf.
    LocalDate lastComplete =
        asOf.equals(asOf.withDayOfMonth(asOf.lengthOfMonth()))
            ? asOf.withDayOfMonth(1)
            : asOf.withDayOfMonth(1).minusMonths(1);
    Column lastMonth = lit(Date.valueOf(lastComplete));

    Dataset<Row> sizes =
        spells
            .where(start.equalTo(first))
            .groupBy(cohort.as(KpiColumns.COHORT_MONTH))
            .agg(count(lit(1)).as("cohort_customers"))
            .where(col(KpiColumns.COHORT_MONTH).leq(lastMonth));
    Dataset<Row> grid =
        sizes.withColumn(
            KpiColumns.PERIOD_OFFSET,
            explode(
                sequence(
                    lit(0),
                    months_between(lastMonth, col(KpiColumns.COHORT_MONTH))
                        .cast(DataTypes.IntegerType))));

    Dataset<Row> retained = retained(spells, asOfDate);
    Dataset<Row> km = kaplanMeier(spells, sizes, asOfDate);
    Column survivalDays = col(KpiColumns.PERIOD_OFFSET).plus(1).multiply(30);
    // Follow-up of the youngest member: from the cohort month's last day to asOf.
    Column followUp = datediff(asOfDate, last_day(col(KpiColumns.COHORT_MONTH)));
    Dataset<Row> atDays =
        grid.select(col(KpiColumns.COHORT_MONTH), col(KpiColumns.PERIOD_OFFSET))
            .join(km, KpiColumns.COHORT_MONTH)
            .where(col("duration").leq(survivalDays))
            .groupBy(KpiColumns.COHORT_MONTH, KpiColumns.PERIOD_OFFSET)
            .agg(
                org.apache.spark.sql.functions.max_by(col("log_s"), col("duration")).as("log_s"),
                org.apache
                    .spark
                    .sql
                    .functions
                    .max_by(col("greenwood"), col("duration"))
                    .as("greenwood"));
    Column survival = exp(coalesce(col("log_s"), lit(0.0)));
    return grid.join(
            retained, new String[] {KpiColumns.COHORT_MONTH, KpiColumns.PERIOD_OFFSET}, "left")
        .join(atDays, new String[] {KpiColumns.COHORT_MONTH, KpiColumns.PERIOD_OFFSET}, "left")
        .select(
            asOfDate.as(Columns.AS_OF_DATE),
            col(KpiColumns.COHORT_MONTH),
            col(KpiColumns.PERIOD_OFFSET),
            col("cohort_customers"),
            coalesce(col("retained_customers"), lit(0L)).as("retained_customers"),
            coalesce(col("retained_customers"), lit(0L))
                .divide(col("cohort_customers"))
                .as("retention_rate"),
            survivalDays.cast(DataTypes.IntegerType).as("survival_days"),
            when(survivalDays.leq(followUp), survival).as("km_survival"),
            // Greenwood's standard error: S x sqrt(sum of d / (n (n - d))) over the steps so far.
            when(
                    survivalDays.leq(followUp),
                    survival.multiply(
                        org.apache.spark.sql.functions.sqrt(coalesce(col("greenwood"), lit(0.0)))))
                .as("km_survival_se"),
            lit(runId).as("run_id"));
  }

  /**
   * Per cohort and month offset, the cohort's customers in a spell on the month's last day (months
   * whose last day a spell covers: last day in [start, end - 1], or up to the as-of date).
   */
  private static Dataset<Row> retained(Dataset<Row> spells, Column asOfDate) {
    Column first = col(CustomerSpells.FIRST_START);
    Column start = col(CustomerSpells.SPELL_START);
    Column end = col(CustomerSpells.SPELL_END);
    Column cohort = trunc(first, "month");
    Column lastIn = coalesce(date_sub(end, 1), asOfDate);
    Column firstMonth = trunc(start, "month");
    Column lastCovered =
        when(last_day(lastIn).equalTo(lastIn), trunc(lastIn, "month"))
            .otherwise(add_months(trunc(lastIn, "month"), -1));
    return spells
        .where(trunc(lastIn, "month").geq(firstMonth))
        .select(
            cohort.as(KpiColumns.COHORT_MONTH),
            explode(
                    when(
                        lastCovered.geq(firstMonth),
                        sequence(firstMonth, lastCovered, expr("interval 1 month"))))
                .as("month"))
        .select(
            col(KpiColumns.COHORT_MONTH),
            months_between(col("month"), col(KpiColumns.COHORT_MONTH))
                .cast(DataTypes.IntegerType)
                .as(KpiColumns.PERIOD_OFFSET))
        .groupBy(KpiColumns.COHORT_MONTH, KpiColumns.PERIOD_OFFSET)
        .agg(count(lit(1)).as("retained_customers"));
  }

  /**
   * Kaplan-Meier over each customer's first spell: per cohort and duration (days), the log of the
   * survival just after it, from the (duration, churned) steps grouped per cohort.
   */
  private static Dataset<Row> kaplanMeier(
      Dataset<Row> spells, Dataset<Row> sizes, Column asOfDate) {
    Column first = col(CustomerSpells.FIRST_START);
    Column start = col(CustomerSpells.SPELL_START);
    Column end = col(CustomerSpells.SPELL_END);
    Column cohort = trunc(first, "month");
    Dataset<Row> firstSpells = spells.where(start.equalTo(first));
    Column duration = datediff(coalesce(end, asOfDate), start);
    Dataset<Row> steps =
        firstSpells
            .groupBy(cohort.as(KpiColumns.COHORT_MONTH), duration.as("duration"))
            .agg(
                sum(when(end.isNotNull(), 1).otherwise(0)).as("events"),
                count(lit(1)).as("leaving"));
    org.apache.spark.sql.expressions.WindowSpec byDuration =
        Window.partitionBy(KpiColumns.COHORT_MONTH).orderBy("duration");
    return steps
        .join(broadcast(sizes), KpiColumns.COHORT_MONTH)
        .withColumn(
            "at_risk",
            col("cohort_customers")
                .minus(
                    coalesce(
                        sum("leaving")
                            .over(byDuration.rowsBetween(Window.unboundedPreceding(), -1)),
                        lit(0))))
        .withColumn(
            "log_s",
            sum(when(col("events").gt(0), log(lit(1.0).minus(col("events").divide(col("at_risk")))))
                    .otherwise(0.0))
                .over(byDuration.rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .withColumn(
            "greenwood",
            sum(when(
                        col("events").gt(0).and(col("at_risk").gt(col("events"))),
                        col("events")
                            .divide(col("at_risk").multiply(col("at_risk").minus(col("events")))))
                    .otherwise(0.0))
                .over(byDuration.rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .select(KpiColumns.COHORT_MONTH, "duration", "log_s", "greenwood");
  }
}
