package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.model.ExplainScores;
import io.churnlake.jobs.tables.SegmentColumns;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Risk and value tiers, the retention plan (expected value, control group, budget), summary. */
class RetentionPlanTest extends SparkTestBase {
  static final Date D = Date.valueOf("2026-03-31");
  static final StructType TIERED =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, false)
          .add("churn_probability", DataTypes.DoubleType, false)
          .add("rank_percentile", DataTypes.DoubleType, false)
          .add("drivers", DataTypes.createArrayType(ExplainScores.DRIVER, false), true)
          .add("model_version", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, false);

  static ChurnConfig.SegmentSettings settings(String... overrides) {
    return ChurnConfigLoader.load(List.of(), List.of(overrides)).segment();
  }

  static Object[] customer(String id, double p, double value) {
    return new Object[] {id, D, p, p, null, "v0001", value};
  }

  /** The configured risk tiers; value tiers: medium from 100, high from 500 (value > 0). */
  Dataset<Row> tiered(ChurnConfig.SegmentSettings s, Object[]... customers) {
    return new AssignValueTiers(100, 500)
        .apply(AssignRiskTiers.of(s).apply(rows(TIERED, customers)));
  }

  /** Invariant: a cut point belongs to the higher tier; quantile tiers read rank_percentile. */
  @Test
  void riskTiersFollowCutPointsOrScoreRanks() {
    Dataset<Row> scores =
        rows(
            TIERED,
            new Object[] {"a", D, 0.0, 0.95, null, "v1", 0.0},
            new Object[] {"b", D, 0.0999, 0.5, null, "v1", 0.0},
            new Object[] {"c", D, 0.1, 0.49, null, "v1", 0.0},
            new Object[] {"d", D, 0.2999, 0.8, null, "v1", 0.0},
            new Object[] {"e", D, 0.3, 0.1, null, "v1", 0.0});
    assertThat(byCustomer(AssignRiskTiers.onProbability(0.1, 0.3).apply(scores), "risk_tier"))
        .isEqualTo(Map.of("a", "low", "b", "low", "c", "medium", "d", "medium", "e", "high"));
    assertThat(
            byCustomer(
                AssignRiskTiers.of(settings("segment.risk-tiers=quantiles")).apply(scores),
                "risk_tier"))
        .isEqualTo(Map.of("a", "high", "b", "medium", "c", "low", "d", "high", "e", "low"));
  }

  /**
   * Invariant: value tiers are at or above the quantile cuts, ties go up together, and a value of 0
   * is low even when most customers are worth 0.
   */
  @Test
  void valueTiersTakeTiesUpAndKeepZeroLow() {
    List<Object[]> customers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      customers.add(customer("c" + i, 0.5, i < 60 ? 0.0 : i));
    }
    Dataset<Row> values = rows(TIERED, customers.toArray(new Object[0][]));
    AssignValueTiers t = AssignValueTiers.atQuantiles(values, 0.5, 0.8);
    assertThat(t.mediumFrom()).isEqualTo(0.0);
    assertThat(t.highFrom()).isEqualTo(79.0);
    Map<String, String> tier = byCustomer(t.apply(values), "value_tier");
    for (int i = 0; i < 100; i++) {
      assertThat(tier.get("c" + i)).isEqualTo(i < 60 ? "low" : i < 79 ? "medium" : "high");
    }
    // One price plan: 45 customers worth 0, 55 paying the same; the payers are one tier, high.
    List<Object[]> plan = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      plan.add(customer("p" + i, 0.5, i < 45 ? 0.0 : 112.4));
    }
    Dataset<Row> onePrice = rows(TIERED, plan.toArray(new Object[0][]));
    Map<String, String> paid =
        byCustomer(AssignValueTiers.atQuantiles(onePrice, 0.5, 0.8).apply(onePrice), "value_tier");
    for (int i = 0; i < 100; i++) {
      assertThat(paid.get("p" + i)).isEqualTo(i < 45 ? "low" : "high");
    }
  }

  static Object[][] cells() {
    return new Object[][] {
      customer("a", 0.5, 1000),
      customer("b", 0.2, 1000),
      customer("c", 0.05, 1000),
      customer("d", 0.5, 200),
      customer("e", 0.15, 200),
      customer("f", 0.35, 50),
      customer("g", 0.12, 0),
      customer("h", 0.0, 99)
    };
  }

  /**
   * Invariant: each customer's segment is its cell, its action the configured one, its expected net
   * value P(churn) x value x save rate - cost, and only positive values are targeted.
   */
  @Test
  void everyCustomerGetsItsCellActionAndExpectedNetValue() {
    ChurnConfig.SegmentSettings s = settings("segment.control.fraction=0");
    Dataset<Row> plan = new PlanRetention(s, "run-1").apply(tiered(s, cells()));
    assertThat(namesAndTypes(plan.schema())).isEqualTo(namesAndTypes(SegmentColumns.RISK_SEGMENTS));
    StructType expected =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("segment", DataTypes.StringType)
            .add("action", DataTypes.StringType)
            .add("expected_net_value", DataTypes.DoubleType)
            .add("targeting", DataTypes.StringType)
            .add("run_id", DataTypes.StringType);
    String hh = "high value, high risk";
    assertSameRows(
        rows(
            expected,
            new Object[] {"a", hh, "agent-call", 0.5 * 1000.0 * 0.3 - 8.0, "targeted", "run-1"},
            new Object[] {
              "b",
              "high value, medium risk",
              "personal-offer",
              0.2 * 1000.0 * 0.2 - 4.0,
              "targeted",
              "run-1"
            },
            new Object[] {"c", "high value, low risk", "none", 0.0, "none", "run-1"},
            new Object[] {
              "d",
              "medium value, high risk",
              "personal-offer",
              0.5 * 200.0 * 0.2 - 4.0,
              "targeted",
              "run-1"
            },
            new Object[] {
              "e",
              "medium value, medium risk",
              "discount",
              0.15 * 200.0 * 0.1 - 2.0,
              "targeted",
              "run-1"
            },
            new Object[] {
              "f",
              "low value, high risk",
              "education",
              0.35 * 50.0 * 0.02 - 0.1,
              "targeted",
              "run-1"
            },
            new Object[] {
              "g", "low value, medium risk", "education", 0.12 * 0.0 * 0.02 - 0.1, "none", "run-1"
            },
            new Object[] {"h", "low value, low risk", "none", 0.0, "none", "run-1"}),
        plan);
  }

  /**
   * Invariant of segment.targeting = uplift: a customer's expected net value is the predicted
   * uplift of their cell's action x value - cost; a customer predicted to churn more when contacted
   * (negative uplift) or without a prediction for the action is never a candidate.
   */
  @Test
  void upliftTargetingValuesTheCellsActionByItsPredictedUplift() {
    ChurnConfig.SegmentSettings s =
        settings("segment.control.fraction=0", "segment.targeting=uplift");
    Dataset<Row> tiered =
        tiered(
                s,
                customer("a", 0.5, 1000),
                customer("b", 0.5, 1000),
                customer("c", 0.5, 1000),
                customer("d", 0.5, 200))
            .withColumn(
                PlanRetention.UPLIFTS,
                expr(
                    "CASE customer_id WHEN 'a' THEN map('agent-call', 0.05, 'discount', 0.9)"
                        + " WHEN 'b' THEN map('agent-call', -0.02)"
                        + " WHEN 'd' THEN map('personal-offer', 0.01) END"));
    Dataset<Row> plan = new PlanRetention(s, "run-1").apply(tiered);
    StructType expected =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("action", DataTypes.StringType)
            .add("expected_net_value", DataTypes.DoubleType)
            .add("targeting", DataTypes.StringType);
    assertSameRows(
        rows(
            expected,
            new Object[] {"a", "agent-call", 0.05 * 1000 - 8.0, "targeted"},
            new Object[] {"b", "agent-call", -0.02 * 1000 - 8.0, "none"},
            new Object[] {"c", "agent-call", 0.0 * 1000 - 8.0, "none"},
            new Object[] {"d", "personal-offer", 0.01 * 200 - 4.0, "none"}),
        plan);
  }

  /**
   * Invariant: segment_summary sums the plan per segment: value at risk over all customers, saved
   * value, cost and net value over the targeted ones; high value first, then high risk first.
   */
  @Test
  void summarySumsThePlanPerSegment() {
    ChurnConfig.SegmentSettings s = settings("segment.control.fraction=0");
    Dataset<Row> summary =
        new SummariseSegments(s).apply(new PlanRetention(s, "r").apply(tiered(s, cells())));
    assertThat(namesAndTypes(summary.schema()))
        .isEqualTo(namesAndTypes(SegmentColumns.SEGMENT_SUMMARY));
    List<Object[]> expected = new ArrayList<>();
    expected.add(cell("high", "high", "agent-call", 0.5, 1000, true, 0.3, 8));
    expected.add(cell("high", "medium", "personal-offer", 0.2, 1000, true, 0.2, 4));
    expected.add(cell("high", "low", "none", 0.05, 1000, false, 0, 0));
    expected.add(cell("medium", "high", "personal-offer", 0.5, 200, true, 0.2, 4));
    expected.add(cell("medium", "medium", "discount", 0.15, 200, true, 0.1, 2));
    expected.add(cell("low", "high", "education", 0.35, 50, true, 0.02, 0.1));
    expected.add(cell("low", "medium", "education", 0.12, 0, false, 0.02, 0.1));
    expected.add(cell("low", "low", "none", 0.0, 99, false, 0, 0));
    assertSameRows(
        rows(SegmentColumns.SEGMENT_SUMMARY, expected.toArray(new Object[0][])), summary);
    assertThat(summary.collectAsList().stream().map(r -> r.getString(1)).toList())
        .containsExactlyElementsOf(expected.stream().map(r -> (String) r[1]).toList());
  }

  private static Object[] cell(
      String valueTier,
      String riskTier,
      String action,
      double p,
      double value,
      boolean targeted,
      double save,
      double cost) {
    double saved = p * value * save;
    return new Object[] {
      D,
      valueTier + " value, " + riskTier + " risk",
      valueTier,
      riskTier,
      action,
      1L,
      p,
      value,
      p * value,
      targeted ? 1L : 0L,
      0L,
      targeted ? saved : 0.0,
      targeted ? cost : 0.0,
      targeted ? saved - cost : 0.0
    };
  }

  /**
   * Invariant: the control group is the configured share of positive-value customers chosen by the
   * hash of (campaign id, customer id): the same customers for the same campaign, others for
   * another; everyone else with positive value is targeted.
   */
  @Test
  void controlGroupIsADeterministicHashShareOfCandidates() {
    List<Object[]> customers = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      customers.add(customer("cust-" + i, 0.5, 1000));
    }
    customers.add(customer("nobody", 0.01, 0));
    Object[][] all = customers.toArray(new Object[0][]);
    ChurnConfig.SegmentSettings spring =
        settings("segment.control.fraction=0.25", "segment.control.campaign-id=spring");
    Dataset<Row> plan = new PlanRetention(spring, "r").apply(tiered(spring, all));
    Set<String> control = targeting(plan, "control");
    Set<String> expected =
        ids(
            rows(TIERED, all)
                .where(col("customer_id").notEqual("nobody"))
                .where(expr("pmod(xxhash64('spring', customer_id), 1000000) < 250000")));
    assertThat(control).isEqualTo(expected);
    assertThat(control.size()).isBetween(880, 1120);
    assertThat(targeting(plan, "targeted"))
        .hasSize(4000 - control.size())
        .doesNotContainAnyElementsOf(control);
    assertThat(byCustomer(plan, "targeting").get("nobody")).isEqualTo("none");
    assertThat(targeting(new PlanRetention(spring, "again").apply(tiered(spring, all)), "control"))
        .isEqualTo(control);
    ChurnConfig.SegmentSettings autumn =
        settings("segment.control.fraction=0.25", "segment.control.campaign-id=autumn");
    assertThat(targeting(new PlanRetention(autumn, "r").apply(tiered(autumn, all)), "control"))
        .isNotEqualTo(control);
  }

  /**
   * Invariant: a control share given per action (sized by power) holds out exactly that action's
   * customers whose hash falls below its share; other actions keep the configured share.
   */
  @Test
  void aControlShareGivenPerActionAppliesToThatActionOnly() {
    List<Object[]> customers = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      customers.add(customer("call-" + i, 0.5, 1000)); // high value, high risk: agent-call
      customers.add(customer("offer-" + i, 0.2, 1000)); // high value, medium risk: personal-offer
    }
    Object[][] all = customers.toArray(new Object[0][]);
    ChurnConfig.SegmentSettings s = settings("segment.control.fraction=0.1");
    Dataset<Row> plan = new PlanRetention(s, "r", Map.of("agent-call", 0.4)).apply(tiered(s, all));
    Set<String> expected =
        ids(
            rows(TIERED, all)
                .where(
                    expr(
                        "CASE WHEN customer_id LIKE 'call-%'"
                            + " THEN pmod(xxhash64('retention', customer_id), 1000000) < 400000"
                            + " ELSE pmod(xxhash64('retention', customer_id), 1000000) < 100000"
                            + " END")));
    assertThat(targeting(plan, "control")).isEqualTo(expected);
    assertThat(expected.stream().filter(c -> c.startsWith("call-")).count()).isBetween(720L, 880L);
    assertThat(expected.stream().filter(c -> c.startsWith("offer-")).count()).isBetween(150L, 250L);
  }

  /**
   * Invariant: with a budget, targets are the longest prefix of candidates ranked by net value per
   * unit cost whose cost fits the budget (control customers cost nothing and are kept only before
   * the cut), computed across partitions exactly as a sequential greedy would; every customer
   * appears once.
   */
  @Test
  void budgetTargetsTheBestPrefixByNetValuePerCost() {
    List<Object[]> customers = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      customers.add(
          customer(String.format("c%04d", i), (i % 19 + 1) / 20.0, 20.0 + (i * 37) % 1500));
    }
    Object[][] all = customers.toArray(new Object[0][]);
    double budget = 700;
    ChurnConfig.SegmentSettings s =
        settings("segment.control.fraction=0.2", "segment.budget=" + budget);
    Dataset<Row> input = tiered(s, all).repartition(4);
    // Several sorted partitions, so that the running cost crosses partition boundaries.
    Map<String, String> actual = new java.util.HashMap<>();
    withSqlConf(
        Map.of(
            "spark.sql.shuffle.partitions", "5",
            "spark.sql.adaptive.coalescePartitions.enabled", "false"),
        () -> actual.putAll(byCustomer(new PlanRetention(s, "r").apply(input), "targeting")));
    assertThat(actual).hasSize(600);

    // The reference: a sequential greedy over the same figures, here on the driver.
    Set<String> held =
        ids(
            rows(TIERED, all)
                .where(expr("pmod(xxhash64('retention', customer_id), 1000000) < 200000")));
    Map<String, Double> cost =
        Map.of(
            "agent-call",
            8.0,
            "personal-offer",
            4.0,
            "discount",
            2.0,
            "education",
            0.1,
            "none",
            0.0);
    Map<String, Double> save =
        Map.of(
            "agent-call",
            0.3,
            "personal-offer",
            0.2,
            "discount",
            0.1,
            "education",
            0.02,
            "none",
            0.0);
    record Candidate(String id, double net, double ratio, double cost) {}
    List<Candidate> candidates = new ArrayList<>();
    Map<String, String> expected = new HashMap<>();
    Dataset<Row> unbudgeted =
        new PlanRetention(settings("segment.control.fraction=0"), "r").apply(input);
    for (Row r : unbudgeted.collectAsList()) {
      String id = r.getString(0);
      String action = r.getString(r.fieldIndex("action"));
      double net = r.getDouble(2) * r.getDouble(4) * save.get(action) - cost.get(action);
      expected.put(id, "none");
      if (net > 0) {
        double c = cost.get(action);
        candidates.add(new Candidate(id, net, c > 0 ? net / c : Double.POSITIVE_INFINITY, c));
      }
    }
    candidates.sort(
        Comparator.comparingDouble(Candidate::ratio)
            .reversed()
            .thenComparing(Comparator.comparingDouble(Candidate::net).reversed())
            .thenComparing(Candidate::id));
    double running = 0;
    double spent = 0;
    for (Candidate c : candidates) {
      if (held.contains(c.id())) {
        expected.put(c.id(), running <= budget ? "control" : "none");
      } else {
        running += c.cost();
        if (running <= budget) {
          expected.put(c.id(), "targeted");
          spent += c.cost();
        }
      }
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(spent).isLessThanOrEqualTo(budget).isGreaterThan(budget - 8.0);
    assertThat(actual.values()).contains("targeted", "control", "none");
    assertThat(candidates.stream().filter(c -> expected.get(c.id()).equals("none"))).isNotEmpty();
  }

  private static List<String> namesAndTypes(StructType schema) {
    return java.util.Arrays.stream(schema.fields())
        .map(f -> f.name() + " " + f.dataType().simpleString())
        .toList();
  }

  private static Set<String> targeting(Dataset<Row> plan, String value) {
    return ids(plan.where(col("targeting").equalTo(value)));
  }

  private static Set<String> ids(Dataset<Row> rows) {
    Set<String> out = new HashSet<>();
    for (Row r : rows.select("customer_id").collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  private static Map<String, String> byCustomer(Dataset<Row> rows, String column) {
    Map<String, String> out = new HashMap<>();
    for (Row r : rows.select(col("customer_id"), col(column)).collectAsList()) {
      assertThat(out.put(r.getString(0), r.getString(1)))
          .as("customer %s once", r.getString(0))
          .isNull();
    }
    return out;
  }
}
