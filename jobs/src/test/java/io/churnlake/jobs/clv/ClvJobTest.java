package io.churnlake.jobs.clv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.AggregateDailyPurchases;
import io.churnlake.jobs.testing.Examples;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clv job on transaction lines. Invariants: summaries count purchase days on or before the date
 * only, net returns and cancellations into their day and leave the first day out of the mean repeat
 * spend; every buyer gets exactly one customer_value row with finite values (P(alive) = 1 without a
 * repeat purchase, CLV >= 0), re-running a date replaces its rows; the fits recover the parameters
 * customers were simulated from and are recorded with standard errors; too few buyers are refused
 * with the counts.
 */
class ClvJobTest extends SparkTestBase {
  static final StructType TRANSACTIONS = io.churnlake.jobs.testing.TransactionRows.SCHEMA;

  @TempDir Path dir;

  static Object[] line(String order, String customer, LocalDate day, double amount, String type) {
    return new Object[] {
      order,
      customer,
      Timestamp.valueOf(day.atTime(12, 0)),
      Date.valueOf(day),
      "p1",
      amount < 0 ? -1.0 : 1.0,
      Math.abs(amount),
      amount,
      type
    };
  }

  @Test
  void summariesCountPurchaseDaysUpToTheDateNetReturnsAndLeaveTheFirstDayOutOfTheMean() {
    LocalDate d = LocalDate.of(2026, 3, 1);
    Dataset<Row> lines =
        rows(
            TRANSACTIONS,
            // A: first day 10 + 5 (two orders, one day), a repeat day of 30 less a 6 return, a
            // repeat day of 12, a return-only day, and a purchase after the as-of date.
            line("o1", "A", d, 10, "purchase"),
            line("o2", "A", d, 5, "purchase"),
            line("o3", "A", d.plusDays(10), 30, "purchase"),
            line("r3", "A", d.plusDays(10), -6, "return"),
            line("o4", "A", d.plusDays(25), 12, "purchase"),
            line("r9", "A", d.plusDays(27), -4, "return"),
            line("o5", "A", d.plusDays(40), 99, "purchase"),
            // B: one purchase day only.
            line("o6", "B", d.plusDays(5), 20, "purchase"),
            // C: returns only: never a buyer.
            line("r7", "C", d.plusDays(3), -8, "return"));
    Dataset<Row> s =
        new SummarisePurchases(d.plusDays(30)).apply(new AggregateDailyPurchases().apply(lines));
    assertThat(s.columns())
        .containsExactly(
            "customer_id",
            "as_of_date",
            "first_purchase_date",
            "frequency",
            "recency_days",
            "age_days",
            "mean_repeat_spend");
    assertThat(Examples.text(s))
        .containsExactly(
            "[A,2026-03-31,2026-03-01,2,25,30,18.0]", "[B,2026-03-31,2026-03-06,0,0,25,null]");
  }

  private JobContext context(String... overrides) {
    List<String> all = new ArrayList<>(List.of("warehouse=\"" + dir.resolve("wh") + "\""));
    all.addAll(List.of(overrides));
    ChurnConfig config = ChurnConfigLoader.load(List.of(), all);
    return new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
  }

  @Test
  void everyBuyerGetsOneFiniteValueRowAndTheFitsRecoverTheSimulatedParameters() {
    BgNbd truth = new BgNbd(0.8, 20.0, 0.6, 2.5);
    GammaGamma spendTruth = new GammaGamma(4.0, 5.0, 60.0);
    LocalDate asOf = LocalDate.of(2026, 6, 30);
    ClvSimulation sim = new ClvSimulation(new SplittableRandom(21));
    SplittableRandom random = new SplittableRandom(22);
    List<Object[]> lines = new ArrayList<>();
    int customers = 4000;
    for (int i = 0; i < customers; i++) {
      int age = 60 + random.nextInt(300);
      LocalDate first = asOf.minusDays(age);
      String id = String.format("k%05d", i);
      double nu = sim.gamma(spendTruth.q(), spendTruth.gamma());
      lines.add(line(id + "-0", id, first, sim.gamma(spendTruth.p(), nu), "purchase"));
      // Repeat purchases at whole days after the first (later ones on the same day merge).
      double lambda = sim.gamma(truth.r(), truth.alpha());
      double p = sim.beta(truth.a(), truth.b());
      double now = 0;
      int k = 1;
      while (true) {
        now += -Math.log(1 - random.nextDouble()) / lambda;
        if (now > age) {
          break;
        }
        lines.add(
            line(
                id + "-" + k++,
                id,
                first.plusDays((long) Math.ceil(now)),
                sim.gamma(spendTruth.p(), nu),
                "purchase"));
        if (random.nextDouble() < p) {
          break;
        }
      }
    }
    JobContext ctx = context("clv.expected-purchases-days=90");
    ctx.store()
        .replaceWhere(
            ChurnTable.TRANSACTIONS, rows(TRANSACTIONS, lines.toArray(new Object[0][])), "true");
    ClvJob.Result first = ClvJob.run(ctx, asOf);
    ClvJob.Result again = ClvJob.run(ctx, asOf);
    assertThat(again.customers()).isEqualTo(customers);
    assertThat(again.purchases().orElseThrow().parameters())
        .isEqualTo(first.purchases().orElseThrow().parameters());

    Dataset<Row> values = ctx.store().read(ChurnTable.CUSTOMER_VALUE);
    values.createOrReplaceTempView("customer_value");
    // One row per buyer (the re-run replaced the date's rows), every value finite.
    assertThat(
            spark()
                .sql("SELECT count(DISTINCT customer_id), count(*) FROM customer_value")
                .head()
                .toString())
        .isEqualTo("[" + customers + "," + customers + "]");
    assertThat(
            spark()
                .sql(
                    "SELECT * FROM customer_value WHERE NOT (p_alive > 0 AND p_alive <= 1"
                        + " AND expected_purchases >= 0 AND expected_spend > 0 AND clv >= 0)"
                        + " OR isnan(p_alive) OR isnan(expected_purchases) OR isnan(clv)"
                        + " OR (frequency = 0 AND p_alive <> 1)")
                .isEmpty())
        .isTrue();
    // More recent repeat buyers are likelier alive (same x and T, later last purchase).
    assertThat(
            spark()
                .sql(
                    "SELECT * FROM customer_value a JOIN customer_value b USING (frequency,"
                        + " age_days) WHERE a.frequency > 0 AND a.recency_days < b.recency_days"
                        + " AND a.p_alive > b.p_alive")
                .isEmpty())
        .isTrue();

    // Purchase days are whole days: the fit is on that coarser data, within 25% of the truth.
    double[] fitted = first.purchases().orElseThrow().parameters();
    double[] expected = truth.toArray();
    for (int i = 0; i < 4; i++) {
      assertThat(fitted[i])
          .as("BG/NBD parameter %d", i)
          .isCloseTo(expected[i], org.assertj.core.data.Percentage.withPercentage(25));
    }
    List<Row> models =
        ctx.store().read(ChurnTable.CLV_MODELS).orderBy("model", "parameter").collectAsList();
    assertThat(models)
        .extracting(r -> r.getString(1) + "." + r.getString(2))
        .containsExactly(
            "bg_nbd.a",
            "bg_nbd.alpha",
            "bg_nbd.b",
            "bg_nbd.r",
            "gamma_gamma.gamma",
            "gamma_gamma.p",
            "gamma_gamma.q");
    assertThat(models)
        .allMatch(r -> r.getBoolean(r.fieldIndex("converged")))
        .allMatch(r -> !r.isNullAt(r.fieldIndex("standard_error")))
        .allMatch(r -> r.getString(r.fieldIndex("status")).startsWith("converged: "));
    assertThat(models.get(0).getLong(models.get(0).fieldIndex("customers"))).isEqualTo(customers);
  }

  @Test
  void tooFewBuyersAreRefusedWithTheCounts() {
    JobContext ctx = context("warehouse=\"" + dir.resolve("few") + "\"");
    LocalDate d = LocalDate.of(2026, 3, 1);
    ctx.store()
        .replaceWhere(
            ChurnTable.TRANSACTIONS,
            rows(
                TRANSACTIONS,
                line("o1", "A", d, 10, "purchase"),
                line("o2", "B", d, 10, "purchase"),
                line("r1", "C", d, -10, "return")),
            "true");
    assertThatThrownBy(() -> ClvJob.run(ctx, d.plusDays(10)))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "refusing to fit BG/NBD as of 2026-03-11: 2 customers with a purchase, at least 10"
                + " needed (churnlake.clv.min-customers); use a later --as-of or more history");
  }

  /**
   * Invariant: contractual value = margin x amount billed x sum over k = 1..H of ((1 - m) / (1 +
   * d))^k with m the monthly churn probability from the score's horizon; nothing billed or a
   * certain churn is worth 0; no discount and no churn is exactly H payments.
   */
  @Test
  void contractualValueIsTheDiscountedExpectedPaymentsOfBilledCustomers() {
    Date d = Date.valueOf("2026-03-31");
    StructType scores =
        new StructType()
            .add("customer_id", org.apache.spark.sql.types.DataTypes.StringType)
            .add("as_of_date", org.apache.spark.sql.types.DataTypes.DateType)
            .add("churn_probability", org.apache.spark.sql.types.DataTypes.DoubleType);
    StructType billed =
        new StructType()
            .add("customer_id", org.apache.spark.sql.types.DataTypes.StringType)
            .add("billed_amount", org.apache.spark.sql.types.DataTypes.DoubleType);
    Dataset<Row> s =
        rows(
            scores,
            new Object[] {"paid", d, 0.2},
            new Object[] {"sure", d, 0.0},
            new Object[] {"gone", d, 1.0},
            new Object[] {"free", d, 0.3});
    Dataset<Row> b =
        rows(
            billed,
            new Object[] {"paid", 10.0},
            new Object[] {"sure", 10.0},
            new Object[] {"gone", 10.0});
    // Horizon 60 days: m = 1 - (1 - p)^(30 / 60).
    java.util.Map<String, Double> clv = new java.util.HashMap<>();
    java.util.Map<String, Double> atRisk = new java.util.HashMap<>();
    for (Row r : new ContractualValue(60, 12, 0.01, 0.5).apply(s, b).collectAsList()) {
      assertThat(r.getString(r.fieldIndex("value_model"))).isEqualTo("contractual");
      assertThat(r.isNullAt(r.fieldIndex("p_alive"))).isTrue();
      clv.put(r.getString(0), r.getDouble(r.fieldIndex("clv")));
      atRisk.put(r.getString(0), r.getDouble(r.fieldIndex("value_at_risk")));
    }
    assertThat(clv).containsOnlyKeys("paid", "sure", "gone", "free");
    double m = 1 - Math.sqrt(0.8);
    double expected = 0;
    for (int k = 1; k <= 12; k++) {
      expected += Math.pow((1 - m) / 1.01, k);
    }
    assertThat(clv.get("paid"))
        .isCloseTo(0.5 * 10 * expected, org.assertj.core.data.Offset.offset(1e-9));
    double sure = 0;
    for (int k = 1; k <= 12; k++) {
      sure += Math.pow(1 / 1.01, k);
    }
    assertThat(clv.get("sure"))
        .isCloseTo(0.5 * 10 * sure, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(clv.get("gone")).isEqualTo(0.0);
    // What churning now would lose: the contract's discounted months, whatever the risk.
    for (String c : List.of("paid", "sure", "gone")) {
      assertThat(atRisk.get(c))
          .isCloseTo(0.5 * 10 * sure, org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(atRisk.get("free")).isEqualTo(0.0);
    assertThat(clv.get("free")).isEqualTo(0.0);
    Row noDiscount =
        new ContractualValue(30, 12, 0.0, 1.0).apply(s, b).where("customer_id = 'sure'").head();
    assertThat(noDiscount.getDouble(noDiscount.fieldIndex("clv"))).isEqualTo(120.0);
  }
}
