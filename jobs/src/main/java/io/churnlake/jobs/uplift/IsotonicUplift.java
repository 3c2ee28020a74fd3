package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.errors.ChurnException;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
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
 * customers at that risk raises churn ("do not disturb"). What it cannot see is an effect that
 * varies at equal risk.
 */
public final class IsotonicUplift {
  private IsotonicUplift() {}

  /** Per action, the fitted step function; the column of the churn model's probability. */
  public record Model(Map<String, PipelineModel> perAction, String score, String probability)
      implements UpliftModel {
    /**
     * {@code rows} (with the action, the raw score and the churn model's probability) with the
     * uplift of their action, P(churn | not contacted) = the churn model's probability and P(churn
     * | contacted) = that minus the uplift, within [0, 1]; null where the row's action has no model
     * or the customer no score.
     */
    @Override
    public Dataset<Row> apply(Dataset<Row> rows) {
      List<String> keep = new ArrayList<>(List.of(rows.columns()));
      Dataset<Row> out = rows.withColumn("_iso_x", coalesce(col(score), lit(0.0)));
      List<Column> pick = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, PipelineModel> e : perAction.entrySet()) {
        String name = "_iso_" + i++;
        IsotonicRegressionModel m = (IsotonicRegressionModel) e.getValue().stages()[0];
        // Fitted on _iso_x; only the prediction column differs per action.
        out = m.copy(m.extractParamMap()).setPredictionCol(name).transform(out);
        pick.add(when(col(SegmentColumns.ACTION).equalTo(e.getKey()), col(name)));
      }
      Column uplift =
          when(col(score).isNull(), lit(null).cast("double"))
              .otherwise(
                  pick.isEmpty()
                      ? lit(null).cast("double")
                      : coalesce(pick.toArray(Column[]::new)));
      List<Column> select = new ArrayList<>();
      keep.forEach(c -> select.add(col("`" + c + "`")));
      select.add(col(probability).as(P_CONTROL));
      select.add(greatest(lit(0.0), least(lit(1.0), col(probability).minus(uplift))).as(P_TREATED));
      select.add(uplift.as(UPLIFT));
      return out.select(select.toArray(Column[]::new));
    }

    @Override
    public List<String> features() {
      return List.of(score);
    }

    @Override
    public Map<String, PipelineModel> pipelines() {
      return perAction;
    }

    @Override
    public String algorithm() {
      return "isotonic transformed outcome";
    }
  }

  /**
   * Fits one step function per action with both groups among {@code rows}. The contacted share e is
   * each wave's and action's own (a window over the rows, not a pooled share: control shares differ
   * between waves and actions under {@code segment.control = power}, and a pooled share would bias
   * the transformed outcome wherever churn differs between waves); rows of a wave and action with
   * only one group carry no information and are left out.
   *
   * @param rows randomised customers with the action, the {@code wave} they belong to, a boolean
   *     {@code treated}, {@code churned} and the {@code score} column
   */
  public static Model fit(
      Dataset<Row> rows,
      String wave,
      String treated,
      String churned,
      String score,
      String probability,
      List<String> actions,
      UpliftModel.Groups groups) {
    Optional<ChurnException> unlearnable = groups.unlearnable();
    if (unlearnable.isPresent()) {
      throw unlearnable.get();
    }
    Column e = col("_iso_e");
    Column y = col(churned).cast("double");
    Dataset<Row> examples =
        rows.where(col(score).isNotNull())
            .withColumn(
                "_iso_e",
                avg(col(treated).cast("double"))
                    .over(Window.partitionBy(col(SegmentColumns.ACTION), col(wave))))
            .where(e.gt(0).and(e.lt(1)))
            .select(
                col(SegmentColumns.ACTION),
                col(score).as("_iso_x"),
                when(col(treated), y.divide(e).multiply(-1))
                    .otherwise(y.divide(lit(1).minus(e)))
                    .as("_iso_z"))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, PipelineModel> perAction = new LinkedHashMap<>();
      for (String a : actions) {
        Dataset<Row> one = examples.where(col(SegmentColumns.ACTION).equalTo(a));
        if (one.isEmpty()) {
          continue;
        }
        IsotonicRegression iso =
            new IsotonicRegression()
                .setIsotonic(true)
                .setFeaturesCol("_iso_x")
                .setLabelCol("_iso_z");
        perAction.put(a, new Pipeline().setStages(new PipelineStage[] {iso}).fit(one));
      }
      return new Model(perAction, score, probability);
    } finally {
      examples.unpersist();
    }
  }
}
