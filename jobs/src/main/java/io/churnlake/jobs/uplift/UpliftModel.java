package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.jobs.model.ChurnPipelines;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
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

  /** The columns the model reads: the churn score, or features and action indicators. */
  List<String> features();

  /** The fitted MLlib pipelines by name, for the registry. */
  Map<String, PipelineModel> pipelines();

  /** What the learner chose beyond its pipelines, for the registry's metadata.json. */
  default Map<String, Object> metadata() {
    return Map.of();
  }

  /** What {@code uplift_models.algorithm} says, e.g. {@code isotonic transformed outcome}. */
  String algorithm();

  /** A training set's customers and churners per group. */
  record Groups(long treated, long treatedChurned, long control, long controlChurned) {
    /** Why nothing can be learned from these groups (a group without both outcomes), if so. */
    public Optional<ChurnException> unlearnable() {
      if (treatedChurned == 0 || treatedChurned == treated) {
        return Optional.of(ChurnErrors.upliftOneOutcome("treated", treated, treatedChurned == 0));
      }
      if (controlChurned == 0 || controlChurned == control) {
        return Optional.of(ChurnErrors.upliftOneOutcome("control", control, controlChurned == 0));
      }
      return Optional.empty();
    }
  }

  /** The groups of {@code rows}: a boolean {@code treated} and the 0/1 label (one aggregation). */
  static Groups groups(Dataset<Row> rows, String treated) {
    Column t = col(treated);
    Column y = col(ChurnPipelines.LABEL).equalTo(1.0);
    Row r =
        rows.agg(
                sum(when(t, 1L).otherwise(0L)),
                sum(when(t.and(y), 1L).otherwise(0L)),
                sum(when(not(t), 1L).otherwise(0L)),
                sum(when(not(t).and(y), 1L).otherwise(0L)))
            .first();
    return new Groups(
        r.isNullAt(0) ? 0 : r.getLong(0),
        r.isNullAt(1) ? 0 : r.getLong(1),
        r.isNullAt(2) ? 0 : r.getLong(2),
        r.isNullAt(3) ? 0 : r.getLong(3));
  }
}
