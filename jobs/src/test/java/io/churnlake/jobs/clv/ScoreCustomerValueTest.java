package io.churnlake.jobs.clv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.testing.SparkTestBase;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * customer_value's columns against the fitted models' own Java formulas, customer by customer.
 * Invariants: P(alive) (a column expression) equals BG/NBD's {@code probabilityAlive} and is 1
 * without a repeat purchase; expected spend equals Gamma-Gamma's conditional mean, or the
 * population spend without repeat spend; CLV is the monthly-discounted sum of BG/NBD's expected
 * purchases times the expected spend and margin; value at risk is the CLV.
 */
class ScoreCustomerValueTest extends SparkTestBase {
  private static final StructType SUMMARIES =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("first_purchase_date", DataTypes.DateType)
          .add("frequency", DataTypes.IntegerType)
          .add("recency_days", DataTypes.IntegerType)
          .add("age_days", DataTypes.IntegerType)
          .add("mean_repeat_spend", DataTypes.DoubleType);

  private static Object[] summary(String c, int x, int tx, int t, Double m) {
    return new Object[] {
      c,
      Date.valueOf("2026-03-31"),
      Date.valueOf("2026-03-31").toLocalDate().minusDays(t),
      x,
      tx,
      t,
      m
    };
  }

  @Test
  void everyColumnEqualsTheModelsOwnFormula() {
    ChurnConfig.ClvSettings settings = ChurnConfigLoader.load(List.of(), List.of()).clv();
    BgNbd bg = new BgNbd(0.24, 4.4, 0.79, 2.4);
    GammaGamma gg = new GammaGamma(6.25, 3.74, 15.4);
    double population = gg.populationMeanSpend();
    List<Row> out =
        new ScoreCustomerValue(bg, gg, population, settings)
            .apply(
                rows(
                    SUMMARIES,
                    summary("1", 0, 0, 40, null),
                    summary("2", 1, 10, 40, 25.0),
                    summary("3", 6, 170, 180, 12.5),
                    summary("4", 6, 30, 180, 12.5),
                    summary("5", 20, 350, 360, 40.0)))
            .orderBy("customer_id")
            .collectAsList();
    assertThat(out).extracting(r -> r.getString(0)).containsExactly("1", "2", "3", "4", "5");
    for (Row r : out) {
      int x = r.getInt(r.fieldIndex("frequency"));
      double tx = r.getInt(r.fieldIndex("recency_days"));
      double t = r.getInt(r.fieldIndex("age_days"));
      double alive = bg.probabilityAlive(x, tx, t);
      double spend =
          x > 0 ? gg.expectedSpend(x, r.getDouble(r.fieldIndex("mean_repeat_spend"))) : population;
      double discounted = 0;
      for (int i = 1; i <= settings.horizonMonths(); i++) {
        discounted +=
            (bg.expectedPurchases(30.0 * i, x, tx, t)
                    - bg.expectedPurchases(30.0 * (i - 1), x, tx, t))
                / Math.pow(1 + settings.monthlyDiscountRate(), i);
      }
      double clv = discounted * spend * settings.margin();
      String who = "customer " + r.getString(0);
      assertThat(r.getDouble(r.fieldIndex("p_alive"))).as(who).isCloseTo(alive, within(1e-12));
      assertThat(r.getDouble(r.fieldIndex("expected_purchases")))
          .as(who)
          .isCloseTo(
              bg.expectedPurchases(settings.expectedPurchasesDays(), x, tx, t), within(1e-12));
      assertThat(r.getDouble(r.fieldIndex("expected_spend")))
          .as(who)
          .isCloseTo(spend, within(1e-9));
      assertThat(r.getDouble(r.fieldIndex("clv"))).as(who).isCloseTo(clv, within(1e-9 * clv));
      assertThat(r.getDouble(r.fieldIndex("value_at_risk")))
          .as(who)
          .isEqualTo(r.getDouble(r.fieldIndex("clv")));
    }
    // Without a repeat purchase a customer is alive by construction.
    assertThat(out.get(0).getDouble(out.get(0).fieldIndex("p_alive"))).isEqualTo(1.0);
    // Same purchases, a long silence since the last one: less likely alive, less value.
    Row recent = out.get(2);
    Row silent = out.get(3);
    assertThat(silent.getDouble(silent.fieldIndex("p_alive")))
        .isLessThan(recent.getDouble(recent.fieldIndex("p_alive")));
    assertThat(silent.getDouble(silent.fieldIndex("clv")))
        .isLessThan(recent.getDouble(recent.fieldIndex("clv")));
  }
}
