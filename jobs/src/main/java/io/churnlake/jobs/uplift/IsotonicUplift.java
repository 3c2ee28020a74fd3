package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.errors.ChurnException;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.QuantileDiscretizer;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.ml.regression.IsotonicRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

/**
 * The transformed-outcome uplift learner with a monotone regressor in churn risk: for each action,
 * the randomised customers' transformed outcome {@code Z = churned x ((1 - T) / (1 - e) - T / e)}
 * (T contacted, e the contacted share of the customer's wave and action), whose expectation given
 * the customer is exactly P(churn | not contacted) - P(churn | contacted), regressed on the churn
 * model's raw score by MLlib's isotonic regression (non-decreasing). So the action's uplift is
 * learned as a step function of the customer's churn risk: one number per risk step, fitted on
 * every randomised customer of the action and monotone, which keeps its variance low at a few
 * thousand customers (the two-model learner fits dozens of coefficients per model on the same
 * customers and their noise swamps the effect; docs/models.md). A step can be negative: contacting
 * customers at that risk raises churn ("do not disturb").
 *
 * <p>An effect that varies at equal risk (an action that fixes what drives one kind of customer
 * away and leaves another alone) is looked for once per action: each candidate feature is split at
 * its median, and the split whose two halves differ most in the residual {@code Z - step(score)}
 * (Welch's t) is kept when it clears a Bonferroni bound over the candidates at 5% ({@link
 * #SPLIT_ALPHA}) and each half holds at least {@link #MIN_SPLIT_SHARE} of the action's customers;
 * each half then gets its own step function. Otherwise one step function serves.
 */
public final class IsotonicUplift {
  /** The family-wise chance of keeping a split where the effect does not vary (two-sided). */
  public static final double SPLIT_ALPHA = 0.05;

  /** The smallest share of an action's randomised customers each half of a split holds. */
  public static final double MIN_SPLIT_SHARE = 0.2;

  /** How many equal-count score bins a step function is fitted on. */
  public static final int BINS = 20;

  /** The registry name of an action's step function above its split: the action and this. */
  public static final String ABOVE = "-above-split";

  private static final NormalDistribution NORMAL = new NormalDistribution(0, 1);

  private IsotonicUplift() {}

  /**
   * Where an action's effect was found to vary at equal risk: customers whose {@code feature} is
   * above {@code threshold} (its training median) get {@code above}'s steps; {@code t} is the
   * split's Welch statistic on the residual.
   */
  public record Split(String feature, double threshold, double t, PipelineModel above) {}

  /** One action's step function (below the split, or the only one) and its split, if any. */
  public record Part(PipelineModel steps, Optional<Split> split) {}

  /** Per action, the fitted step functions; the column of the churn model's probability. */
  public record Model(Map<String, Part> perAction, String score, String probability)
      implements UpliftModel {
    /**
     * {@code rows} (with the action, the raw score, the churn model's probability and any split
     * feature) with the uplift of their action, P(churn | not contacted) = the churn model's
     * probability and P(churn | contacted) = that minus the uplift, within [0, 1]; null where the
     * row's action has no model or the customer no score. A null split feature counts as below.
     */
    @Override
    public Dataset<Row> apply(Dataset<Row> rows) {
      List<String> keep = new ArrayList<>(List.of(rows.columns()));
      Dataset<Row> out = rows.withColumn("_iso_x", coalesce(col(score), lit(0.0)));
      List<Column> pick = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, Part> e : perAction.entrySet()) {
        String name = "_iso_" + i++;
        out = predict(out, e.getValue().steps(), name);
        Column v = col(name);
        if (e.getValue().split().isPresent()) {
          Split s = e.getValue().split().get();
          out = predict(out, s.above(), name + "a");
          v = when(above(col(s.feature()), s.threshold()), col(name + "a")).otherwise(v);
        }
        pick.add(when(col(SegmentColumns.ACTION).equalTo(e.getKey()), v));
      }
      Column uplift =
          when(col(score).isNull(), lit(null).cast("double"))
              .otherwise(
                  pick.isEmpty()
                      ? lit(null).cast("double")
                      : coalesce(pick.toArray(Column[]::new)));
      List<Column> select = new ArrayList<>();
      keep.forEach(c -> select.add(col("`" + c + "`")));
      // The uplift is what the clipped probabilities say: never more than P(churn | not contacted).
      // Null stays null (greatest and least skip nulls: a row without uplift would read 1).
      Column treatedP =
          when(uplift.isNull(), lit(null).cast("double"))
              .otherwise(greatest(lit(0.0), least(lit(1.0), col(probability).minus(uplift))));
      select.add(col(probability).as(P_CONTROL));
      select.add(treatedP.as(P_TREATED));
      select.add(col(probability).minus(treatedP).as(UPLIFT));
      return out.select(select.toArray(Column[]::new));
    }

    @Override
    public List<String> features() {
      List<String> out = new ArrayList<>(List.of(score));
      perAction.values().stream()
          .flatMap(p -> p.split().stream())
          .map(Split::feature)
          .distinct()
          .forEach(out::add);
      return out;
    }

    @Override
    public Map<String, PipelineModel> pipelines() {
      Map<String, PipelineModel> out = new LinkedHashMap<>();
      perAction.forEach(
          (a, p) -> {
            out.put(a, p.steps());
            p.split().ifPresent(s -> out.put(a + ABOVE, s.above()));
          });
      return out;
    }

    @Override
    public Map<String, Object> metadata() {
      Map<String, Object> splits = new LinkedHashMap<>();
      perAction.forEach(
          (a, p) ->
              p.split()
                  .ifPresent(
                      s ->
                          splits.put(
                              a,
                              Map.of(
                                  "feature", s.feature(),
                                  "above", s.threshold(),
                                  "welch_t", s.t()))));
      return Map.of("splits", splits);
    }

    @Override
    public String algorithm() {
      return "isotonic transformed outcome";
    }
  }

  /** The step function's prediction of {@code _iso_x} as {@code name}. */
  private static Dataset<Row> predict(Dataset<Row> rows, PipelineModel steps, String name) {
    IsotonicRegressionModel m = (IsotonicRegressionModel) steps.stages()[0];
    // Fitted on _iso_x; only the prediction column differs per step function.
    return m.copy(m.extractParamMap()).setPredictionCol(name).transform(rows);
  }

  private static Column above(Column feature, double threshold) {
    return coalesce(feature.cast("double").gt(threshold), lit(false));
  }

  /**
   * Fits one step function per action with both groups among {@code rows}, split where the effect
   * varies at equal risk in one of {@code candidates}. The contacted share e is each wave's and
   * action's own (a window over the rows, not a pooled share: control shares differ between waves
   * and actions under {@code segment.control = power}, and a pooled share would bias the
   * transformed outcome wherever churn differs between waves); rows of a wave and action with only
   * one group carry no information and are left out.
   *
   * @param rows randomised customers with the action, the {@code wave} they belong to, a boolean
   *     {@code treated}, {@code churned}, the {@code score} column and the candidates
   * @param candidates numeric columns a split may use (the churn model's features); none: no split
   */
  public static Model fit(
      Dataset<Row> rows,
      String wave,
      String treated,
      String churned,
      String score,
      String probability,
      List<String> candidates,
      List<String> actions,
      UpliftModel.Groups groups) {
    Optional<ChurnException> unlearnable = groups.unlearnable();
    if (unlearnable.isPresent()) {
      throw unlearnable.get();
    }
    Column e = col("_iso_e");
    Column y = col(churned).cast("double");
    List<Column> select = new ArrayList<>();
    select.add(col(SegmentColumns.ACTION));
    select.add(col(score).as("_iso_x"));
    select.add(
        when(col(treated), y.divide(e).multiply(-1))
            .otherwise(y.divide(lit(1).minus(e)))
            .as("_iso_z"));
    candidates.forEach(c -> select.add(col(c).cast("double").as(c)));
    Dataset<Row> examples =
        rows.where(col(score).isNotNull())
            .withColumn(
                "_iso_e",
                avg(col(treated).cast("double"))
                    .over(Window.partitionBy(col(SegmentColumns.ACTION), col(wave))))
            .where(e.gt(0).and(e.lt(1)))
            .select(select.toArray(Column[]::new))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Part> perAction = new LinkedHashMap<>();
      for (String a : actions) {
        Dataset<Row> one = examples.where(col(SegmentColumns.ACTION).equalTo(a));
        if (one.isEmpty()) {
          continue;
        }
        PipelineModel steps = steps(one);
        Optional<Split> split = split(one, steps, candidates);
        perAction.put(
            a,
            split.isEmpty()
                ? new Part(steps, split)
                : new Part(
                    steps(
                        one.where(not(above(col(split.get().feature()), split.get().threshold())))),
                    split));
      }
      return new Model(perAction, score, probability);
    } finally {
      examples.unpersist();
    }
  }

  /**
   * The step function of {@code rows}' transformed outcome in the score: isotonic regression on the
   * means of {@link #BINS} equal-count score bins, weighted by their counts. Fitted on customers
   * one by one, isotonic regression spikes at the ends (the riskiest customer alone can form a
   * block whose mean is one control churner's Z, 2 or more); a bin holds a twentieth of the
   * customers. The model interpolates linearly between bins' mean scores.
   */
  private static PipelineModel steps(Dataset<Row> rows) {
    // Bin edges from approximate quantiles (one pass), not a window over one partition.
    Dataset<Row> bins =
        new QuantileDiscretizer()
            .setNumBuckets(BINS)
            .setInputCol("_iso_x")
            .setOutputCol("_iso_bin")
            .fit(rows)
            .transform(rows)
            .groupBy("_iso_bin")
            .agg(
                avg(col("_iso_x")).as("_iso_x"),
                avg(col("_iso_z")).as("_iso_z"),
                count(lit(1)).cast("double").as("_iso_w"));
    IsotonicRegression iso =
        new IsotonicRegression()
            .setIsotonic(true)
            .setFeaturesCol("_iso_x")
            .setLabelCol("_iso_z")
            .setWeightCol("_iso_w");
    return new Pipeline().setStages(new PipelineStage[] {iso}).fit(bins);
  }

  /**
   * The median split of one candidate whose halves' mean residuals {@code Z - steps(score)} differ
   * most, when its Welch statistic clears the Bonferroni bound; with its upper half's own steps.
   * One pass for the medians, one aggregation for every candidate's sums.
   */
  private static Optional<Split> split(
      Dataset<Row> one, PipelineModel steps, List<String> candidates) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Dataset<Row> res =
        predict(one, steps, "_iso_p").withColumn("_iso_r", col("_iso_z").minus(col("_iso_p")));
    double[][] medians =
        res.stat().approxQuantile(candidates.toArray(String[]::new), new double[] {0.5}, 0.001);
    Column r = col("_iso_r");
    List<Column> sums = new ArrayList<>(List.of(count(lit(1)), sum(r), sum(r.multiply(r))));
    for (int j = 0; j < candidates.size(); j++) {
      Column in = above(col(candidates.get(j)), medians[j].length == 0 ? 0 : medians[j][0]);
      sums.add(sum(when(in, 1.0).otherwise(0.0)));
      sums.add(sum(when(in, r).otherwise(0.0)));
      sums.add(sum(when(in, r.multiply(r)).otherwise(0.0)));
    }
    Row agg = res.agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first();
    double n = agg.getLong(0);
    double bound = NORMAL.inverseCumulativeProbability(1 - SPLIT_ALPHA / 2 / candidates.size());
    int best = -1;
    double bestT = 0;
    for (int j = 0; j < candidates.size(); j++) {
      if (medians[j].length == 0) {
        continue;
      }
      double[] hi = {agg.getDouble(3 + 3 * j), agg.getDouble(4 + 3 * j), agg.getDouble(5 + 3 * j)};
      double[] lo = {n - hi[0], agg.getDouble(1) - hi[1], agg.getDouble(2) - hi[2]};
      double t = welch(hi, lo);
      if (Math.min(hi[0], lo[0]) >= MIN_SPLIT_SHARE * n && Math.abs(t) > Math.abs(bestT)) {
        best = j;
        bestT = t;
      }
    }
    if (best < 0 || Math.abs(bestT) < bound) {
      return Optional.empty();
    }
    String f = candidates.get(best);
    double threshold = medians[best][0];
    return Optional.of(new Split(f, threshold, bestT, steps(one.where(above(col(f), threshold)))));
  }

  /** Welch's t of two groups' means from their (count, sum, sum of squares); 0 when undefined. */
  static double welch(double[] a, double[] b) {
    if (a[0] < 2 || b[0] < 2) {
      return 0;
    }
    double ma = a[1] / a[0];
    double mb = b[1] / b[0];
    double va = (a[2] - a[0] * ma * ma) / (a[0] - 1);
    double vb = (b[2] - b[0] * mb * mb) / (b[0] - 1);
    double se = Math.sqrt(va / a[0] + vb / b[0]);
    return se > 0 ? (ma - mb) / se : 0;
  }
}
