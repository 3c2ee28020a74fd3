package io.churnlake.jobs.kpis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Spells, period KPIs, cohorts with Kaplan-Meier, campaign effect, goals: hand-worked cases. */
class KpisTest extends SparkTestBase {
  static final StructType ACTIVITY =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("event_date", DataTypes.DateType)
          .add("event_type", DataTypes.StringType);
  static final StructType SPELLS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("spell_start", DataTypes.DateType)
          .add("spell_end", DataTypes.DateType)
          .add("first_start", DataTypes.DateType);

  static Date d(String iso) {
    return iso == null ? null : Date.valueOf(iso);
  }

  static Object[] spell(String id, String start, String end, String first) {
    return new Object[] {id, d(start), d(end), d(first)};
  }

  static Object[] event(String id, String day, String type) {
    return new Object[] {id, d(day), type};
  }

  static List<String> lines(Dataset<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows.collectAsList()) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        b.append(i == 0 ? "" : " ").append(r.get(i));
      }
      out.add(b.toString());
    }
    return out;
  }

  /**
   * Invariant: a spell ends (the customer churns) horizon days after its last activity when no
   * activity follows within the horizon; a gap of exactly the horizon keeps the spell; a spell
   * whose end is after the as-of date is open (null); duplicates do not matter.
   */
  @Test
  void inactivitySpellsSplitOnGapsLongerThanTheHorizon() {
    Dataset<Row> activity =
        rows(
            ACTIVITY,
            event("a", "2026-01-01", "p"),
            event("a", "2026-01-03", "p"),
            event("a", "2026-01-12", "p"),
            event("a", "2026-01-28", "p"),
            event("b", "2026-01-05", "p"),
            event("b", "2026-01-05", "p"),
            event("b", "2026-01-10", "p"),
            event("c", "2026-01-20", "p"),
            event("c", "2026-01-26", "p"));
    Dataset<Row> spells =
        CustomerSpells.inactivity(activity, 5, LocalDate.parse("2026-01-31"))
            .orderBy("customer_id", "spell_start");
    assertThat(lines(spells))
        .containsExactly(
            "a 2026-01-01 2026-01-08 2026-01-01",
            "a 2026-01-12 2026-01-17 2026-01-01",
            "a 2026-01-28 null 2026-01-01",
            "b 2026-01-05 2026-01-15 2026-01-05",
            "c 2026-01-20 2026-01-25 2026-01-20",
            "c 2026-01-26 2026-01-31 2026-01-20");
  }

  /** Invariant: an explicit spell runs from the first event to the first churn event. */
  @Test
  void explicitSpellsEndAtTheFirstChurnEvent() {
    Dataset<Row> events =
        rows(
            ACTIVITY,
            event("x", "2026-01-02", "login"),
            event("x", "2026-01-05", "cancellation_confirmation"),
            event("x", "2026-01-06", "login"),
            event("x", "2026-01-09", "cancellation_confirmation"),
            event("y", "2026-01-03", "login"));
    assertThat(
            lines(
                CustomerSpells.explicit(events, "cancellation_confirmation")
                    .orderBy("customer_id")))
        .containsExactly("x 2026-01-02 2026-01-05 2026-01-02", "y 2026-01-03 null 2026-01-03");
  }

  /**
   * Invariant: churn rate = spells ending in the period / spells active the day before it; new =
   * first spells starting in it (a returning customer is not new); an unfinished period has null
   * flows marked immature; a dimension value without active customers has an undefined rate.
   */
  @Test
  void periodRatesCountSpellsActiveAtTheStartAndEndingInThePeriod() {
    Dataset<Row> spells =
        rows(
            SPELLS,
            spell("a", "2025-12-10", "2026-02-10", "2025-12-10"),
            spell("b", "2025-12-20", "2026-01-31", "2025-12-20"),
            spell("c", "2026-01-05", null, "2026-01-05"),
            spell("d", "2025-11-01", "2025-12-31", "2025-11-01"),
            spell("d", "2026-02-15", null, "2025-11-01"),
            spell("e", "2026-02-01", "2026-02-01", "2026-02-01"));
    KpiPeriods calendar =
        KpiPeriods.between(
            ChurnConfig.KpiGrain.MONTH,
            LocalDate.parse("2026-01-20"),
            LocalDate.parse("2026-03-15"));
    Dataset<Row> periods = calendar.toDataset(spark());
    Dataset<Row> dims =
        rows(
                new StructType()
                    .add("customer_id", DataTypes.StringType)
                    .add("tier", DataTypes.StringType),
                new Object[] {"a", "high"},
                new Object[] {"c", "low"},
                new Object[] {"e", "medium"})
            .select(
                org.apache.spark.sql.functions.col("customer_id"),
                org.apache.spark.sql.functions.lit(d("2026-02-01")).as("period_start"),
                org.apache
                    .spark
                    .sql
                    .functions
                    .array(
                        FlowKpis.dimension("risk_tier", org.apache.spark.sql.functions.col("tier")))
                    .as("dims"));
    Dataset<Row> kpis =
        FlowKpis.apply(spells, periods, dims)
            .drop("period_end")
            .orderBy("period_start", "dimension", "dimension_value", "metric");
    String none = "no active customers at the period start";
    String open = "the period ends after the as-of date";
    assertThat(lines(kpis))
        .containsExactly(
            "2026-01-01 all all active_customers 2.0 null null mature null",
            "2026-01-01 all all churn_rate 0.5 null null mature null",
            "2026-01-01 all all churned_customers 1.0 null null mature null",
            "2026-01-01 all all new_customers 1.0 null null mature null",
            "2026-01-01 all all retention_rate 0.5 null null mature null",
            "2026-02-01 all all active_customers 2.0 null null mature null",
            "2026-02-01 all all churn_rate 0.5 null null mature null",
            "2026-02-01 all all churned_customers 1.0 null null mature null",
            "2026-02-01 all all new_customers 1.0 null null mature null",
            "2026-02-01 all all retention_rate 0.5 null null mature null",
            "2026-02-01 risk_tier high active_customers 1.0 null null mature null",
            "2026-02-01 risk_tier high churn_rate 1.0 null null mature null",
            "2026-02-01 risk_tier high churned_customers 1.0 null null mature null",
            "2026-02-01 risk_tier high retention_rate 0.0 null null mature null",
            "2026-02-01 risk_tier low active_customers 1.0 null null mature null",
            "2026-02-01 risk_tier low churn_rate 0.0 null null mature null",
            "2026-02-01 risk_tier low churned_customers 0.0 null null mature null",
            "2026-02-01 risk_tier low retention_rate 1.0 null null mature null",
            "2026-02-01 risk_tier medium active_customers 0.0 null null mature null",
            "2026-02-01 risk_tier medium churn_rate null null null undefined " + none,
            "2026-02-01 risk_tier medium churned_customers 0.0 null null mature null",
            "2026-02-01 risk_tier medium retention_rate null null null undefined " + none,
            "2026-03-01 all all active_customers 2.0 null null mature null",
            "2026-03-01 all all churn_rate null null null immature " + open,
            "2026-03-01 all all churned_customers null null null immature " + open,
            "2026-03-01 all all new_customers null null null immature " + open,
            "2026-03-01 all all retention_rate null null null immature " + open);
  }

  /**
   * Invariant: a cohort's customers retained at offset k are those in a spell on the last day of
   * month cohort + k (returning customers count again); Kaplan-Meier survival of the first spell
   * equals the hand-computed product limit, and is null beyond the youngest member's follow-up.
   */
  @Test
  void cohortRetentionAndKaplanMeierMatchAHandWorkedCase() {
    Dataset<Row> spells =
        rows(
            SPELLS,
            spell("p", "2026-01-10", null, "2026-01-10"),
            spell("q", "2026-01-20", "2026-02-05", "2026-01-20"),
            spell("r", "2026-01-25", "2026-01-31", "2026-01-25"),
            spell("t", "2026-01-02", "2026-01-12", "2026-01-02"),
            spell("t", "2026-02-20", null, "2026-01-02"),
            spell("s", "2026-02-03", null, "2026-02-03"),
            spell("u", "2026-03-02", null, "2026-03-02"));
    Dataset<Row> cohorts =
        CohortRetention.apply(spells, LocalDate.parse("2026-03-15"), "run")
            .orderBy("cohort_month", "period_offset");
    assertThat(cohorts.columns()).containsExactly(KpiColumns.COHORT_RETENTION.fieldNames());
    for (var f : KpiColumns.COHORT_RETENTION.fields()) {
      assertThat(cohorts.schema().apply(f.name()).dataType()).as(f.name()).isEqualTo(f.dataType());
    }
    assertThat(lines(cohorts.drop("km_survival", "km_survival_se")))
        .containsExactly(
            "2026-03-15 2026-01-01 0 4 2 0.5 30 run",
            "2026-03-15 2026-01-01 1 4 2 0.5 60 run",
            "2026-03-15 2026-02-01 0 1 1 1.0 30 run");
    List<Row> km = cohorts.select("km_survival", "km_survival_se").collectAsList();
    // Jan: durations 6, 10, 16 (events) and 64 (censored): S(30) = 3/4 * 2/3 * 1/2.
    assertThat(km.get(0).getDouble(0)).isCloseTo(0.75 * 2 / 3 * 0.5, within(1e-12));
    // Greenwood: S x sqrt(1/(4 x 3) + 1/(3 x 2) + 1/(2 x 1)).
    assertThat(km.get(0).getDouble(1))
        .isCloseTo(0.25 * Math.sqrt(1.0 / 12 + 1.0 / 6 + 1.0 / 2), within(1e-12));
    assertThat(km.get(1).isNullAt(1)).isTrue();
    // 60 days is beyond Jan 31 + 43 days of follow-up; Feb's youngest has 15 days.
    assertThat(km.get(1).isNullAt(0)).isTrue();
    assertThat(km.get(2).isNullAt(0)).isTrue();
  }

  /**
   * Invariant: the first plan of a period is followed for the horizon; treated and control churn
   * rates count only customers in a spell on the plan date, with Wilson intervals, and the effect
   * is their difference; a plan whose horizon ends after the as-of date gives null, immature rows.
   */
  @Test
  void campaignEffectComparesTreatedAndControlChurnAfterThePlan() {
    StructType plan =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("as_of_date", DataTypes.DateType)
            .add("targeting", DataTypes.StringType);
    Dataset<Row> plans =
        rows(
            plan,
            new Object[] {"t1", d("2026-02-01"), "targeted"},
            new Object[] {"t2", d("2026-02-01"), "targeted"},
            new Object[] {"t3", d("2026-02-01"), "targeted"},
            new Object[] {"t4", d("2026-02-01"), "targeted"},
            new Object[] {"gone", d("2026-02-01"), "targeted"},
            new Object[] {"c1", d("2026-02-01"), "control"},
            new Object[] {"c2", d("2026-02-01"), "control"},
            new Object[] {"c3", d("2026-02-01"), "control"},
            new Object[] {"n1", d("2026-02-01"), "none"},
            new Object[] {"t1", d("2026-02-08"), "control"},
            new Object[] {"t3", d("2026-03-05"), "targeted"},
            new Object[] {"c3", d("2026-03-05"), "control"});
    Dataset<Row> spells =
        rows(
            SPELLS,
            spell("t1", "2026-01-01", "2026-02-10", "2026-01-01"),
            spell("t2", "2026-01-01", "2026-03-10", "2026-01-01"),
            spell("t3", "2026-01-01", null, "2026-01-01"),
            spell("t4", "2026-01-01", null, "2026-01-01"),
            spell("gone", "2026-01-01", "2026-01-20", "2026-01-01"),
            spell("c1", "2026-01-01", "2026-02-20", "2026-01-01"),
            spell("c2", "2026-01-01", "2026-02-02", "2026-01-01"),
            spell("c3", "2026-01-01", null, "2026-01-01"),
            spell("n1", "2026-01-01", "2026-02-03", "2026-01-01"));
    LocalDate asOf = LocalDate.parse("2026-03-15");
    Dataset<Row> periods =
        KpiPeriods.between(ChurnConfig.KpiGrain.MONTH, LocalDate.parse("2026-01-01"), asOf)
            .toDataset(spark());
    Map<String, Row> byKey = new TreeMap<>();
    for (Row r : CampaignKpis.apply(plans, spells, periods, 30, asOf).collectAsList()) {
      byKey.put(r.getDate(0) + " " + r.getString(4), r);
    }
    assertThat(byKey).hasSize(6);
    double pt = 0.25;
    double pc = 2.0 / 3;
    double[] t = wilson(1, 4);
    double[] c = wilson(2, 3);
    assertProportion(byKey.get("2026-02-01 treated_churn_rate"), pt, t[0], t[1]);
    assertProportion(byKey.get("2026-02-01 control_churn_rate"), pc, c[0], c[1]);
    // Newcombe's interval of the difference, from the two Wilson intervals.
    assertProportion(
        byKey.get("2026-02-01 treatment_effect"),
        pt - pc,
        pt - pc - Math.hypot(pt - t[0], c[1] - pc),
        pt - pc + Math.hypot(t[1] - pt, pc - c[0]));
    assertThat(byKey.get("2026-02-01 treatment_effect").getString(9))
        .isEqualTo("plan of 2026-02-01, churn within 30 days; treated 4, control 3");
    for (String m : List.of("treated_churn_rate", "control_churn_rate", "treatment_effect")) {
      Row r = byKey.get("2026-03-01 " + m);
      assertThat(r.isNullAt(5)).as(m).isTrue();
      assertThat(r.getString(8)).isEqualTo("immature");
    }
  }

  /**
   * Invariant: a wave's outcome per action and segment counts, intent to treat, the targeted and
   * control customers in a spell on the wave's date; a mature group gets its rate with a Wilson
   * interval, both groups the effect with Newcombe's interval, the realised save rate and net value
   * (the saved share of the treated customers' value less their contact cost); a group with no
   * customer makes the effect undefined, and an immature wave carries no rate at all.
   */
  @Test
  void campaignOutcomesCompareEachActionAndSegmentsGroupsPerWave() {
    StructType plan =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("as_of_date", DataTypes.DateType)
            .add("action", DataTypes.StringType)
            .add("segment", DataTypes.StringType)
            .add("value", DataTypes.DoubleType)
            .add("expected_net_value", DataTypes.DoubleType)
            .add("targeting", DataTypes.StringType);
    Dataset<Row> plans =
        rows(
            plan,
            new Object[] {"t1", d("2026-02-01"), "call", "high/high", 100.0, 20.0, "targeted"},
            new Object[] {"t2", d("2026-02-01"), "call", "high/high", 50.0, 5.0, "targeted"},
            new Object[] {"c1", d("2026-02-01"), "call", "high/high", 80.0, 0.0, "control"},
            new Object[] {"c2", d("2026-02-01"), "call", "high/high", 70.0, 0.0, "control"},
            new Object[] {"gone", d("2026-02-01"), "call", "high/high", 10.0, 1.0, "targeted"},
            new Object[] {"t3", d("2026-02-01"), "email", "low/high", 30.0, 2.0, "targeted"},
            new Object[] {"n1", d("2026-02-01"), "none", "low/low", 5.0, 0.0, "none"},
            new Object[] {"t1", d("2026-02-08"), "call", "high/high", 100.0, 20.0, "control"},
            new Object[] {"t3", d("2026-03-05"), "call", "high/high", 30.0, 3.0, "targeted"},
            new Object[] {"c3", d("2026-03-05"), "call", "high/high", 30.0, 0.0, "control"});
    Dataset<Row> spells =
        rows(
            SPELLS,
            spell("t1", "2026-01-01", "2026-02-10", "2026-01-01"),
            spell("t2", "2026-01-01", "2026-03-10", "2026-01-01"),
            spell("t3", "2026-01-01", null, "2026-01-01"),
            spell("gone", "2026-01-01", "2026-01-20", "2026-01-01"),
            spell("c1", "2026-01-01", "2026-02-20", "2026-01-01"),
            spell("c2", "2026-01-01", "2026-02-02", "2026-01-01"),
            spell("c3", "2026-01-01", null, "2026-01-01"),
            spell("n1", "2026-01-01", "2026-02-03", "2026-01-01"));
    LocalDate asOf = LocalDate.parse("2026-03-15");
    Dataset<Row> periods =
        KpiPeriods.between(ChurnConfig.KpiGrain.MONTH, LocalDate.parse("2026-01-01"), asOf)
            .toDataset(spark());
    Dataset<Row> out =
        new CampaignOutcomes(30, asOf, Map.of("call", 10.0, "email", 1.0), "run")
            .apply(plans, spells, periods);
    // The documented columns and types, in order (the writer applies its nullability).
    assertThat(
            java.util.Arrays.stream(out.schema().fields()).map(f -> f.name() + ":" + f.dataType()))
        .containsExactlyElementsOf(
            java.util.Arrays.stream(KpiColumns.CAMPAIGN_OUTCOMES.fields())
                .map(f -> f.name() + ":" + f.dataType())
                .toList());
    List<Row> rows = out.orderBy("wave_date", "action").collectAsList();
    // Counts, status and note of every row; t1's later control row (not the period's first plan)
    // and 'gone' (churned before the wave) are not counted, nor is 'none'.
    assertThat(
            lines(
                out.orderBy("wave_date", "action")
                    .select(
                        "as_of_date",
                        "wave_date",
                        "action",
                        "segment",
                        "horizon_days",
                        "status",
                        "treated",
                        "treated_churned",
                        "control",
                        "control_churned",
                        "expected_net_value",
                        "note",
                        "run_id")))
        .containsExactly(
            "2026-03-15 2026-02-01 call high/high 30 mature 2 1 2 2 25.0"
                + " wave of 2026-02-01, churn within 30 days; treated 2, control 2 run",
            "2026-03-15 2026-02-01 email low/high 30 undefined 1 0 0 0 2.0"
                + " undefined: no control customer; wave of 2026-02-01, churn within 30 days;"
                + " treated 1, control 0 run",
            "2026-03-15 2026-03-05 call high/high 30 immature 1 0 1 0 3.0"
                + " immature: the horizon ends on 2026-04-04, after the as-of date; wave of"
                + " 2026-03-05, churn within 30 days; treated 1, control 1 run");
    Row call = rows.get(0);
    double[] t = wilson(1, 2);
    double[] c = wilson(2, 2);
    assertThat(call.<Double>getAs("treated_churn_rate")).isCloseTo(0.5, within(1e-12));
    assertThat(call.<Double>getAs("treated_churn_rate_lower")).isCloseTo(t[0], within(1e-12));
    assertThat(call.<Double>getAs("treated_churn_rate_upper")).isCloseTo(t[1], within(1e-12));
    assertThat(call.<Double>getAs("control_churn_rate")).isCloseTo(1.0, within(1e-12));
    // A control rate of 1 keeps a width: Wilson's interval does not collapse at 0 or 1.
    assertThat(call.<Double>getAs("control_churn_rate_lower")).isCloseTo(c[0], within(1e-12));
    assertThat(c[0]).isLessThan(0.5);
    assertThat(call.<Double>getAs("effect")).isCloseTo(-0.5, within(1e-12));
    assertThat(call.<Double>getAs("effect_lower"))
        .isCloseTo(-0.5 - Math.hypot(0.5 - t[0], c[1] - 1.0), within(1e-12));
    assertThat(call.<Double>getAs("effect_upper"))
        .isCloseTo(-0.5 + Math.hypot(t[1] - 0.5, 1.0 - c[0]), within(1e-12));
    assertThat(call.<Double>getAs("relative_effect")).isCloseTo(0.5, within(1e-12));
    // (1.0 - 0.5) x (100 + 50) - 2 x 10.
    assertThat(call.<Double>getAs("realised_net_value")).isCloseTo(55.0, within(1e-9));
    Row email = rows.get(1);
    assertThat(email.<Double>getAs("treated_churn_rate")).isEqualTo(0.0);
    for (String col :
        List.of("control_churn_rate", "effect", "relative_effect", "realised_net_value")) {
      assertThat(email.isNullAt(email.fieldIndex(col))).as(col).isTrue();
    }
    Row immature = rows.get(2);
    for (String col :
        List.of(
            "treated_churn_rate",
            "control_churn_rate",
            "effect",
            "effect_lower",
            "relative_effect",
            "realised_net_value")) {
      assertThat(immature.isNullAt(immature.fieldIndex(col))).as(col).isTrue();
    }

    // Per customer (what an uplift learner reads): the matured wave's randomised customers only,
    // each with its group and outcome; 'gone', 'n1', t1's later row and the immature wave are out.
    assertThat(
            lines(
                new CampaignOutcomes(30, asOf, Map.of(), "run")
                    .customers(plans, spells, periods)
                    .orderBy("customer_id")))
        .containsExactly(
            "2026-02-01 c1 call high/high false 1.0",
            "2026-02-01 c2 call high/high false 1.0",
            "2026-02-01 t1 call high/high true 1.0",
            "2026-02-01 t2 call high/high true 0.0",
            "2026-02-01 t3 email low/high true 0.0");

    // Per action (the report's view): a second segment of the call wave (3 treated, none churned;
    // 1 control, churned) sums with the first; rates, intervals and effect come from the summed
    // counts, the realised net value is the segments' sum. Status and maturity as per segment.
    Dataset<Row> second =
        out.where("action = 'call' AND wave_date = DATE'2026-02-01'")
            .withColumn("segment", org.apache.spark.sql.functions.lit("medium/high"))
            .withColumn("treated", org.apache.spark.sql.functions.lit(3L))
            .withColumn("treated_churned", org.apache.spark.sql.functions.lit(0L))
            .withColumn("control", org.apache.spark.sql.functions.lit(1L))
            .withColumn("control_churned", org.apache.spark.sql.functions.lit(1L))
            .withColumn("expected_net_value", org.apache.spark.sql.functions.lit(5.0))
            .withColumn("realised_net_value", org.apache.spark.sql.functions.lit(7.0));
    List<Row> perAction = CampaignOutcomes.perAction(out.unionByName(second), asOf).collectAsList();
    assertThat(
            lines(
                CampaignOutcomes.perAction(out.unionByName(second), asOf)
                    .select(
                        "wave_date",
                        "action",
                        "matures_on",
                        "status",
                        "treated",
                        "treated_churned",
                        "control",
                        "control_churned",
                        "expected_net_value",
                        "realised_net_value")))
        .containsExactly(
            "2026-02-01 call 2026-03-03 mature 5 1 3 3 30.0 62.0",
            "2026-02-01 email 2026-03-03 undefined 1 0 0 0 2.0 null",
            "2026-03-05 call 2026-04-04 immature 1 0 1 0 3.0 null");
    Row summed = perAction.get(0);
    double[] ts = wilson(1, 5);
    double[] cs = wilson(3, 3);
    assertThat(summed.<Double>getAs("treated_churn_rate")).isCloseTo(0.2, within(1e-12));
    assertThat(summed.<Double>getAs("treated_churn_rate_lower")).isCloseTo(ts[0], within(1e-12));
    assertThat(summed.<Double>getAs("control_churn_rate_upper")).isCloseTo(cs[1], within(1e-12));
    assertThat(summed.<Double>getAs("effect")).isCloseTo(-0.8, within(1e-12));
    assertThat(summed.<Double>getAs("effect_lower"))
        .isCloseTo(-0.8 - Math.hypot(0.2 - ts[0], cs[1] - 1.0), within(1e-12));
    assertThat(perAction.get(2).isNullAt(perAction.get(2).fieldIndex("effect"))).isTrue();
  }

  /** Wilson's 95% score interval of x of n, written out here independently of the transform. */
  private static double[] wilson(double x, double n) {
    double z = 1.959963984540054;
    double p = x / n;
    double center = (p + z * z / (2 * n)) / (1 + z * z / n);
    double half = z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n));
    return new double[] {center - half, center + half};
  }

  private static void assertProportion(Row r, double value, double lower, double upper) {
    assertThat(r.getDouble(5)).isCloseTo(value, within(1e-12));
    assertThat(r.getDouble(6)).isCloseTo(lower, within(1e-12));
    assertThat(r.getDouble(7)).isCloseTo(upper, within(1e-12));
    assertThat(r.getString(8)).isEqualTo("mature");
  }

  /**
   * Invariant: repeat purchase rate = buyers of the period with a second purchase day so far /
   * buyers; a period without purchases is undefined, not NaN.
   */
  @Test
  void repeatPurchaseRateCountsBuyersWithASecondPurchaseDay() {
    Dataset<Row> purchases =
        rows(
            ACTIVITY,
            event("u", "2026-01-05", "purchase"),
            event("u", "2026-01-05", "purchase"),
            event("u", "2026-02-03", "purchase"),
            event("v", "2026-01-10", "purchase"),
            event("v", "2026-01-20", "purchase"),
            event("w", "2026-02-07", "purchase"));
    Dataset<Row> periods =
        KpiPeriods.between(
                ChurnConfig.KpiGrain.MONTH,
                LocalDate.parse("2026-01-05"),
                LocalDate.parse("2026-03-31"))
            .toDataset(spark());
    assertThat(
            lines(
                RepeatPurchaseKpis.apply(purchases, periods)
                    .drop("period_end", "dimension", "dimension_value", "lower", "upper")
                    .orderBy("period_start", "metric")))
        .containsExactly(
            "2026-01-01 buyers 2.0 mature null",
            "2026-01-01 repeat_purchase_rate 0.5 mature null",
            "2026-02-01 buyers 2.0 mature null",
            "2026-02-01 repeat_purchase_rate 0.5 mature null",
            "2026-03-01 buyers 0.0 mature null",
            "2026-03-01 repeat_purchase_rate null undefined no purchase in the period");
  }

  /**
   * Invariant: a goal's target follows the straight line from the baseline period's value to the
   * goal at the deadline; on_track compares the value with it in the goal's direction; without a
   * baseline value the goal rows say so and on_track is null; plain rows stay as they are.
   */
  @Test
  void goalsFollowAStraightPathFromTheBaseline() {
    StructType layout =
        new StructType()
            .add("period_start", DataTypes.DateType)
            .add("period_end", DataTypes.DateType)
            .add("dimension", DataTypes.StringType)
            .add("dimension_value", DataTypes.StringType)
            .add("metric", DataTypes.StringType)
            .add("value", DataTypes.DoubleType)
            .add("lower", DataTypes.DoubleType)
            .add("upper", DataTypes.DoubleType)
            .add("status", DataTypes.StringType)
            .add("note", DataTypes.StringType);
    Dataset<Row> kpis =
        rows(
            layout,
            kpi("2026-01-01", "all", "churn_rate", 0.10),
            kpi("2026-02-01", "all", "churn_rate", 0.096),
            kpi("2026-03-01", "all", "churn_rate", 0.08),
            kpi("2026-04-01", "all", "churn_rate", null),
            kpi("2026-02-01", "risk_tier", "churn_rate", 0.3),
            kpi("2026-01-01", "all", "retention_rate", 0.9),
            kpi("2026-02-01", "all", "retention_rate", 0.904));
    var goals =
        ChurnConfigLoader.load(
                List.of(),
                List.of(
                    "kpis.goals=[{id=cut, goal=\"churn_rate -10% vs 2026-01 by 2026-03\"},"
                        + " \"retention_rate +0.05 vs 2025-12 by 2026-02\"]"))
            .kpis()
            .goals();
    Dataset<Row> tracked =
        TrackGoals.apply(spark(), kpis, goals, ChurnConfig.KpiGrain.MONTH)
            .where("goal_id IS NOT NULL")
            .select("goal_id", "period_start", "value", "target", "on_track", "note")
            .orderBy("goal_id", "period_start");
    List<Row> rows = tracked.collectAsList();
    assertThat(rows).hasSize(5);
    assertThat(rows.get(0).getString(0)).isEqualTo("cut");
    double[] path = {0.10, 0.095, 0.09};
    boolean[] onTrack = {true, false, true};
    for (int i = 0; i < 3; i++) {
      assertThat(rows.get(i).getDouble(3)).isCloseTo(path[i], within(1e-12));
      assertThat(rows.get(i).getBoolean(4)).isEqualTo(onTrack[i]);
      assertThat(rows.get(i).getString(5))
          .isEqualTo("churn_rate -10% vs 2026-01 by 2026-03: baseline 0.1000, goal 0.0900");
    }
    for (Row r : rows.subList(3, 5)) {
      assertThat(r.getString(0)).isEqualTo("goal-2");
      assertThat(r.isNullAt(3)).isTrue();
      assertThat(r.isNullAt(4)).isTrue();
      assertThat(r.getString(5))
          .isEqualTo(
              "retention_rate +0.05 vs 2025-12 by 2026-02: the baseline period has no value of"
                  + " the metric");
    }
    assertThat(
            TrackGoals.apply(spark(), kpis, goals, ChurnConfig.KpiGrain.MONTH)
                .where("goal_id IS NULL")
                .count())
        .isEqualTo(7);
  }

  private static Object[] kpi(String period, String dimension, String metric, Double value) {
    return new Object[] {
      d(period),
      d(LocalDate.parse(period).plusMonths(1).minusDays(1).toString()),
      dimension,
      dimension.equals("all") ? "all" : "high",
      metric,
      value,
      null,
      null,
      value == null ? "immature" : "mature",
      null
    };
  }
}
