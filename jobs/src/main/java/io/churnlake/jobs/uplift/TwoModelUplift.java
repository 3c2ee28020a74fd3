package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.jobs.model.ChurnPipelines;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The two-model uplift learner (a "T-learner"): one churn classifier fitted on the treated
 * customers of matured, randomised waves and one on their control customers, each the churn model's
 * own MLlib pipeline ({@link ChurnPipelines#build}, the configured algorithm, unweighted so that
 * both give churn probabilities on one scale). A customer's uplift is P(churn | not contacted) -
 * P(churn | contacted): positive when the action keeps the customer, negative when contacting
 * drives them away ("do not disturb"). Chosen over a class-transformation learner because it needs
 * no treatment share of one half and reuses the churn pipeline unchanged; its known weakness (two
 * models' errors add up in the difference) is what the Qini evaluation on a later wave measures.
 */
public final class TwoModelUplift {
  private TwoModelUplift() {}

  /** The two fitted pipelines and the features they read. */
  public record Model(
      PipelineModel treated, PipelineModel control, List<String> features, String classifier)
      implements UpliftModel {
    @Override
    public Dataset<Row> apply(Dataset<Row> rows) {
      Dataset<Row> withTreated = probability(treated, rows, P_TREATED);
      Dataset<Row> both = probability(control, withTreated, P_CONTROL);
      return both.withColumn(UPLIFT, col(P_CONTROL).minus(col(P_TREATED)));
    }

    private static Dataset<Row> probability(PipelineModel m, Dataset<Row> rows, String name) {
      List<Column> keep = new ArrayList<>();
      for (String c : rows.columns()) {
        keep.add(col("`" + c + "`"));
      }
      keep.add(functions.vector_to_array(col("probability"), "float64").getItem(1).as(name));
      return m.transform(rows).select(keep.toArray(new Column[0]));
    }

    @Override
    public java.util.Map<String, PipelineModel> pipelines() {
      return java.util.Map.of("treated", treated, "control", control);
    }

    @Override
    public String algorithm() {
      return "two-model " + classifier;
    }
  }

  /**
   * Fits both pipelines.
   *
   * @param rows randomised customers with the numeric {@code features}, a boolean {@code treated}
   *     column and the 0/1 {@link ChurnPipelines#LABEL} (churned within the horizon)
   * @throws io.churnlake.common.errors.ChurnException when either group has no churner or no
   *     customer who stayed: nothing to learn an effect from
   */
  public static Model fit(
      Dataset<Row> rows, String treated, List<String> features, ChurnConfig.TrainSettings train) {
    return fit(rows, treated, features, train, UpliftModel.groups(rows, treated));
  }

  /** As {@link #fit(Dataset, String, List, ChurnConfig.TrainSettings)}, the groups counted. */
  public static Model fit(
      Dataset<Row> rows,
      String treated,
      List<String> features,
      ChurnConfig.TrainSettings train,
      UpliftModel.Groups groups) {
    Optional<ChurnException> unlearnable = groups.unlearnable();
    if (unlearnable.isPresent()) {
      throw unlearnable.get();
    }
    Dataset<Row> weighted = rows.withColumn(ChurnPipelines.WEIGHT, lit(1.0));
    return new Model(
        ChurnPipelines.build(train, features, List.of()).fit(weighted.where(col(treated))),
        ChurnPipelines.build(train, features, List.of()).fit(weighted.where(not(col(treated)))),
        List.copyOf(features),
        train.algorithm().id());
  }
}
