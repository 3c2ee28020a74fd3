package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake kpis --as-of D}: the KPI ledger {@code churn_kpis} (rates and counts per period
 * and dimension, snapshot values, the campaign's treated vs control churn, goal tracking) and
 * {@code cohort_retention}, both computed from everything dated on or before D and replacing D's
 * rows in one commit each. Churn follows labels.definition through {@link CustomerSpells}.
 */
public final class KpisJob {
  private static final Logger LOG = LoggerFactory.getLogger(KpisJob.class);

  private KpisJob() {}

  /**
   * What a run wrote: the dimension-all rows of churn_kpis (a handful per period; goal rows
   * included), how churn was recognised and the number of cohorts.
   */
  public record Result(
      LocalDate asOf,
      String grain,
      String churnDefinition,
      List<Row> overall,
      long cohorts,
      Campaigns campaigns) {

    /** The rows of one metric without a goal, by period start. */
    public Map<LocalDate, Row> metric(String name) {
      Map<LocalDate, Row> out = new TreeMap<>();
      for (Row r : overall) {
        if (r.getString(r.fieldIndex(KpiColumns.METRIC)).equals(name)
            && r.isNullAt(r.fieldIndex(KpiColumns.GOAL_ID))) {
          out.put(r.getDate(r.fieldIndex(KpiColumns.PERIOD_START)).toLocalDate(), r);
        }
      }
      return out;
    }

    /** The rows of one goal, by period start. */
    public Map<LocalDate, Row> goal(String id) {
      Map<LocalDate, Row> out = new TreeMap<>();
      for (Row r : overall) {
        if (id.equals(r.getString(r.fieldIndex(KpiColumns.GOAL_ID)))) {
          out.put(r.getDate(r.fieldIndex(KpiColumns.PERIOD_START)).toLocalDate(), r);
        }
      }
      return out;
    }
  }

  /**
   * What the campaign follow-up wrote: the {@code action_effects} rows (one per configured action;
   * none without a plan or churn dates) and when the earliest immature wave matures, if any.
   */
  public record Campaigns(List<Row> actionEffects, Optional<LocalDate> nextMaturity) {
    static final Campaigns NONE = new Campaigns(List.of(), Optional.empty());
  }

  public static Result run(JobContext ctx, LocalDate asOf) {
    return ctx.stage("kpis", () -> measure(ctx, asOf));
  }

  private static Result measure(JobContext ctx, LocalDate asOf) {
    ChurnConfig.KpiSettings k = ctx.config().kpis();
    Optional<KpiSpells.Spells> spells = KpiSpells.of(ctx, asOf);
    spells.ifPresent(s -> s.rows().persist(StorageLevel.MEMORY_AND_DISK()));
    try {
      LocalDate first =
          spells.isPresent()
              ? KpiSpells.firstDay(spells.get(), asOf)
              : History.spanUpTo(ctx, asOf).first();
      KpiPeriods calendar = KpiPeriods.between(k.grain(), first, asOf);
      Dataset<Row> periods = broadcast(calendar.toDataset(ctx.spark()));
      Optional<Dataset<Row>> plans = plansUpTo(ctx, asOf);
      Dataset<Row> kpis = metrics(ctx, asOf, spells, plans, periods);
      Dataset<Row> rows =
          TrackGoals.apply(ctx.spark(), kpis, k.goals(), k.grain())
              .withColumn(Columns.AS_OF_DATE, lit(Date.valueOf(asOf)))
              .withColumn("period_grain", lit(k.grain().id()))
              .withColumn("run_id", lit(ctx.runId()))
              .select(
                  java.util.Arrays.stream(KpiColumns.CHURN_KPIS.fieldNames())
                      .map(f -> col(f))
                      .toArray(Column[]::new));
      String onDate = History.asOfPredicate(asOf);
      // The night's KPI and cohort rows are per period, metric and dimension value (per cohort
      // month and offset): a few hundred whatever the number of customers. Computed once on the
      // driver, they are written and summarised from there instead of read back from the tables.
      List<Row> kpiRows = rows.collectAsList();
      ctx.store()
          .replaceWhere(
              ChurnTable.CHURN_KPIS, ctx.spark().createDataFrame(kpiRows, rows.schema()), onDate);
      long cohorts = spells.isPresent() ? writeCohorts(ctx, spells.get(), asOf) : 0;
      Campaigns campaigns =
          spells.isPresent() && plans.isPresent()
              ? writeOutcomes(ctx, plans.get(), spells.get().rows(), periods, asOf)
              : Campaigns.NONE;
      List<Row> overall = KpiRows.overall(kpiRows);
      LOG.info(
          "kpis as of {}: {} {} periods from {}, {} rows under all, {} cohorts",
          asOf,
          calendar.starts().size(),
          k.grain().id(),
          first,
          overall.size(),
          cohorts);
      return new Result(
          asOf,
          k.grain().id(),
          spells.map(KpiSpells.Spells::definition).orElse(KpiSpells.noChurnDates()),
          overall,
          cohorts,
          campaigns);
    } finally {
      spells.ifPresent(s -> s.rows().unpersist());
    }
  }

  /**
   * The randomised customers of every campaign wave matured by the as-of date ({@link
   * CampaignOutcomes#customers}: wave_date, customer_id, action, segment, treated, churned), when
   * plans and churn dates exist. What the uplift learner reads.
   */
  public static Optional<Dataset<Row>> randomisedCustomers(JobContext ctx, LocalDate asOf) {
    Optional<Dataset<Row>> plans = plansUpTo(ctx, asOf);
    Optional<KpiSpells.Spells> spells = KpiSpells.of(ctx, asOf);
    if (plans.isEmpty() || spells.isEmpty()) {
      return Optional.empty();
    }
    KpiPeriods calendar =
        KpiPeriods.between(
            ctx.config().kpis().grain(), KpiSpells.firstDay(spells.get(), asOf), asOf);
    Map<String, Double> costs = new TreeMap<>();
    ctx.config().segment().actions().forEach((name, action) -> costs.put(name, action.cost()));
    return Optional.of(
        new CampaignOutcomes(ctx.config().labels().horizonDays(), asOf, costs, ctx.runId())
            .customers(
                plans.get(), spells.get().rows(), broadcast(calendar.toDataset(ctx.spark()))));
  }

  /** Every retention plan on or before the date, when any was made. */
  private static Optional<Dataset<Row>> plansUpTo(JobContext ctx, LocalDate asOf) {
    return ctx.store().exists(ChurnTable.RISK_SEGMENTS)
        ? Optional.of(
            ctx.store()
                .read(ChurnTable.RISK_SEGMENTS)
                .where(col(Columns.AS_OF_DATE).leq(lit(Date.valueOf(asOf)))))
        : Optional.empty();
  }

  /**
   * Every metric row before goal tracking: flows and the campaign (with churn dates; otherwise
   * undefined churn), repeat purchases, revenue at risk and CLV where their tables exist.
   */
  private static Dataset<Row> metrics(
      JobContext ctx,
      LocalDate asOf,
      Optional<KpiSpells.Spells> spells,
      Optional<Dataset<Row>> plans,
      Dataset<Row> periods) {
    ChurnConfig.KpiSettings k = ctx.config().kpis();
    Column upToAsOf = col(Columns.AS_OF_DATE).leq(lit(Date.valueOf(asOf)));
    List<Dataset<Row>> parts = new ArrayList<>();
    if (spells.isPresent()) {
      parts.add(
          FlowKpis.apply(spells.get().rows(), periods, KpiDimensions.of(ctx, k, plans, periods)));
      plans.ifPresent(
          p ->
              parts.add(
                  CampaignKpis.apply(
                      p, spells.get().rows(), periods, ctx.config().labels().horizonDays(), asOf)));
    } else {
      parts.add(undefinedChurn(periods));
    }
    if (ctx.store().exists(ChurnTable.TRANSACTIONS)) {
      parts.add(
          RepeatPurchaseKpis.apply(
              ctx.store()
                  .read(ChurnTable.TRANSACTIONS)
                  .where(col(Columns.EVENT_DATE).leq(lit(Date.valueOf(asOf))))
                  .where(col("line_type").equalTo("purchase")),
              periods));
    }
    plans.ifPresent(p -> parts.add(SnapshotKpis.revenueAtRisk(p, periods)));
    if (ctx.store().exists(ChurnTable.CUSTOMER_VALUE)) {
      parts.add(
          SnapshotKpis.clv(ctx.store().read(ChurnTable.CUSTOMER_VALUE).where(upToAsOf), periods));
    }
    Dataset<Row> kpis = parts.get(0);
    for (Dataset<Row> p : parts.subList(1, parts.size())) {
      kpis = kpis.unionByName(p);
    }
    return kpis;
  }

  /** Replaces the as-of date's {@code cohort_retention}; the number of cohorts. */
  private static long writeCohorts(JobContext ctx, KpiSpells.Spells spells, LocalDate asOf) {
    Dataset<Row> cohortPlan = CohortRetention.apply(spells.rows(), asOf, ctx.runId());
    // A few hundred rows (cohort months x offsets): written from the driver.
    List<Row> cohortRows = cohortPlan.collectAsList();
    ctx.store()
        .replaceWhere(
            ChurnTable.COHORT_RETENTION,
            ctx.spark().createDataFrame(cohortRows, cohortPlan.schema()),
            History.asOfPredicate(asOf));
    return cohortRows.stream()
        .map(r -> r.get(r.fieldIndex(KpiColumns.COHORT_MONTH)))
        .distinct()
        .count();
  }

  /**
   * Replaces the as-of date's {@code campaign_outcomes} ({@link CampaignOutcomes}: a few rows per
   * wave, action and segment, computed once and written from the driver) and the save rates learned
   * from them ({@code action_effects}, {@link ActionEffects}).
   */
  private static Campaigns writeOutcomes(
      JobContext ctx,
      Dataset<Row> plans,
      Dataset<Row> spells,
      Dataset<Row> periods,
      LocalDate asOf) {
    Map<String, Double> costs = new TreeMap<>();
    ctx.config().segment().actions().forEach((name, action) -> costs.put(name, action.cost()));
    List<Row> outcomes =
        new CampaignOutcomes(ctx.config().labels().horizonDays(), asOf, costs, ctx.runId())
            .apply(plans, spells, periods)
            .collectAsList();
    ctx.store()
        .replaceWhere(
            ChurnTable.CAMPAIGN_OUTCOMES,
            ctx.spark().createDataFrame(outcomes, KpiColumns.CAMPAIGN_OUTCOMES),
            History.asOfPredicate(asOf));
    LOG.info(
        "kpis as of {}: {} campaign outcome rows ({} mature)",
        asOf,
        outcomes.size(),
        outcomes.stream().filter(r -> KpiColumns.MATURE_STATUS.equals(r.getAs("status"))).count());
    List<ActionEffects.Outcome> counted = new ArrayList<>();
    for (Row r : outcomes) {
      counted.add(
          new ActionEffects.Outcome(
              r.<Date>getAs("wave_date").toLocalDate(),
              r.getAs("action"),
              r.getAs("status"),
              r.<Long>getAs("treated"),
              r.<Long>getAs("treated_churned"),
              r.<Long>getAs("control"),
              r.<Long>getAs("control_churned")));
    }
    Map<String, Double> priors = new TreeMap<>();
    ctx.config().segment().actions().forEach((name, a) -> priors.put(name, a.saveRate()));
    List<Row> effects =
        ActionEffects.rows(
            asOf, priors, ctx.config().segment().saveRatePriorStrength(), counted, ctx.runId());
    ctx.store()
        .replaceWhere(
            ChurnTable.ACTION_EFFECTS,
            ctx.spark().createDataFrame(effects, KpiColumns.ACTION_EFFECTS),
            History.asOfPredicate(asOf));
    int horizon = ctx.config().labels().horizonDays();
    Optional<LocalDate> next =
        counted.stream()
            .filter(o -> KpiColumns.IMMATURE.equals(o.status()))
            .map(o -> o.wave().plusDays(horizon))
            .min(LocalDate::compareTo);
    return new Campaigns(effects, next);
  }

  /** labels.definition = given: churn rates are undefined, and the rows say why. */
  private static Dataset<Row> undefinedChurn(Dataset<Row> periods) {
    Dataset<Row> p =
        periods
            .withColumn(KpiColumns.DIMENSION, lit(KpiColumns.ALL))
            .withColumn(KpiColumns.DIMENSION_VALUE, lit(KpiColumns.ALL));
    Column none = lit(null).cast(DataTypes.DoubleType);
    return KpiRows.explodeMetrics(
        p,
        KpiRows.metric(
            "churn_rate", none, lit(KpiColumns.UNDEFINED), lit(KpiSpells.noChurnDates())),
        KpiRows.metric(
            "retention_rate", none, lit(KpiColumns.UNDEFINED), lit(KpiSpells.noChurnDates())));
  }

  /** The KPIs for people: the last periods' rates, the campaign and each goal's standing. */
}
