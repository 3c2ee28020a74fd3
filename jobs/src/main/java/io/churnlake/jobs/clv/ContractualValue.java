package io.churnlake.jobs.clv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expm1;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * customer_value rows for contractual (subscription) data, where churn is observed and each
 * customer pays per period: value = margin x the amount billed in the last 30 days x the expected
 * discounted number of further monthly payments, {@code sum over k = 1..H of ((1 - m) / (1 +
 * d))^k}, with m the monthly churn probability implied by the churn score over the model's horizon
 * h days, {@code m = 1 - (1 - P(churn))^(30 / h)}, and d the monthly discount rate. The sum is
 * evaluated as {@code q (e^(H ln q) - 1) / (e^(ln q) - 1)} with expm1/log1p, exact near q = 1. A
 * customer billed nothing in the last 30 days (a free plan) is worth 0. BG/NBD's columns are null.
 */
public final class ContractualValue {
  public static final String MONTHLY_CHURN_PROBABILITY = "monthly_churn_probability";
  public static final String BILLED_AMOUNT = "billed_amount";

  private final int horizonDays;
  private final int months;
  private final double monthlyDiscountRate;
  private final double margin;

  public ContractualValue(int horizonDays, int months, double monthlyDiscountRate, double margin) {
    this.horizonDays = horizonDays;
    this.months = months;
    this.monthlyDiscountRate = monthlyDiscountRate;
    this.margin = margin;
  }

  /** Sum over k = 1..H of (1 + d)^-k: the discounted months of a contract that does not end. */
  double annuity() {
    double total = 0;
    for (int k = 1; k <= months; k++) {
      total += Math.pow(1 + monthlyDiscountRate, -k);
    }
    return total;
  }

  /**
   * @param scores customer_id, as_of_date, churn_probability (one as-of date)
   * @param billed customer_id, billed_amount over the 30 days up to the date
   */
  public Dataset<Row> apply(Dataset<Row> scores, Dataset<Row> billed) {
    Column p = col(Columns.CHURN_PROBABILITY);
    Column monthly = lit(1.0).minus(pow(lit(1.0).minus(p), 30.0 / horizonDays));
    // ln q = ln(1 - m) - ln(1 + d); q = 0 (m = 1) leaves nothing to pay.
    Column lnQ =
        log1p(col(MONTHLY_CHURN_PROBABILITY).multiply(-1)).minus(Math.log1p(monthlyDiscountRate));
    Column payments =
        when(col(MONTHLY_CHURN_PROBABILITY).geq(1.0), 0.0)
            .when(lnQ.equalTo(0.0), (double) months)
            .otherwise(
                org.apache
                    .spark
                    .sql
                    .functions
                    .exp(lnQ)
                    .multiply(expm1(lnQ.multiply(months)))
                    .divide(expm1(lnQ)));
    Column amount = when(col(BILLED_AMOUNT).isNull(), 0.0).otherwise(col(BILLED_AMOUNT));
    return scores
        .join(billed, Columns.CUSTOMER_ID, "left")
        .withColumn(MONTHLY_CHURN_PROBABILITY, monthly)
        .select(
            col(Columns.CUSTOMER_ID),
            col(Columns.AS_OF_DATE),
            lit(null).cast(DataTypes.DateType).as(SummarisePurchases.FIRST_PURCHASE),
            lit(null).cast(DataTypes.IntegerType).as(SummarisePurchases.FREQUENCY),
            lit(null).cast(DataTypes.IntegerType).as(SummarisePurchases.RECENCY),
            lit(null).cast(DataTypes.IntegerType).as(SummarisePurchases.AGE),
            lit(null).cast(DataTypes.DoubleType).as(SummarisePurchases.MEAN_REPEAT_SPEND),
            lit(null).cast(DataTypes.DoubleType).as(ScoreCustomerValue.P_ALIVE),
            lit(null).cast(DataTypes.DoubleType).as(ScoreCustomerValue.EXPECTED_PURCHASES),
            amount.as(ScoreCustomerValue.EXPECTED_SPEND),
            amount.multiply(margin).multiply(payments).as(ScoreCustomerValue.CLV),
            amount.multiply(margin * annuity()).as(ScoreCustomerValue.VALUE_AT_RISK),
            lit(ClvJob.CONTRACTUAL).as(ClvJob.VALUE_MODEL));
  }
}
