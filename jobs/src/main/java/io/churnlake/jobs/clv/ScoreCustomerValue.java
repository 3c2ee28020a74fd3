package io.churnlake.jobs.clv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * customer_value rows from purchase summaries ({@link SummarisePurchases}) and fitted models:
 * P(alive) and expected spend as column expressions; expected purchases and the discounted
 * purchases behind CLV through BG/NBD's hypergeometric formula (a Java function: Spark has no 2F1).
 * CLV = sum over 30-day months i = 1..H of (expected purchases by month i - by month i - 1) / (1 +
 * monthly discount)^i x expected spend x margin.
 */
public final class ScoreCustomerValue {
  public static final String P_ALIVE = "p_alive";
  public static final String EXPECTED_PURCHASES = "expected_purchases";
  public static final String EXPECTED_SPEND = "expected_spend";
  public static final String CLV = "clv";

  /**
   * What the customer's churn now would lose, the value a retention plan weighs: the CLV itself for
   * BG/NBD (non-contractual data has no observed churn, and the CLV already counts P(alive)); for
   * the contractual model the contract's discounted revenue over the horizon.
   */
  public static final String VALUE_AT_RISK = "value_at_risk";

  private final BgNbd purchases;
  private final GammaGamma spend;
  private final double populationSpend;
  private final ChurnConfig.ClvSettings settings;

  /**
   * @param populationSpend expected spend per purchase of a customer without repeat purchases
   *     (Gamma-Gamma's population mean, or the observed mean when q <= 1 leaves it undefined)
   */
  public ScoreCustomerValue(
      BgNbd purchases, GammaGamma spend, double populationSpend, ChurnConfig.ClvSettings settings) {
    this.purchases = purchases;
    this.spend = spend;
    this.populationSpend = populationSpend;
    this.settings = settings;
  }

  public Dataset<Row> apply(Dataset<Row> summaries) {
    Column x = col(SummarisePurchases.FREQUENCY).cast("double");
    Column tx = col(SummarisePurchases.RECENCY).cast("double");
    Column t = col(SummarisePurchases.AGE).cast("double");
    Column m = col(SummarisePurchases.MEAN_REPEAT_SPEND);
    BgNbd b = purchases;
    // u: log odds of "dropped out after the last purchase" (P(alive) = 1 / (1 + e^u)).
    Column u =
        log(lit(b.a()).divide(x.plus(b.b() - 1)))
            .plus(x.plus(b.r()).multiply(log(t.plus(b.alpha())).minus(log(tx.plus(b.alpha())))));
    Column alive = when(x.gt(0), lit(1.0).divide(lit(1.0).plus(exp(u)))).otherwise(1.0);
    GammaGamma g = spend;
    Column expectedSpend =
        when(
                x.gt(0).and(m.gt(0)),
                lit(g.p())
                    .multiply(x.multiply(m).plus(g.gamma()))
                    .divide(x.multiply(g.p()).plus(g.q() - 1)))
            .otherwise(populationSpend);
    int days = settings.expectedPurchasesDays();
    UserDefinedFunction next =
        udf(
            (UDF3<Double, Double, Double, Double>)
                (xs, txs, ts) -> b.expectedPurchases(days, xs, txs, ts),
            DataTypes.DoubleType);
    int months = settings.horizonMonths();
    double rate = settings.monthlyDiscountRate();
    UserDefinedFunction discounted =
        udf(
            (UDF3<Double, Double, Double, Double>)
                (xs, txs, ts) -> discountedPurchases(b, months, rate, xs, txs, ts),
            DataTypes.DoubleType);
    return summaries
        .withColumn(P_ALIVE, alive)
        .withColumn(EXPECTED_PURCHASES, next.apply(x, tx, t))
        .withColumn(EXPECTED_SPEND, expectedSpend)
        .withColumn(
            CLV,
            discounted.apply(x, tx, t).multiply(col(EXPECTED_SPEND)).multiply(settings.margin()))
        .select(
            col(Columns.CUSTOMER_ID),
            col(Columns.AS_OF_DATE),
            col(SummarisePurchases.FIRST_PURCHASE),
            col(SummarisePurchases.FREQUENCY),
            col(SummarisePurchases.RECENCY),
            col(SummarisePurchases.AGE),
            col(SummarisePurchases.MEAN_REPEAT_SPEND),
            col(P_ALIVE),
            col(EXPECTED_PURCHASES),
            col(EXPECTED_SPEND),
            col(CLV),
            col(CLV).as(VALUE_AT_RISK));
  }

  /** Sum over months i of (E[Y(30 i)] - E[Y(30 (i - 1))]) / (1 + rate)^i. */
  static double discountedPurchases(
      BgNbd b, int months, double rate, double x, double tx, double t) {
    double total = 0;
    double previous = 0;
    for (int i = 1; i <= months; i++) {
      double cumulative = b.expectedPurchases(30.0 * i, x, tx, t);
      total += (cumulative - previous) / Math.pow(1 + rate, i);
      previous = cumulative;
    }
    return total;
  }
}
