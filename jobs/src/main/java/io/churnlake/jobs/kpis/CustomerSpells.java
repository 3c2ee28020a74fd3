package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * A customer's spells: the stretches of days during which they are a customer, each from its first
 * day ({@code spell_start}) to the day they churned ({@code spell_end}, null while the spell is
 * still open on the as-of date), with the customer's very first day ({@code first_start}). Spells
 * of one customer never overlap, so a customer is active on day d in at most one spell: {@code
 * spell_start <= d < spell_end}. KPIs, cohorts and campaign outcomes all count spells, so they
 * share one churn definition with the labels. Pure transforms.
 */
public final class CustomerSpells {
  public static final String SPELL_START = "spell_start";
  public static final String SPELL_END = "spell_end";
  public static final String FIRST_START = "first_start";

  private CustomerSpells() {}

  /**
   * Explicit churn (labels.definition = explicit): one spell per customer, from their first event
   * to their first churn event (null: none yet).
   *
   * @param events rows with customer_id, event_date, event_type, dated on or before the as-of date
   */
  public static Dataset<Row> explicit(Dataset<Row> events, String churnEvent) {
    Column day = col(Columns.EVENT_DATE);
    return events
        .groupBy(Columns.CUSTOMER_ID)
        .agg(
            min(day).as(SPELL_START),
            min(when(col(Columns.EVENT_TYPE).equalTo(churnEvent), day)).as(SPELL_END))
        .select(
            col(Columns.CUSTOMER_ID),
            col(SPELL_START),
            col(SPELL_END),
            col(SPELL_START).as(FIRST_START));
  }

  /**
   * Inactivity churn (labels.definition = inactivity): a spell is a run of activity days in which
   * no gap exceeds {@code horizonDays}; it ends (the customer churns) {@code horizonDays} after its
   * last activity, once that day is on or before {@code asOf}; activity after a longer gap starts a
   * new spell (a returning customer).
   *
   * @param activity qualifying activity rows with customer_id and event_date on or before asOf
   */
  public static Dataset<Row> inactivity(Dataset<Row> activity, int horizonDays, LocalDate asOf) {
    Column day = col(Columns.EVENT_DATE);
    WindowSpec byDay = Window.partitionBy(Columns.CUSTOMER_ID).orderBy(Columns.EVENT_DATE);
    Column starts = col("previous").isNull().or(datediff(day, col("previous")).gt(horizonDays));
    Column end = date_add(col("last_day"), horizonDays);
    return activity
        .select(Columns.CUSTOMER_ID, Columns.EVENT_DATE)
        .distinct()
        .withColumn("previous", lag(day, 1).over(byDay))
        .withColumn(
            "spell",
            sum(when(starts, 1).otherwise(0))
                .over(byDay.rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .groupBy(Columns.CUSTOMER_ID, "spell")
        .agg(min(day).as(SPELL_START), max(day).as("last_day"))
        .select(
            col(Columns.CUSTOMER_ID),
            col(SPELL_START),
            when(end.leq(lit(Date.valueOf(asOf))), end).as(SPELL_END),
            min(col(SPELL_START)).over(Window.partitionBy(Columns.CUSTOMER_ID)).as(FIRST_START));
  }
}
