package io.churnlake.benchmarks;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.spark.ChurnSpark;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.clv.ClvJob;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Benchmark of the clv stage at scale (run by {@code bench/clv.sh}; not a test): N customers
 * simulated from BG/NBD and Gamma-Gamma themselves, in Spark (each task draws its customers'
 * purchase rates, dropout probabilities and spend scales, then their purchases day by day, seeded
 * by customer id), written to a Delta {@code transactions} table first so generation is not timed.
 * Then the same code as {@code clv --as-of D} ({@link ClvJob#run}): summaries, grouped fits, every
 * customer's value written to {@code customer_value}. Prints the transaction count, the wall time,
 * the fitted parameters beside the truth, and customers per second per core.
 *
 * <p>Arguments: work-dir customers [--set key=value]...
 */
public final class ClvBenchmark {
  static final LocalDate AS_OF = LocalDate.of(2026, 6, 30);
  // BG/NBD r, alpha (purchase rate per day), a, b (dropout); Gamma-Gamma p, q, gamma (spend).
  static final double[] PURCHASES = {2.0, 40.0, 0.5, 9.0};
  static final double[] SPEND = {6.0, 4.0, 15.0};
  static final StructType TRANSACTIONS =
      new StructType()
          .add("order_id", DataTypes.StringType)
          .add("customer_id", DataTypes.StringType)
          .add("event_time", DataTypes.TimestampType)
          .add("event_date", DataTypes.DateType)
          .add("product_id", DataTypes.StringType)
          .add("quantity", DataTypes.DoubleType)
          .add("unit_price", DataTypes.DoubleType)
          .add("amount", DataTypes.DoubleType)
          .add("line_type", DataTypes.StringType);

  private ClvBenchmark() {}

  public static void main(String[] args) {
    String work = args[0];
    long customers = Long.parseLong(args[1]);
    List<String> overrides = new ArrayList<>();
    overrides.add("warehouse=\"" + work + "/warehouse\"");
    for (int i = 2; i + 1 < args.length; i += 2) {
      if (args[i].equals("--set")) {
        overrides.add(args[i + 1]);
      }
    }
    ChurnConfig config = ChurnConfigLoader.load(List.of(), overrides);
    SparkSession spark = ChurnSpark.start(config.spark());
    try {
      JobContext ctx =
          new JobContext(config, spark, new DeltaTableStore(spark, config.warehouse()));
      long transactions = simulate(ctx, customers);
      long start = System.nanoTime();
      ClvJob.Result r = ClvJob.run(ctx, AS_OF);
      double seconds = (System.nanoTime() - start) / 1e9;
      int cores = Runtime.getRuntime().availableProcessors();
      double[] b = r.purchases().orElseThrow().parameters();
      double[] g = r.spend().orElseThrow().parameters();
      System.out.printf(
          Locale.ROOT,
          "clv benchmark: %,d transactions of %,d customers (%,d with repeat purchases), %d cores%n"
              + "  clv --as-of %s (summaries, BG/NBD + Gamma-Gamma fits, customer_value for every"
              + " customer written): %.0f s, %,.0f customers/s/core%n"
              + "  BG/NBD r, alpha, a, b: fitted %s, truth %s (%s)%n"
              + "  Gamma-Gamma p, q, gamma: fitted %s, truth %s (%s)%n",
          transactions,
          r.customers(),
          r.repeatCustomers(),
          cores,
          AS_OF,
          seconds,
          r.customers() / seconds / cores,
          round(b),
          Arrays.toString(PURCHASES),
          r.purchases().orElseThrow().status(),
          round(g),
          Arrays.toString(SPEND),
          r.spend().orElseThrow().status());
    } finally {
      spark.stop();
    }
  }

  private static String round(double[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v[i]));
    }
    return b.append(']').toString();
  }

  /** Writes the simulated transactions table; returns its row count. */
  static long simulate(JobContext ctx, long customers) {
    int partitions = (int) Math.max(2, customers / 100_000);
    Dataset<Row> lines =
        ctx.spark()
            .range(0, customers, 1, partitions)
            .toDF()
            .flatMap(
                (FlatMapFunction<Row, Row>) row -> customer(row.getLong(0)),
                Encoders.row(TRANSACTIONS));
    ctx.store().replaceWhere(ChurnTable.TRANSACTIONS, lines, "true");
    return ctx.store().read(ChurnTable.TRANSACTIONS).count();
  }

  /**
   * One customer's purchases: born 30..730 days before the as-of date, buying at a Gamma(r, alpha)
   * rate per day, dropping out after each repeat purchase (not the first: BG/NBD's dropout follows
   * repeat transactions only) with a Beta(a, b) probability; every purchase's amount is Gamma(p,
   * nu) with nu ~ Gamma(q, gamma).
   */
  static Iterator<Row> customer(long id) {
    Well19937c random = new Well19937c(id * 7919 + 17);
    double lambda = new GammaDistribution(random, PURCHASES[0], 1 / PURCHASES[1]).sample();
    double dropout = new BetaDistribution(random, PURCHASES[2], PURCHASES[3]).sample();
    double nu = new GammaDistribution(random, SPEND[1], 1 / SPEND[2]).sample();
    GammaDistribution amount = new GammaDistribution(random, SPEND[0], 1 / nu);
    int age = 30 + random.nextInt(701);
    LocalDate birth = AS_OF.minusDays(age);
    String customer = String.format(Locale.ROOT, "b%09d", id);
    List<Row> out = new ArrayList<>();
    double t = 0;
    int n = 0;
    while (t <= age) {
      LocalDate day = birth.plusDays((long) t);
      double spend = Math.round(amount.sample() * 100) / 100.0;
      out.add(
          RowFactory.create(
              customer + "-" + n,
              customer,
              Timestamp.valueOf(day.atTime(12, 0)),
              Date.valueOf(day),
              "p",
              1.0,
              spend,
              spend,
              "purchase"));
      n++;
      if (n > 1 && random.nextDouble() < dropout) {
        break;
      }
      t += -Math.log(1 - random.nextDouble()) / lambda;
    }
    return out.iterator();
  }
}
