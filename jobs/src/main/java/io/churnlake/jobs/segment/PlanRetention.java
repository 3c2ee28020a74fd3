package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ExplainScores;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The retention plan of one as-of date, from customers with a churn probability, a risk tier, a
 * value and a value tier: each customer's segment (the risk-value cell) and its configured action;
 * the expected net value of acting, {@code P(churn) x value x save rate - cost}; and the targeting:
 *
 * <ul>
 *   <li>only customers with a positive expected net value are candidates;
 *   <li>a fraction of candidates (configured, or per action sized by {@link ControlPower}) is held
 *       out as {@code control}, chosen by Spark's {@code xxhash64} of (campaign id, customer id),
 *       so the same customers are held out for the same campaign id whatever else changes;
 *   <li>without a budget every other candidate is {@code targeted}; with one, candidates are ranked
 *       by expected net value per unit cost (then expected net value, then customer id) and
 *       targeted in that order while the running cost stays within the budget (a prefix: the first
 *       candidate that does not fit ends the plan). Control customers ranked before that end stay
 *       {@code control} (they cost nothing); those after it are {@code none}, so the control group
 *       is drawn from the same ranks as the targeted customers.
 * </ul>
 *
 * The budget's running cost is a distributed prefix sum: the candidates are sorted and
 * checkpointed, one pass sums each partition's cost (one number per partition reaches the driver),
 * a second pass adds the costs of earlier partitions. No window over all rows, no per-customer data
 * on the driver.
 */
public final class PlanRetention {

  private static final String HELD = "_held";
  private static final String RATIO = "_ratio";
  private static final String CHARGE = "_charge";
  private static final long HASH_BUCKETS = 1_000_000L;

  private final ChurnConfig.SegmentSettings settings;
  private final String runId;
  private final Map<String, Double> controlFractions;

  public PlanRetention(ChurnConfig.SegmentSettings settings, String runId) {
    this(settings, runId, Map.of());
  }

  /**
   * @param controlFractions each action's control share where it is not the configured {@code
   *     segment.control.fraction} ({@link ControlPower}: sized by power)
   */
  public PlanRetention(
      ChurnConfig.SegmentSettings settings, String runId, Map<String, Double> controlFractions) {
    this.settings = settings;
    this.runId = runId;
    this.controlFractions = Map.copyOf(controlFractions);
  }

  /** "high value, high risk" from the two tier columns. */
  public static Column segmentName() {
    return concat(
        col(SegmentColumns.VALUE_TIER), lit(" value, "), col(Columns.RISK_TIER), lit(" risk"));
  }

  /** The configured action of the row's risk-value cell. */
  public static Column action(ChurnConfig.SegmentSettings s) {
    Column out = null;
    for (String v : ChurnConfig.SegmentSettings.TIERS) {
      for (String r : ChurnConfig.SegmentSettings.TIERS) {
        Column cell =
            col(SegmentColumns.VALUE_TIER).equalTo(v).and(col(Columns.RISK_TIER).equalTo(r));
        String a = s.actionsBySegment().get(ChurnConfig.SegmentSettings.cellKey(v, r));
        out = out == null ? when(cell, a) : out.when(cell, a);
      }
    }
    return out;
  }

  /** The configured cost of the action in the action column (0 for an unknown action). */
  public static Column cost(ChurnConfig.SegmentSettings s) {
    return lookup(s.actions(), true);
  }

  /** The configured save rate of the action in the action column (0 for an unknown action). */
  public static Column saveRate(ChurnConfig.SegmentSettings s) {
    return lookup(s.actions(), false);
  }

  private static Column lookup(Map<String, ChurnConfig.RetentionAction> actions, boolean cost) {
    Column out = null;
    for (Map.Entry<String, ChurnConfig.RetentionAction> e : actions.entrySet()) {
      Column is = col(SegmentColumns.ACTION).equalTo(e.getKey());
      double v = cost ? e.getValue().cost() : e.getValue().saveRate();
      out = out == null ? when(is, v) : out.when(is, v);
    }
    return out == null ? lit(0.0) : out.otherwise(0.0);
  }

  /**
   * The column of a plan's input rows holding, with {@code segment.targeting = uplift}, each
   * customer's predicted uplift per action (a map from action to the churn the contact prevents).
   */
  public static final String UPLIFTS = "_uplifts";

  /**
   * uplift_scores rows (customer_id, action, uplift) as one row per customer with {@link #UPLIFTS}:
   * what a plan targeting by uplift joins to its input rows.
   */
  public static Dataset<Row> upliftsPerCustomer(Dataset<Row> upliftScores) {
    return upliftScores
        .groupBy(Columns.CUSTOMER_ID)
        .agg(
            map_from_entries(collect_list(struct(col(SegmentColumns.ACTION), col("uplift"))))
                .as(UPLIFTS));
  }

  /**
   * Value expected to be kept by acting: P(churn) x value x save rate, or with {@code
   * segment.targeting = uplift} the predicted uplift of the row's action x value (0 when the
   * customer has no prediction for it: no value expected).
   */
  public static Column savedValue(ChurnConfig.SegmentSettings s) {
    return s.targeting() == ChurnConfig.Targeting.UPLIFT
        ? coalesce(element_at(col(UPLIFTS), col(SegmentColumns.ACTION)), lit(0.0))
            .multiply(col(SegmentColumns.VALUE))
        : col(Columns.CHURN_PROBABILITY).multiply(col(SegmentColumns.VALUE)).multiply(saveRate(s));
  }

  /** True for customers in the campaign's control group (before any budget cut). */
  public static Column inControl(String campaignId, double fraction) {
    long held = Math.round(fraction * HASH_BUCKETS);
    return pmod(xxhash64(lit(campaignId), col(Columns.CUSTOMER_ID)), lit(HASH_BUCKETS)).lt(held);
  }

  /**
   * The control group of each row's action: the hash below the action's share (the same hash for
   * every action, so a customer's membership changes only with its action's share).
   */
  private Column held() {
    Column out = null;
    for (Map.Entry<String, Double> e : controlFractions.entrySet()) {
      Column is = col(SegmentColumns.ACTION).equalTo(e.getKey());
      Column in = inControl(settings.campaignId(), e.getValue());
      out = out == null ? when(is, in) : out.when(is, in);
    }
    Column configured = inControl(settings.campaignId(), settings.controlFraction());
    return out == null ? configured : out.otherwise(configured);
  }

  /**
   * The rows with their segment, action and expected net value (candidates have a positive one).
   */
  public Dataset<Row> withActions(Dataset<Row> tiered) {
    return tiered
        .withColumn(SegmentColumns.SEGMENT, segmentName())
        .withColumn(SegmentColumns.ACTION, action(settings))
        .withColumn(SegmentColumns.EXPECTED_NET_VALUE, savedValue(settings).minus(cost(settings)));
  }

  /**
   * risk_segments rows (in {@link #SCHEMA}'s order) from rows with customer id, as-of date,
   * probability, risk and value tiers, value, drivers and model version. Reads its input twice with
   * a budget: persist it first.
   */
  public Dataset<Row> apply(Dataset<Row> tiered) {
    Dataset<Row> planned = withActions(tiered);
    Column candidate = col(SegmentColumns.EXPECTED_NET_VALUE).gt(0);
    Column held = held();
    Dataset<Row> targeted =
        settings.budget().isPresent()
            ? withinBudget(planned, settings, settings.budget().getAsDouble(), held)
            : planned.withColumn(
                SegmentColumns.TARGETING,
                when(candidate.and(held), SegmentColumns.CONTROL)
                    .when(candidate, SegmentColumns.TARGETED)
                    .otherwise(SegmentColumns.NONE));
    return targeted.select(
        col(Columns.CUSTOMER_ID),
        col(Columns.AS_OF_DATE),
        col(Columns.CHURN_PROBABILITY),
        col(Columns.RISK_TIER),
        col(SegmentColumns.VALUE),
        col(SegmentColumns.VALUE_TIER),
        col(SegmentColumns.SEGMENT),
        col(SegmentColumns.ACTION),
        col(SegmentColumns.EXPECTED_NET_VALUE),
        col(SegmentColumns.TARGETING),
        col(ExplainScores.DRIVERS),
        col(Columns.MODEL_VERSION),
        lit(runId).as(SegmentColumns.RUN_ID));
  }

  private static Dataset<Row> withinBudget(
      Dataset<Row> planned, ChurnConfig.SegmentSettings settings, double budget, Column held) {
    Column candidate = col(SegmentColumns.EXPECTED_NET_VALUE).gt(0);
    Dataset<Row> ranked = ranked(planned.where(candidate), cost(settings), held);
    StructType schema = ranked.schema();
    int heldAt = schema.fieldIndex(HELD);
    int chargeAt = schema.fieldIndex(CHARGE);
    JavaRDD<Row> rows = ranked.javaRDD();
    double[] before = costsBefore(rows, chargeAt);
    // Running sums differ from exact ones by rounding only; allow that much.
    double limit = budget + 1e-9 * Math.max(1.0, budget);
    Dataset<Row> candidates =
        planned
            .sparkSession()
            .createDataFrame(
                decided(rows, before, limit, heldAt, chargeAt),
                schema.add(SegmentColumns.TARGETING, DataTypes.StringType, false))
            .drop(HELD, RATIO, CHARGE);
    return candidates.unionByName(
        planned
            .where(not(candidate))
            .withColumn(SegmentColumns.TARGETING, lit(SegmentColumns.NONE)));
  }

  /**
   * The candidates best value per cost first (then best net value, then customer id), with whether
   * each is held out and what targeting them would charge; checkpointed, so that both passes over
   * them see the same partitions in the same order.
   */
  private static Dataset<Row> ranked(Dataset<Row> candidates, Column cost, Column held) {
    return candidates
        .withColumn(HELD, held)
        .withColumn(
            RATIO,
            when(cost.gt(0), col(SegmentColumns.EXPECTED_NET_VALUE).divide(cost))
                .otherwise(Double.POSITIVE_INFINITY))
        .withColumn(CHARGE, when(not(col(HELD)), cost).otherwise(0.0))
        .sort(
            col(RATIO).desc(),
            col(SegmentColumns.EXPECTED_NET_VALUE).desc(),
            col(Columns.CUSTOMER_ID).asc())
        .localCheckpoint(true);
  }

  /**
   * The charges of all partitions before each one (one number per partition reaches the driver).
   */
  private static double[] costsBefore(JavaRDD<Row> rows, int chargeAt) {
    List<Double> partitionCosts =
        rows.mapPartitions(
                (Iterator<Row> it) -> {
                  double sum = 0;
                  while (it.hasNext()) {
                    sum += it.next().getDouble(chargeAt);
                  }
                  return List.of(sum).iterator();
                })
            .collect();
    double[] before = new double[partitionCosts.size()];
    for (int i = 1; i < before.length; i++) {
      before[i] = before[i - 1] + partitionCosts.get(i - 1);
    }
    return before;
  }

  /**
   * Each row with its targeting appended: targeted while the running charge stays within {@code
   * limit}, a held-out row control while the charge before it does, else none.
   */
  private static JavaRDD<Row> decided(
      JavaRDD<Row> rows, double[] before, double limit, int heldAt, int chargeAt) {
    return rows.mapPartitionsWithIndex(
        (Integer partition, Iterator<Row> it) -> {
          double[] running = {before[partition]};
          return new Iterator<Row>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public Row next() {
              Row r = it.next();
              String targeting;
              if (r.getBoolean(heldAt)) {
                targeting = running[0] <= limit ? SegmentColumns.CONTROL : SegmentColumns.NONE;
              } else {
                running[0] += r.getDouble(chargeAt);
                targeting = running[0] <= limit ? SegmentColumns.TARGETED : SegmentColumns.NONE;
              }
              Object[] values = new Object[r.size() + 1];
              for (int i = 0; i < r.size(); i++) {
                values[i] = r.get(i);
              }
              values[r.size()] = targeting;
              return RowFactory.create(values);
            }
          };
        },
        true);
  }

  /** The budget as words, for printed plans. */
  public static String budgetWords(OptionalDouble budget) {
    return budget.isPresent()
        ? String.format(java.util.Locale.ROOT, "%,.2f", budget.getAsDouble())
        : "unlimited";
  }
}
