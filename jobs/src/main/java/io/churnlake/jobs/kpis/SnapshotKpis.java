package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.tables.KpiColumns;
import io.churnlake.jobs.tables.SegmentColumns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Point-in-time KPIs of each period, from the latest snapshot dated in it (on or before the as-of
 * date): {@code revenue_at_risk} = sum of P(churn) x value over {@code risk_segments} (by all, risk
 * tier, value tier and segment), and {@code clv_mean}, {@code clv_total} over {@code
 * customer_value} (all). Status snapshot, with the snapshot date in the note. Pure transforms.
 */
public final class SnapshotKpis {
  private SnapshotKpis() {}

  /** The latest as_of_date of {@code table} within each period: period_start, period_end, date. */
  static Dataset<Row> latestIn(Dataset<Row> table, Dataset<Row> periods) {
    Column d = col(Columns.AS_OF_DATE);
    return table
        .select(d)
        .distinct()
        .join(
            broadcast(periods),
            d.geq(col(KpiColumns.PERIOD_START)).and(d.leq(col(KpiColumns.PERIOD_END))))
        .groupBy(KpiColumns.PERIOD_START, KpiColumns.PERIOD_END)
        .agg(max(d).as(Columns.AS_OF_DATE));
  }

  private static Column note() {
    return concat(lit("as of "), date_format(col(Columns.AS_OF_DATE), "yyyy-MM-dd"));
  }

  /** revenue_at_risk from risk_segments rows. */
  public static Dataset<Row> revenueAtRisk(Dataset<Row> riskSegments, Dataset<Row> periods) {
    Column all = FlowKpis.dimension(KpiColumns.ALL, lit(KpiColumns.ALL));
    Dataset<Row> sums =
        riskSegments
            .join(broadcast(latestIn(riskSegments, periods)), Columns.AS_OF_DATE)
            .select(
                col(KpiColumns.PERIOD_START),
                col(KpiColumns.PERIOD_END),
                col(Columns.AS_OF_DATE),
                col(Columns.CHURN_PROBABILITY).multiply(col(SegmentColumns.VALUE)).as("at_risk"),
                explode(
                        array(
                            all,
                            FlowKpis.dimension(Columns.RISK_TIER, col(Columns.RISK_TIER)),
                            FlowKpis.dimension(
                                SegmentColumns.VALUE_TIER, col(SegmentColumns.VALUE_TIER)),
                            FlowKpis.dimension(
                                SegmentColumns.SEGMENT, col(SegmentColumns.SEGMENT))))
                    .as("d"))
            .groupBy(
                col(KpiColumns.PERIOD_START),
                col(KpiColumns.PERIOD_END),
                col(Columns.AS_OF_DATE),
                col("d." + KpiColumns.DIMENSION).as(KpiColumns.DIMENSION),
                col("d." + KpiColumns.DIMENSION_VALUE).as(KpiColumns.DIMENSION_VALUE))
            .agg(sum("at_risk").as("at_risk"));
    return KpiRows.explodeMetrics(
        sums, KpiRows.metric("revenue_at_risk", col("at_risk"), lit(KpiColumns.SNAPSHOT), note()));
  }

  /** clv_mean and clv_total from customer_value rows (customers without a CLV left out). */
  public static Dataset<Row> clv(Dataset<Row> customerValue, Dataset<Row> periods) {
    Dataset<Row> sums =
        customerValue
            .join(broadcast(latestIn(customerValue, periods)), Columns.AS_OF_DATE)
            .groupBy(
                col(KpiColumns.PERIOD_START), col(KpiColumns.PERIOD_END), col(Columns.AS_OF_DATE))
            .agg(avg("clv").as("clv_mean"), sum("clv").as("clv_total"))
            .withColumn(KpiColumns.DIMENSION, lit(KpiColumns.ALL))
            .withColumn(KpiColumns.DIMENSION_VALUE, lit(KpiColumns.ALL));
    return KpiRows.explodeMetrics(
        sums,
        KpiRows.metric("clv_mean", col("clv_mean"), lit(KpiColumns.SNAPSHOT), note()),
        KpiRows.metric("clv_total", col("clv_total"), lit(KpiColumns.SNAPSHOT), note()));
  }
}
