package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.clv.ScoreCustomerValue;
import io.churnlake.jobs.labels.ChurnDefinition;
import io.churnlake.jobs.model.ExplainScores;
import io.churnlake.jobs.model.ScoreCustomers;
import io.churnlake.jobs.tables.SegmentColumns;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake segment --as-of D}: D's churn scores joined with each customer's value, risk and
 * value tiers, the retention plan ({@link PlanRetention}) into {@code risk_segments} and its
 * per-segment summary into {@code segment_summary} (each replacing D's rows in one commit).
 */
public final class SegmentJob {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentJob.class);
  private static final String NET_SPEND = "net_spend_total";
  private static final String BILLED = "billed_amount_total";

  private SegmentJob() {}

  /** What a run wrote: the plan's inputs and its per-segment summary (at most nine rows). */
  public record Result(
      LocalDate asOf,
      long customers,
      String valueSource,
      double valueMediumFrom,
      double valueHighFrom,
      ChurnConfig.SegmentSettings settings,
      List<Row> summary,
      Optional<String> population,
      List<String> learnedRates,
      List<String> controls,
      Optional<String> targeting) {

    public long targeted() {
      return summary.stream().mapToLong(r -> r.getLong(r.fieldIndex("targeted"))).sum();
    }

    public long control() {
      return summary.stream().mapToLong(r -> r.getLong(r.fieldIndex("control"))).sum();
    }

    public double total(String column) {
      return summary.stream().mapToDouble(r -> r.getDouble(r.fieldIndex(column))).sum();
    }
  }

  public static Result run(JobContext ctx, LocalDate asOf) {
    return ctx.stage("segment", () -> plan(ctx, asOf));
  }

  private static Result plan(JobContext ctx, LocalDate asOf) {
    LearnedSaveRates.Applied rates = LearnedSaveRates.read(ctx, asOf, ctx.config().segment());
    UpliftTargeting targeting = UpliftTargeting.read(ctx, asOf, rates.settings());
    ChurnConfig.SegmentSettings s = targeting.settings();
    String onDate = History.asOfPredicate(asOf);
    Dataset<Row> scores = targeting.join(scores(ctx, asOf));
    Value value = value(ctx, asOf, s);
    Column v = col(SegmentColumns.VALUE);
    Dataset<Row> valued =
        AssignRiskTiers.of(s)
            .apply(scores.join(value.rows(), Columns.CUSTOMER_ID, "left"))
            // No value (no purchase, no billing) or not a number: 0, never NaN in the table.
            .withColumn(SegmentColumns.VALUE, when(v.isNull().or(isnan(v)), 0.0).otherwise(v))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      AssignValueTiers tiers =
          AssignValueTiers.atQuantiles(valued, s.valueMediumQuantile(), s.valueHighQuantile());
      Dataset<Row> tiered = tiers.apply(valued);
      List<ControlPower.Sized> controls = controls(new PlanRetention(s, ctx.runId()), tiered, s);
      Map<String, Double> shares = new java.util.LinkedHashMap<>();
      controls.forEach(c -> shares.put(c.action(), c.fraction()));
      Dataset<Row> planned = new PlanRetention(s, ctx.runId(), shares).apply(tiered);
      List<Row> summary = write(ctx, s, planned, onDate);
      long customers = summary.stream().mapToLong(r -> r.getLong(r.fieldIndex("customers"))).sum();
      Result r =
          new Result(
              asOf,
              customers,
              value.source(),
              tiers.mediumFrom(),
              tiers.highFrom(),
              s,
              summary,
              population(ctx, asOf, customers),
              rates.lines(),
              planned(controls, summary).stream().map(ControlPower.Sized::line).toList(),
              targeting.line());
      LOG.info(
          "segment as of {}: {} customers, value from {}, {} targeted, {} control, cost {},"
              + " expected net value {}",
          asOf,
          customers,
          value.source(),
          r.targeted(),
          r.control(),
          String.format(java.util.Locale.ROOT, "%.2f", r.total("cost")),
          String.format(java.util.Locale.ROOT, "%.2f", r.total("expected_net_value")));
      return r;
    } finally {
      valued.unpersist();
    }
  }

  /**
   * Writes the date's risk_segments, then its segment_summary from what was written; returns the
   * summary's rows (at most nine: one per risk-value cell) in display order.
   */
  private static List<Row> write(
      JobContext ctx, ChurnConfig.SegmentSettings s, Dataset<Row> planned, String onDate) {
    ctx.store().replaceWhere(ChurnTable.RISK_SEGMENTS, planned, onDate);
    Dataset<Row> written = ctx.store().read(ChurnTable.RISK_SEGMENTS).where(onDate);
    ctx.store()
        .replaceWhere(ChurnTable.SEGMENT_SUMMARY, new SummariseSegments(s).apply(written), onDate);
    return ctx.store()
        .read(ChurnTable.SEGMENT_SUMMARY)
        .where(onDate)
        .orderBy(SummariseSegments.displayOrder())
        .collectAsList();
  }

  /**
   * Each acting action's control group: its candidates (positive expected net value) and their mean
   * churn probability, one aggregation whose rows are the actions, sized by {@link ControlPower}.
   */
  private static List<ControlPower.Sized> controls(
      PlanRetention plan, Dataset<Row> tiered, ChurnConfig.SegmentSettings s) {
    List<ControlPower.Sized> out = new ArrayList<>();
    for (Row r :
        plan.withActions(tiered)
            .where(col(SegmentColumns.EXPECTED_NET_VALUE).gt(0))
            .groupBy(SegmentColumns.ACTION)
            .agg(count(lit(1)), avg(Columns.CHURN_PROBABILITY))
            .orderBy(SegmentColumns.ACTION)
            .collectAsList()) {
      out.add(
          ControlPower.size(
              r.getString(0), r.getLong(1), r.getDouble(2), s.controlFraction(), s.control()));
    }
    return out;
  }

  /** Each action's control share with the control and targeted customers the plan holds. */
  private static List<ControlPower.Sized> planned(
      List<ControlPower.Sized> controls, List<Row> summary) {
    List<ControlPower.Sized> out = new ArrayList<>();
    for (ControlPower.Sized c : controls) {
      long control = 0;
      long targeted = 0;
      for (Row r : summary) {
        if (c.action().equals(r.getAs(SegmentColumns.ACTION))) {
          control += r.<Long>getAs("control");
          targeted += r.<Long>getAs("targeted");
        }
      }
      out.add(c.planned(control, targeted));
    }
    return out;
  }

  /** D's churn scores, the columns the plan needs; fails when score has not run for D. */
  private static Dataset<Row> scores(JobContext ctx, LocalDate asOf) {
    return History.scoresOn(ctx, asOf, "")
        .select(
            col(Columns.CUSTOMER_ID),
            col(Columns.AS_OF_DATE),
            col(Columns.CHURN_PROBABILITY),
            col(ScoreCustomers.RANK_PERCENTILE),
            col(ExplainScores.DRIVERS),
            col(Columns.MODEL_VERSION));
  }

  /**
   * How many customers with features for D the plan leaves out and why (the scored population,
   * {@code score.population}); empty when it covers them all.
   */
  private static Optional<String> population(JobContext ctx, LocalDate asOf, long planned) {
    // Only a definition that leaves customers out of scoring can leave them out of the plan: no
    // count otherwise (every night of an explicit or given definition).
    Optional<String> why =
        ctx.config().score().population() == ChurnConfig.ScorePopulation.AT_RISK
            ? ChurnDefinition.of(ctx.config().labels()).leftOut(asOf)
            : Optional.empty();
    if (why.isEmpty() || !ctx.store().exists(ChurnTable.CUSTOMER_FEATURES)) {
      return Optional.empty();
    }
    long featured =
        ctx.store().read(ChurnTable.CUSTOMER_FEATURES).where(History.asOfPredicate(asOf)).count();
    return featured <= planned
        ? Optional.empty()
        : Optional.of(
            String.format(
                "%d customers with features are not in the plan: %s",
                featured - planned, why.get()));
  }

  /** Each customer's value for D (customer_id, value) and where it came from. */
  record Value(Dataset<Row> rows, String source) {}

  static Value value(JobContext ctx, LocalDate asOf, ChurnConfig.SegmentSettings s) {
    String onDate = History.asOfPredicate(asOf);
    boolean clvReady =
        ctx.store().exists(ChurnTable.CUSTOMER_VALUE)
            && !ctx.store().read(ChurnTable.CUSTOMER_VALUE).where(onDate).isEmpty();
    if (s.valueSource() == ChurnConfig.ValueSource.CLV
        || (s.valueSource() == ChurnConfig.ValueSource.AUTO && clvReady)) {
      if (!clvReady) {
        throw ChurnErrors.noRowsForDate(
            ChurnTable.CUSTOMER_VALUE.tableName(),
            asOf,
            "run 'churnlake clv --as-of "
                + asOf
                + "' first, or set segment.value-source = revenue");
      }
      return new Value(
          ctx.store()
              .read(ChurnTable.CUSTOMER_VALUE)
              .where(onDate)
              .select(
                  col(Columns.CUSTOMER_ID),
                  col(ScoreCustomerValue.VALUE_AT_RISK).as(SegmentColumns.VALUE)),
          "customer_value.value_at_risk");
    }
    Dataset<Row> features = ctx.store().read(ChurnTable.CUSTOMER_FEATURES).where(onDate);
    List<String> numeric = new ArrayList<>();
    for (StructField f : features.schema().fields()) {
      if (f.dataType() instanceof NumericType) {
        numeric.add(f.name());
      }
    }
    String column = s.revenueFeature();
    if (column.equals("auto")) {
      column = numeric.contains(NET_SPEND) ? NET_SPEND : BILLED;
    }
    if (!numeric.contains(column)) {
      throw ChurnErrors.unknownColumn(
          "churnlake.segment.revenue-feature",
          column,
          ChurnTable.CUSTOMER_FEATURES.tableName(),
          numeric);
    }
    return new Value(
        features.select(
            col(Columns.CUSTOMER_ID), col(column).cast("double").as(SegmentColumns.VALUE)),
        "customer_features." + column);
  }

  /** The plan for people: assumptions, the per-segment table, budget use and expected value. */
}
