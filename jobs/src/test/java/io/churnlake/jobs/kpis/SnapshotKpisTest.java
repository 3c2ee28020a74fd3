package io.churnlake.jobs.kpis;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.testing.SparkTestBase;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Point-in-time KPIs from hand-worked snapshots. Invariants: each period reads only its latest
 * snapshot (an earlier one in the same period never adds to it, a period without one has no row),
 * revenue at risk is the sum of P(churn) x value per dimension value and over all, and CLV's mean
 * and total leave customers without a CLV out.
 */
class SnapshotKpisTest extends SparkTestBase {
  private static final StructType PLANS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("churn_probability", DataTypes.DoubleType)
          .add("risk_tier", DataTypes.StringType)
          .add("value", DataTypes.DoubleType)
          .add("value_tier", DataTypes.StringType)
          .add("segment", DataTypes.StringType);

  private static final StructType VALUES =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("clv", DataTypes.DoubleType);

  private Dataset<Row> periods() {
    return KpiPeriods.between(
            ChurnConfig.KpiGrain.MONTH,
            LocalDate.parse("2026-01-01"),
            LocalDate.parse("2026-03-31"))
        .toDataset(spark());
  }

  private static Object[] plan(
      String c, String date, double p, String risk, double v, String tier) {
    return new Object[] {
      c, Date.valueOf(date), p, risk, v, tier, tier + " value, " + risk + " risk"
    };
  }

  @Test
  void revenueAtRiskSumsTheLatestSnapshotOfEachPeriodPerDimension() {
    Dataset<Row> plans =
        rows(
            PLANS,
            // January: an early snapshot that the later one of the month replaces.
            plan("1", "2026-01-10", 0.9, "high", 1000.0, "high"),
            plan("1", "2026-01-31", 0.5, "high", 100.0, "high"),
            plan("2", "2026-01-31", 0.25, "low", 40.0, "low"),
            // March only: February has no snapshot.
            plan("1", "2026-03-15", 0.75, "high", 200.0, "high"));
    Dataset<Row> kpis = SnapshotKpis.revenueAtRisk(plans, periods());
    assertThat(
            kpis.selectExpr(
                    "period_start",
                    "dimension",
                    "dimension_value",
                    "metric",
                    "value",
                    "status",
                    "note")
                .orderBy("period_start", "dimension", "dimension_value")
                .collectAsList()
                .toString())
        .isEqualTo(
            "[[2026-01-01,all,all,revenue_at_risk,60.0,snapshot,as of 2026-01-31],"
                + " [2026-01-01,risk_tier,high,revenue_at_risk,50.0,snapshot,as of 2026-01-31],"
                + " [2026-01-01,risk_tier,low,revenue_at_risk,10.0,snapshot,as of 2026-01-31],"
                + " [2026-01-01,segment,high value, high risk,revenue_at_risk,50.0,snapshot,as of"
                + " 2026-01-31],"
                + " [2026-01-01,segment,low value, low risk,revenue_at_risk,10.0,snapshot,as of"
                + " 2026-01-31],"
                + " [2026-01-01,value_tier,high,revenue_at_risk,50.0,snapshot,as of 2026-01-31],"
                + " [2026-01-01,value_tier,low,revenue_at_risk,10.0,snapshot,as of 2026-01-31],"
                + " [2026-03-01,all,all,revenue_at_risk,150.0,snapshot,as of 2026-03-15],"
                + " [2026-03-01,risk_tier,high,revenue_at_risk,150.0,snapshot,as of 2026-03-15],"
                + " [2026-03-01,segment,high value, high risk,revenue_at_risk,150.0,snapshot,as of"
                + " 2026-03-15],"
                + " [2026-03-01,value_tier,high,revenue_at_risk,150.0,snapshot,as of 2026-03-15]]");
  }

  @Test
  void clvMeanAndTotalLeaveCustomersWithoutAValueOut() {
    Dataset<Row> values =
        rows(
            VALUES,
            new Object[] {"1", Date.valueOf("2026-02-01"), 999.0},
            new Object[] {"1", Date.valueOf("2026-02-28"), 30.0},
            new Object[] {"2", Date.valueOf("2026-02-28"), 10.0},
            new Object[] {"3", Date.valueOf("2026-02-28"), null});
    assertThat(
            SnapshotKpis.clv(values, periods())
                .selectExpr("period_start", "dimension", "metric", "value", "note")
                .orderBy("period_start", "metric")
                .collectAsList()
                .toString())
        .isEqualTo(
            "[[2026-02-01,all,clv_mean,20.0,as of 2026-02-28],"
                + " [2026-02-01,all,clv_total,40.0,as of 2026-02-28]]");
  }
}
