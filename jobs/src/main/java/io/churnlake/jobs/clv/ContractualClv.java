package io.churnlake.jobs.clv;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelRegistry;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code clv} under the contractual model: each scored customer's expected value over the horizon
 * from D's churn probability and last month's billing ({@link ContractualValue}).
 */
final class ContractualClv {
  private static final Logger LOG = LoggerFactory.getLogger(ContractualClv.class);

  private ContractualClv() {}

  /** The contractual model ({@link ContractualValue}) from D's churn scores and billing events. */
  static ClvJob.Result run(JobContext ctx, LocalDate asOf) {
    ChurnConfig.ClvSettings s = ctx.config().clv();
    String onDate = History.asOfPredicate(asOf);
    Dataset<Row> scores =
        History.scoresOn(ctx, asOf, "the contractual value model needs D's churn scores: ");
    // One model per date's scores: a tiny result.
    List<String> versions =
        scores.select(Columns.MODEL_VERSION).distinct().as(Encoders.STRING()).collectAsList();
    ModelRegistry registry =
        new ModelRegistry(
            ctx.config().warehouse(), ctx.spark().sparkContext().hadoopConfiguration());
    int horizon =
        registry
            .find(versions.get(0))
            .map(ModelInfo::horizonDays)
            .orElse(ctx.config().labels().horizonDays());
    Dataset<Row> billed = billed(ctx, asOf);
    Dataset<Row> values =
        new ContractualValue(horizon, s.horizonMonths(), s.monthlyDiscountRate(), s.margin())
            .apply(
                scores.select(Columns.CUSTOMER_ID, Columns.AS_OF_DATE, Columns.CHURN_PROBABILITY),
                billed);
    ctx.store().replaceWhere(ChurnTable.CUSTOMER_VALUE, values, onDate);
    Row totals =
        ctx.store()
            .read(ChurnTable.CUSTOMER_VALUE)
            .where(onDate)
            .agg(
                count(lit(1)),
                count(when(col(ScoreCustomerValue.CLV).gt(0), true)),
                coalesce(sum(ScoreCustomerValue.CLV), lit(0.0)))
            .head();
    LOG.info(
        "clv as of {}: contractual, {} customers ({} billed in the last {} days), horizon {} days,"
            + " total CLV {}",
        asOf,
        totals.getLong(0),
        totals.getLong(1),
        ClvJob.BILLING_DAYS,
        horizon,
        totals.getDouble(2));
    return new ClvJob.Result(
        asOf,
        ClvJob.CONTRACTUAL,
        totals.getLong(0),
        totals.getLong(1),
        Optional.empty(),
        Optional.empty(),
        totals.getDouble(2));
  }

  /** Per customer, the billing events' amounts in the {@link ClvJob#BILLING_DAYS} up to D. */
  private static Dataset<Row> billed(JobContext ctx, LocalDate asOf) {
    return ctx.store()
        .read(ChurnTable.EVENTS)
        .where(
            col(Columns.EVENT_DATE)
                .leq(lit(Date.valueOf(asOf)))
                .and(
                    col(Columns.EVENT_DATE)
                        .gt(lit(Date.valueOf(asOf.minusDays(ClvJob.BILLING_DAYS)))))
                .and(col(Columns.EVENT_TYPE).equalTo("billing")))
        .groupBy(Columns.CUSTOMER_ID)
        .agg(sum(col(Columns.AMOUNT)).as(ContractualValue.BILLED_AMOUNT));
  }
}
