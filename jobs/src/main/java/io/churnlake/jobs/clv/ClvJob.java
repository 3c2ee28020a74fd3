package io.churnlake.jobs.clv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log10;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.DailyTables;
import io.churnlake.jobs.tables.TableSchemas;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake clv --as-of D}: summarises every customer's purchase days in {@code
 * transactions} as of D, fits BG/NBD and Gamma-Gamma on the distinct summaries (grouped with
 * counts, so the driver holds summaries, not customers), writes the fits to {@code clv_models} and
 * every customer's P(alive), expected purchases, expected spend and CLV to {@code customer_value}
 * (both replacing D's rows).
 */
public final class ClvJob {
  private static final Logger LOG = LoggerFactory.getLogger(ClvJob.class);
  public static final String BG_NBD = "bg_nbd";
  public static final String GAMMA_GAMMA = "gamma_gamma";

  /** customer_value.value_model of BG/NBD with Gamma-Gamma and of the contractual model. */
  public static final String BG_NBD_GAMMA_GAMMA = "bg_nbd_gamma_gamma";

  public static final String CONTRACTUAL = "contractual";
  public static final String VALUE_MODEL = "value_model";
  public static final int BILLING_DAYS = 30;

  private ClvJob() {}

  /** What a run fitted and wrote. */
  public record Result(
      LocalDate asOf,
      String model,
      long customers,
      long repeatCustomers,
      Optional<MaximumLikelihood.Fit> purchases,
      Optional<MaximumLikelihood.Fit> spend,
      double totalClv) {}

  public static Result run(JobContext ctx, LocalDate asOf) {
    ChurnConfig.ClvModel model = ctx.config().clv().model();
    boolean contractual =
        model == ChurnConfig.ClvModel.CONTRACTUAL
            || (model == ChurnConfig.ClvModel.AUTO && !ctx.store().exists(ChurnTable.TRANSACTIONS));
    return ctx.stage(
        "clv", () -> contractual ? ContractualClv.run(ctx, asOf) : fitAndScore(ctx, asOf));
  }

  /** The two fitted models and the customers they were fitted on. */
  private record Fits(
      ClvFits.RecencyFrequency rf,
      MaximumLikelihood.Fit purchases,
      ClvFits.Spend spend,
      MaximumLikelihood.Fit spendFit,
      long customers,
      long repeat) {}

  /** BG/NBD on the purchase summaries, then Gamma-Gamma on the repeat customers' spend. */
  private static Fits fit(Dataset<Row> summaries, ChurnConfig.ClvSettings s, LocalDate asOf) {
    long start = System.nanoTime();
    ClvFits.RecencyFrequency rf = recencyFrequency(summaries, s.maxGroups());
    LOG.info("clv: summaries and {} BG/NBD groups in {} s", rf.x().length, seconds(start));
    start = System.nanoTime();
    long customers = (long) Arrays.stream(rf.count()).sum();
    if (customers < s.minCustomers()) {
      throw ChurnErrors.tooFewCustomersForClv(
          "BG/NBD", asOf, customers, s.minCustomers(), "customers with a purchase");
    }
    MaximumLikelihood.Fit purchases = checked(ClvFits.fitBgNbd(rf), "BG/NBD", s);
    ClvFits.Spend spend = spend(summaries, s);
    long repeat = (long) Arrays.stream(spend.count()).sum();
    if (repeat < s.minCustomers()) {
      throw ChurnErrors.tooFewCustomersForClv(
          "Gamma-Gamma",
          asOf,
          repeat,
          s.minCustomers(),
          "customers with a repeat purchase day of positive spend");
    }
    MaximumLikelihood.Fit spendFit = checked(ClvFits.fitGammaGamma(spend), "Gamma-Gamma", s);
    LOG.info("clv: fits ({} Gamma-Gamma groups) in {} s", spend.x().length, seconds(start));
    return new Fits(rf, purchases, spend, spendFit, customers, repeat);
  }

  private static Result fitAndScore(JobContext ctx, LocalDate asOf) {
    ChurnConfig.ClvSettings s = ctx.config().clv();
    if (!ctx.store().exists(ChurnTable.TRANSACTIONS)) {
      throw ChurnErrors.noDataBefore(ChurnTable.TRANSACTIONS.tableName(), asOf);
    }
    Dataset<Row> summaries =
        new SummarisePurchases(asOf)
            .apply(DailyTables.purchasesUpTo(ctx, asOf))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Fits f = fit(summaries, s, asOf);
      long start = System.nanoTime();
      GammaGamma g = GammaGamma.of(f.spendFit().parameters());
      double population = g.q() > 1 ? g.populationMeanSpend() : f.spend().meanSpend();
      Dataset<Row> values =
          new ScoreCustomerValue(BgNbd.of(f.purchases().parameters()), g, population, s)
              .apply(summaries)
              .withColumn(VALUE_MODEL, lit(BG_NBD_GAMMA_GAMMA));
      ctx.store()
          .replaceWhere(ChurnTable.CUSTOMER_VALUE, values, "as_of_date = DATE'" + asOf + "'");
      LOG.info("clv: customer_value written in {} s", seconds(start));
      writeModels(ctx, asOf, f);
      double total =
          ctx.store()
              .read(ChurnTable.CUSTOMER_VALUE)
              .where(col(Columns.AS_OF_DATE).equalTo(lit(Date.valueOf(asOf))))
              .agg(sum(ScoreCustomerValue.CLV))
              .head()
              .getDouble(0);
      LOG.info(
          "clv as of {}: {} customers ({} repeat), BG/NBD {} ({}), Gamma-Gamma {} ({}), total CLV {}",
          asOf,
          f.customers(),
          f.repeat(),
          Arrays.toString(f.purchases().parameters()),
          f.purchases().status(),
          Arrays.toString(f.spendFit().parameters()),
          f.spendFit().status(),
          total);
      return new Result(
          asOf,
          BG_NBD_GAMMA_GAMMA,
          f.customers(),
          f.repeat(),
          Optional.of(f.purchases()),
          Optional.of(f.spendFit()),
          total);
    } finally {
      summaries.unpersist();
    }
  }

  /** Replaces the as-of date's {@code clv_models} rows with the two fits. */
  private static void writeModels(JobContext ctx, LocalDate asOf, Fits f) {
    ctx.store()
        .replaceWhere(
            ChurnTable.CLV_MODELS,
            models(
                ctx,
                asOf,
                f.purchases(),
                f.spendFit(),
                f.customers(),
                f.rf().x().length,
                f.repeat(),
                f.spend().x().length),
            "as_of_date = DATE'" + asOf + "'");
  }

  private static long seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000_000L;
  }

  private static MaximumLikelihood.Fit checked(
      MaximumLikelihood.Fit fit, String model, ChurnConfig.ClvSettings s) {
    if (!fit.converged()) {
      if (!s.acceptUnconverged()) {
        throw ChurnErrors.clvNotConverged(model, Arrays.toString(fit.parameters()), fit.status());
      }
      LOG.warn("clv: {} did not converge, using its best parameters: {}", model, fit.status());
    }
    return fit;
  }

  /** Distinct (x, tx, T) with counts; refuses more than maxGroups. */
  static ClvFits.RecencyFrequency recencyFrequency(Dataset<Row> summaries, long maxGroups) {
    List<Row> groups =
        summaries
            .groupBy(
                SummarisePurchases.FREQUENCY, SummarisePurchases.RECENCY, SummarisePurchases.AGE)
            .count()
            .limit((int) Math.min(Integer.MAX_VALUE, maxGroups + 1))
            .collectAsList();
    if (groups.size() > maxGroups) {
      throw ChurnErrors.tooManyClvGroups("BG/NBD", groups.size(), maxGroups);
    }
    int n = groups.size();
    double[][] c = new double[4][n];
    for (int i = 0; i < n; i++) {
      Row r = groups.get(i);
      c[0][i] = r.getInt(0);
      c[1][i] = r.getInt(1);
      c[2][i] = r.getInt(2);
      c[3][i] = r.getLong(3);
    }
    return new ClvFits.RecencyFrequency(c[0], c[1], c[2], c[3]);
  }

  /**
   * Distinct (x, mean repeat spend rounded to the configured significant digits) of customers with
   * repeat purchase days of positive mean spend, with counts.
   */
  static ClvFits.Spend spend(Dataset<Row> summaries, ChurnConfig.ClvSettings s) {
    Column m = col(SummarisePurchases.MEAN_REPEAT_SPEND);
    Column scale = pow(lit(10.0), floor(log10(m)).minus(s.spendSignificantDigits() - 1));
    List<Row> groups =
        summaries
            .where(col(SummarisePurchases.FREQUENCY).gt(0).and(m.gt(0)))
            .groupBy(
                col(SummarisePurchases.FREQUENCY), round(m.divide(scale)).multiply(scale).as("m"))
            .count()
            .limit((int) Math.min(Integer.MAX_VALUE, s.maxGroups() + 1))
            .collectAsList();
    if (groups.size() > s.maxGroups()) {
      throw ChurnErrors.tooManyClvGroups("Gamma-Gamma", groups.size(), s.maxGroups());
    }
    int n = groups.size();
    double[][] c = new double[3][n];
    for (int i = 0; i < n; i++) {
      Row r = groups.get(i);
      c[0][i] = r.getInt(0);
      c[1][i] = r.getDouble(1);
      c[2][i] = r.getLong(2);
    }
    return new ClvFits.Spend(c[0], c[1], c[2]);
  }

  private static Dataset<Row> models(
      JobContext ctx,
      LocalDate asOf,
      MaximumLikelihood.Fit purchases,
      MaximumLikelihood.Fit spend,
      long customers,
      long groups,
      long repeat,
      long spendGroups) {
    List<Row> rows = new ArrayList<>();
    add(rows, asOf, BG_NBD, new String[] {"r", "alpha", "a", "b"}, purchases, customers, groups);
    add(rows, asOf, GAMMA_GAMMA, new String[] {"p", "q", "gamma"}, spend, repeat, spendGroups);
    return ctx.spark().createDataFrame(rows, TableSchemas.CLV_MODELS);
  }

  private static void add(
      List<Row> rows,
      LocalDate asOf,
      String model,
      String[] names,
      MaximumLikelihood.Fit fit,
      long customers,
      long groups) {
    for (int i = 0; i < names.length; i++) {
      double se = fit.standardErrors()[i];
      rows.add(
          RowFactory.create(
              Date.valueOf(asOf),
              model,
              names[i],
              fit.parameters()[i],
              Double.isFinite(se) ? se : null,
              fit.logLikelihood(),
              fit.converged(),
              fit.status(),
              customers,
              groups));
    }
  }

  /** The fits as lines for people (the CLI). */
}
