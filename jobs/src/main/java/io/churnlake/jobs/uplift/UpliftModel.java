package io.churnlake.jobs.uplift;

import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A fitted uplift learner: P(churn) of each row if contacted and if not, and their difference.
 * Implemented by {@link IsotonicUplift} (the default, {@code segment.uplift-learner}) and {@link
 * TwoModelUplift}.
 */
public interface UpliftModel {
  /** Columns {@link #apply} adds. */
  String P_TREATED = "p_churn_treated";

  String P_CONTROL = "p_churn_control";

  /** P(churn | not contacted) - P(churn | contacted): positive when the action keeps them. */
  String UPLIFT = "uplift";

  /** {@code rows} with {@link #P_TREATED}, {@link #P_CONTROL} and {@link #UPLIFT} added. */
  Dataset<Row> apply(Dataset<Row> rows);

  /** The columns the model reads (features and action indicators). */
  List<String> features();

  /** The fitted MLlib pipelines by name, for the registry. */
  Map<String, PipelineModel> pipelines();

  /** What {@code uplift_models.algorithm} says, e.g. {@code interaction logistic-regression}. */
  String algorithm();
}
