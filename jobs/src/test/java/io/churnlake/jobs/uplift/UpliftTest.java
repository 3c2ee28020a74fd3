package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.model.ChurnPipelines;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.junit.jupiter.api.Test;

/**
 * The uplift learner and its evaluation on randomised customers with a planted heterogeneous
 * effect, and the Qini curve against a hand-worked example.
 */
class UpliftTest extends SparkTestBase {

  /**
   * Invariant: Q(φ) = (C_c x N_t / N_c - C_t) per treated customer, and the coefficient is the
   * trapezoid area between the curve and the random line, worked by hand: three bins of 10 treated
   * and 10 control customers with 1/5, 5/5 and 6/5 churners give Q = 4/30, 4/30, 3/30 at shares
   * 1/3, 2/3, 1 and an area of 1/18.
   */
  @Test
  void theQiniCurveAndCoefficientMatchAHandWorkedExample() {
    QiniCurve.Result r =
        QiniCurve.fromCounts(new long[][] {{10, 1, 10, 5}, {10, 5, 10, 5}, {10, 6, 10, 5}});
    assertThat(r.points()).hasSize(4);
    assertThat(r.points().get(1).share()).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(r.points().get(1).kept()).isCloseTo(4 / 30.0, within(1e-12));
    assertThat(r.points().get(2).kept()).isCloseTo(4 / 30.0, within(1e-12));
    assertThat(r.overall()).isCloseTo(0.1, within(1e-12));
    assertThat(r.coefficient()).isCloseTo(1 / 18.0, within(1e-12));
    // The same counts from rows, through the Spark path (one bin per score).
    Dataset<Row> rows =
        spark()
            .range(60)
            .select(
                // ids 0-19 score 3 (the top bin), 20-39 score 2, 40-59 score 1
                lit(3).minus(col("id").divide(20).cast("int")).as("score"),
                col("id").mod(20).lt(10).as("treated"),
                churnedIn(col("id")).as("churned"));
    QiniCurve.Result fromRows = QiniCurve.of(rows, "score", "treated", "churned", 3);
    assertThat(fromRows.coefficient()).isCloseTo(1 / 18.0, within(1e-12));
  }

  /** Churners per bin as in the hand-worked example: treated 1, 5, 6 and control 5, 5, 5. */
  private static Column churnedIn(Column id) {
    Column bin = id.divide(20).cast("int");
    Column k = id.mod(20);
    Column treatedChurners = when(bin.equalTo(0), 1).when(bin.equalTo(1), 5).otherwise(6);
    return when(k.lt(10), k.lt(treatedChurners)).otherwise(k.minus(10).lt(5)).cast("int");
  }

  /** A uniform draw in [0, 1) per id and stream, the same whatever the partitioning. */
  private static Column uniform(int stream) {
    return pmod(xxhash64(col("id"), lit(stream)), lit(1_000_003L)).divide(1_000_003.0);
  }

  /**
   * Invariant of the expected Qini curve (true effects known): Q(φ) = the true effects summed over
   * the top share φ, per customer of the set, and the coefficient the area above the random line;
   * worked by hand: three bins of 10 customers whose effects sum to 3, 1 and 0 give Q = 3/30, 4/30,
   * 4/30 and an area of 1/30; ranking by the effect itself (the oracle) gives the same here, the
   * reverse ranking the opposite area.
   */
  @Test
  void theExpectedQiniCurveMatchesAHandWorkedExample() {
    QiniCurve.Result r = QiniCurve.fromEffects(new long[] {10, 10, 10}, new double[] {3, 1, 0});
    assertThat(r.points()).hasSize(4);
    assertThat(r.points().get(1).kept()).isCloseTo(3 / 30.0, within(1e-12));
    assertThat(r.points().get(2).kept()).isCloseTo(4 / 30.0, within(1e-12));
    assertThat(r.overall()).isCloseTo(4 / 30.0, within(1e-12));
    assertThat(r.coefficient()).isCloseTo(1 / 30.0, within(1e-12));
    Dataset<Row> rows =
        spark()
            .range(30)
            .select(
                // ids 0-9 score 3 and effect 0.3, 10-19 score 2 and 0.1, 20-29 score 1 and 0
                lit(3).minus(col("id").divide(10).cast("int")).as("score"),
                when(col("id").lt(10), 0.3).when(col("id").lt(20), 0.1).otherwise(0.0).as("effect"))
            .withColumn("reverse", col("score").multiply(-1));
    assertThat(QiniCurve.expected(rows, "score", "effect", 3).coefficient())
        .isCloseTo(1 / 30.0, within(1e-12));
    assertThat(QiniCurve.expected(rows, "effect", "effect", 3).coefficient())
        .isCloseTo(1 / 30.0, within(1e-12));
    assertThat(QiniCurve.expected(rows, "reverse", "effect", 3).coefficient())
        .isCloseTo(-1 / 30.0, within(1e-12));
  }

  /**
   * Randomised customers: x1 drives churn (P = sigmoid(-1.5 + 2 x1)), x2 the action's effect
   * (planted: -0.20 churn when x2 > 0.6, none in between, +0.08 when x2 <= 0.3: contact drives
   * those away), x3 is noise; half are treated at random.
   */
  private Dataset<Row> randomised(long from, long n) {
    Column p0 = lit(1).divide(lit(1).plus(exp(lit(1.5).minus(col("x1").multiply(2)))));
    Column effect =
        when(col("x2").gt(0.6), 0.20).when(col("x2").gt(0.3), 0.0).otherwise(-0.08).as("effect");
    return spark()
        .range(from, from + n)
        .select(
            col("id"),
            uniform(1).as("x1"),
            uniform(2).as("x2"),
            uniform(3).as("x3"),
            uniform(4).lt(0.5).as("treated"),
            uniform(5).as("u"))
        .withColumn("effect", effect)
        .withColumn(
            ChurnPipelines.LABEL,
            col("u")
                .lt(when(col("treated"), p0.minus(col("effect"))).otherwise(p0))
                .cast("double"));
  }

  /**
   * Invariant: on a later set of randomised customers, the two-model learner's Qini coefficient is
   * at least half the oracle's (targeting by the planted effect) and the planted "do not disturb"
   * group gets a lower predicted uplift than the group the action keeps; a random score's
   * coefficient is near zero.
   */
  @Test
  void theTwoModelLearnerRanksAPlantedEffectAtLeastHalfAsWellAsTheOracle() {
    TwoModelUplift.Model m =
        TwoModelUplift.fit(
            randomised(0, 20_000),
            "treated",
            List.of("x1", "x2", "x3"),
            ChurnConfigLoader.load(List.of(), List.of()).train());
    Dataset<Row> later = m.apply(randomised(1_000_000, 20_000)).cache();
    double model = QiniCurve.of(later, UpliftModel.UPLIFT, "treated", "label", 20).coefficient();
    double oracle = QiniCurve.of(later, "effect", "treated", "label", 20).coefficient();
    double random = QiniCurve.of(later, "x3", "treated", "label", 20).coefficient();
    assertThat(oracle).isPositive();
    assertThat(model).isGreaterThanOrEqualTo(0.5 * oracle);
    assertThat(Math.abs(random)).isLessThan(0.25 * oracle);
    Row byGroup =
        later
            .agg(
                org.apache.spark.sql.functions.avg(
                    when(col("x2").gt(0.6), col(UpliftModel.UPLIFT))),
                org.apache.spark.sql.functions.avg(
                    when(col("x2").leq(0.3), col(UpliftModel.UPLIFT))))
            .first();
    assertThat(byGroup.getDouble(1)).isLessThan(byGroup.getDouble(0));
    later.unpersist();
  }

  /**
   * The isotonic learner on rows of {@link #twoActions} or {@link #twoKinds}: score x1, the churn
   * model's probability p0, waves in {@code wave}.
   */
  private static IsotonicUplift.Model isotonic(
      Dataset<Row> train, List<String> candidates, List<String> actions) {
    UpliftModel.Groups groups =
        UpliftModel.groups(
            train.withColumn(ChurnPipelines.LABEL, col("churned").cast("double")), "treated");
    return IsotonicUplift.fit(
        train, "wave", "treated", "churned", "x1", "p0", candidates, actions, groups);
  }

  /**
   * Randomised customers of two actions and two waves with the churn model's score x1 (P =
   * sigmoid(-1.5 + 2 x1), x 1.5 in wave 1): action "call" keeps half of the would-be churners with
   * x1 > 0.5 and raises churn by 0.03 below (contact drives low-risk customers away); action "mail"
   * does nothing. Wave 0 contacts 20% of its customers, wave 1 60%.
   */
  private Dataset<Row> twoActions(long from, long n) {
    Column wave1 = col("wave").equalTo(1);
    Column p0 =
        lit(1)
            .divide(lit(1).plus(exp(lit(1.5).minus(col("x1").multiply(2)))))
            .multiply(when(wave1, 1.5).otherwise(1.0));
    Column call = col("action").equalTo("call");
    Column effect =
        when(call.and(col("x1").gt(0.5)), p0.multiply(0.5)).when(call, -0.03).otherwise(0.0);
    return spark()
        .range(from, from + n)
        .select(
            col("id"),
            when(uniform(6).lt(0.5), "call").otherwise("mail").as("action"),
            uniform(1).as("x1"),
            when(uniform(7).lt(0.5), 0).otherwise(1).as("wave"),
            uniform(4).as("t"),
            uniform(5).as("u"))
        .withColumn("treated", col("t").lt(when(wave1, 0.6).otherwise(0.2)))
        .withColumn("p0", p0)
        .withColumn("effect", effect)
        .withColumn("churned", col("u").lt(when(col("treated"), p0.minus(effect)).otherwise(p0)));
  }

  /**
   * Invariants of the isotonic learner: each action's uplift is a non-decreasing function of the
   * score; it recovers a planted effect (half the churn above x1 = 0.5, -0.03 below; none for the
   * other action) to within sampling error with contacted shares of 0.2 and 0.6 in waves of
   * different churn, each weighted by its own wave's share (a pooled share would give the action
   * that does nothing an effect); the not-contacted probability is the churn model's and the
   * contacted one that minus the uplift; a later sample's Qini is at least half the oracle's; a
   * customer without a score and an action without a model get no uplift.
   */
  @Test
  void theIsotonicLearnerRecoversAnEffectThatGrowsWithRisk() {
    IsotonicUplift.Model m =
        isotonic(twoActions(0, 40_000), List.of(), List.of("call", "mail", "visit"));
    assertThat(m.pipelines().keySet()).containsExactlyInAnyOrder("call", "mail");
    Dataset<Row> later = m.apply(twoActions(1_000_000, 40_000)).cache();
    Row fit =
        later
            .agg(
                avg(
                    when(
                        col("action").equalTo("call").and(col("x1").gt(0.6)),
                        col("uplift").minus(col("effect")))),
                avg(when(col("action").equalTo("call").and(col("x1").lt(0.4)), col("uplift"))),
                avg(when(col("action").equalTo("mail"), col("uplift"))),
                max(abs(col(UpliftModel.P_CONTROL).minus(col("p0")))),
                max(
                    abs(
                        col(UpliftModel.P_TREATED)
                            .minus(
                                greatest(
                                    lit(0.0), least(lit(1.0), col("p0").minus(col("uplift"))))))))
            .first();
    assertThat(fit.getDouble(0)).isCloseTo(0.0, within(0.03));
    assertThat(fit.getDouble(1)).isCloseTo(-0.03, within(0.025));
    assertThat(fit.getDouble(2)).isCloseTo(0.0, within(0.02));
    assertThat(fit.getDouble(3)).isZero();
    assertThat(fit.getDouble(4)).isLessThan(1e-12);
    // Non-decreasing in the score, per action: no row's uplift exceeds a higher-scored row's.
    Dataset<Row> steps =
        later.withColumn(
            "next", lead(col("uplift"), 1).over(Window.partitionBy("action").orderBy("x1")));
    assertThat(steps.where(col("next").lt(col("uplift").minus(1e-12))).isEmpty()).isTrue();
    double model = QiniCurve.of(later, UpliftModel.UPLIFT, "treated", "churned", 20).coefficient();
    double oracle = QiniCurve.of(later, "effect", "treated", "churned", 20).coefficient();
    assertThat(oracle).isPositive();
    assertThat(model).isGreaterThanOrEqualTo(0.5 * oracle);
    later.unpersist();
    Dataset<Row> odd =
        spark()
            .sql(
                "SELECT 'call' AS action, CAST(NULL AS DOUBLE) AS x1, 0.2 AS p0"
                    + " UNION ALL SELECT 'visit', 0.9, 0.2");
    Dataset<Row> none = m.apply(odd);
    assertThat(
            none.where(col("uplift").isNotNull().or(col(UpliftModel.P_TREATED).isNotNull()))
                .isEmpty())
        .isTrue();
  }

  /**
   * Invariants of the isotonic learner's split: where an action's effect varies at equal risk with
   * a feature (action "call" keeps 60% of the would-be churners whose x2 is above 0.5, none below;
   * "mail" does nothing), it splits that action at x2's median and no other (x3 and x4 are noise,
   * and "mail" has nothing to find), recovers the effect in each half within sampling error, and
   * ranks a later sample nearly as well as the oracle and better than without the split; a customer
   * without x2 gets the lower half's uplift; the registry's metadata names the split.
   */
  @Test
  void theIsotonicLearnerSplitsWhereTheEffectVariesAtEqualRisk() {
    Dataset<Row> train = twoKinds(0, 40_000);
    List<String> actions = List.of("call", "mail");
    IsotonicUplift.Model m = isotonic(train, List.of("x3", "x2", "x4"), actions);
    IsotonicUplift.Model risk = isotonic(train, List.of(), actions);
    assertThat(m.perAction().get("mail").split()).isEmpty();
    IsotonicUplift.Split s = m.perAction().get("call").split().orElseThrow();
    assertThat(s.feature()).isEqualTo("x2");
    assertThat(s.threshold()).isCloseTo(0.5, within(0.02));
    assertThat(m.pipelines().keySet())
        .containsExactly("call", "call" + IsotonicUplift.ABOVE, "mail");
    assertThat(m.features()).containsExactly("x1", "x2");
    assertThat(m.metadata().toString()).contains("feature=x2");
    Dataset<Row> later = m.apply(twoKinds(1_000_000, 40_000)).cache();
    Column call = col("action").equalTo("call");
    Row fit =
        later
            .agg(
                avg(when(call.and(col("x2").gt(0.55)), col("uplift").minus(col("effect")))),
                avg(when(call.and(col("x2").lt(0.45)), col("uplift"))),
                avg(when(col("action").equalTo("mail"), col("uplift"))))
            .first();
    assertThat(fit.getDouble(0)).isCloseTo(0.0, within(0.03));
    assertThat(fit.getDouble(1)).isCloseTo(0.0, within(0.02));
    assertThat(fit.getDouble(2)).isCloseTo(0.0, within(0.02));
    Dataset<Row> calls = later.where(call);
    double model = QiniCurve.of(calls, UpliftModel.UPLIFT, "treated", "churned", 20).coefficient();
    double oracle = QiniCurve.of(calls, "effect", "treated", "churned", 20).coefficient();
    double riskOnly =
        QiniCurve.of(
                risk.apply(calls.drop("uplift", UpliftModel.P_CONTROL, UpliftModel.P_TREATED)),
                UpliftModel.UPLIFT,
                "treated",
                "churned",
                20)
            .coefficient();
    assertThat(oracle).isPositive();
    assertThat(model).isGreaterThanOrEqualTo(0.8 * oracle).isGreaterThan(riskOnly);
    later.unpersist();
    Dataset<Row> odd =
        spark()
            .sql(
                "SELECT 'call' AS action, 0.9 AS x1, CAST(NULL AS DOUBLE) AS x2, 0.2 AS p0"
                    + " UNION ALL SELECT 'call', 0.9, 0.2, 0.2");
    List<Row> got = m.apply(odd).select("uplift").collectAsList();
    assertThat(got.get(0).getDouble(0)).isEqualTo(got.get(1).getDouble(0));
  }

  /**
   * Randomised customers of two actions in two waves (contacted shares 0.3 and 0.5) with the churn
   * model's score x1 (P = sigmoid(-1.5 + 2 x1)) and features x2, x3, x4 independent of it: "call"
   * keeps 60% of the would-be churners with x2 > 0.5 and none below; "mail" does nothing.
   */
  private Dataset<Row> twoKinds(long from, long n) {
    Column p0 = lit(1).divide(lit(1).plus(exp(lit(1.5).minus(col("x1").multiply(2)))));
    Column effect =
        when(col("action").equalTo("call").and(col("x2").gt(0.5)), p0.multiply(0.6)).otherwise(0.0);
    return spark()
        .range(from, from + n)
        .select(
            col("id"),
            when(uniform(6).lt(0.5), "call").otherwise("mail").as("action"),
            uniform(1).as("x1"),
            uniform(2).as("x2"),
            uniform(3).as("x3"),
            uniform(8).as("x4"),
            when(uniform(7).lt(0.5), 0).otherwise(1).as("wave"),
            uniform(4).as("t"),
            uniform(5).as("u"))
        .withColumn("treated", col("t").lt(when(col("wave").equalTo(1), 0.5).otherwise(0.3)))
        .withColumn("p0", p0)
        .withColumn("effect", effect)
        .withColumn("churned", col("u").lt(when(col("treated"), p0.minus(effect)).otherwise(p0)));
  }

  /** Bad input: a group with one outcome only is refused, naming the group and its size. */
  @Test
  void aGroupWithoutChurnersIsRefused() {
    Dataset<Row> rows = randomised(0, 200).withColumn(ChurnPipelines.LABEL, lit(0.0));
    assertThatThrownBy(
            () ->
                TwoModelUplift.fit(
                    rows,
                    "treated",
                    List.of("x1"),
                    ChurnConfigLoader.load(List.of(), List.of()).train()))
        .isInstanceOf(ChurnException.class)
        .hasMessageStartingWith("cannot train an uplift model: the treated customers of the")
        .hasMessageContaining("have no churner");
  }

  static Object[] planned(String id, String targeting) {
    return new Object[] {
      id,
      java.sql.Date.valueOf("2026-09-15"),
      0.5,
      "high",
      1000.0,
      "high",
      "high value, high risk",
      "agent-call",
      0.0,
      targeting,
      null,
      "v0001",
      "run-0"
    };
  }

  /**
   * Invariant of the targeting comparison: both targetings spend at most the plan's budget (what
   * its targeted customers cost) and each is valued by the truth alone: true effect x value - cost
   * over the customers it contacts. Hand-worked: the plan contacted a (no true effect) and b
   * (0.10); uplift targeting ranks c (predicted 0.15, true 0.20) and b (0.08) first, leaves d
   * (predicted to churn more) and a (0) alone: 84 against 284 at a budget of 16.
   */
  @Test
  void theComparisonValuesBothTargetingsByTheTruthAtThePlansBudget() {
    Dataset<Row> plan =
        rows(
            io.churnlake.jobs.tables.SegmentColumns.RISK_SEGMENTS,
            planned("a", "targeted"),
            planned("b", "targeted"),
            planned("c", "control"),
            planned("d", "none"));
    org.apache.spark.sql.types.StructType uplift =
        new org.apache.spark.sql.types.StructType()
            .add("customer_id", "string")
            .add("action", "string")
            .add("uplift", "double");
    Dataset<Row> uplifts =
        rows(
            uplift,
            new Object[] {"a", "agent-call", 0.0},
            new Object[] {"b", "agent-call", 0.08},
            new Object[] {"c", "agent-call", 0.15},
            new Object[] {"d", "agent-call", -0.01},
            new Object[] {"a", "discount", 0.5});
    org.apache.spark.sql.types.StructType effect =
        new org.apache.spark.sql.types.StructType()
            .add("customer_id", "string")
            .add("action", "string")
            .add("true_effect", "double");
    Dataset<Row> truth =
        rows(
            effect,
            new Object[] {"a", "agent-call", 0.0},
            new Object[] {"b", "agent-call", 0.1},
            new Object[] {"c", "agent-call", 0.2},
            new Object[] {"d", "agent-call", -0.05});
    TargetingComparison.Result r =
        TargetingComparison.compare(
            plan, uplifts, truth, ChurnConfigLoader.load(List.of(), List.of()).segment(), "run-1");
    assertThat(r.budget()).isEqualTo(16.0);
    assertThat(r.planNetValue()).isCloseTo(-8.0 + 92.0, within(1e-9));
    assertThat(r.planTargeted()).isEqualTo(2);
    assertThat(r.upliftNetValue()).isCloseTo(192.0 + 92.0, within(1e-9));
    assertThat(r.upliftTargeted()).isEqualTo(2);
    assertThat(r.winner()).isEqualTo("uplift");
  }
}
