package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.EvaluateChurnModel;
import io.churnlake.jobs.model.GlobalDrivers;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ScoreCustomers;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * A fitted model's metrics on its held-out evaluation rows (against a recency baseline and, for
 * generated logs, the Bayes-optimal AUC of the true probabilities), and each feature's importance
 * on the same rows.
 */
final class HeldOutEvaluation {
  private HeldOutEvaluation() {}

  static final String RECENCY = "days_since_last_activity";

  private static org.apache.spark.sql.Column[] keyAndInputs(ModelInfo info) {
    List<String> keep = new ArrayList<>(List.of(Columns.CUSTOMER_ID, Columns.AS_OF_DATE));
    keep.addAll(info.inputColumns());
    return keep.stream().map(k -> col("`" + k + "`")).toArray(org.apache.spark.sql.Column[]::new);
  }

  /** The explained scores of labelled rows, with their label (keys joined back). */
  static Dataset<Row> scoredWithLabels(PipelineModel model, ModelInfo info, Dataset<Row> labelled) {
    Dataset<Row> features = labelled.select(keyAndInputs(info));
    return new ScoreCustomers(model, info, 0)
        .explained(features)
        .join(
            labelled.select(Columns.CUSTOMER_ID, Columns.AS_OF_DATE, ChurnPipelines.LABEL),
            new String[] {Columns.CUSTOMER_ID, Columns.AS_OF_DATE});
  }

  /** The recency column the trivial baseline scores with, if the features have one. */
  static Optional<String> baseline(StructType schema) {
    return java.util.stream.Stream.of(RECENCY, "days_since_last_purchase")
        .filter(List.of(schema.fieldNames())::contains)
        .findFirst();
  }

  /** Held-out metrics of a fitted pipeline (not saved), as the backtest needs them. */
  static Map<String, Double> evaluateFitted(
      JobContext ctx,
      FitChurnModel.Fitted fitted,
      StructType featureSchema,
      Dataset<Row> evalSet,
      Optional<LocalDate> calibrationDate,
      LocalDate evaluationDate,
      int horizon) {
    ModelInfo draft =
        TrainingRecords.info(
            ctx.config(),
            "backtest",
            evaluationDate,
            List.of(),
            calibrationDate,
            evaluationDate,
            Optional.empty(),
            horizon,
            fitted,
            -1,
            TrainingSets.Validation.TIME_BASED,
            Map.of());
    return evaluate(
            ctx,
            fitted.model(),
            draft,
            fitted.trainRows(),
            evalSet,
            baseline(featureSchema),
            evaluationDate,
            horizon)
        .metrics();
  }

  /** Held-out metrics, and each feature's importance on the same rows (most important first). */
  record Evaluation(Map<String, Double> metrics, Map<String, Double> importance) {}

  static Evaluation evaluate(
      JobContext ctx,
      PipelineModel model,
      ModelInfo info,
      Dataset<Row> trainSet,
      Dataset<Row> evalSet,
      Optional<String> baseline,
      LocalDate evaluationDate,
      int horizon) {
    Dataset<Row> scored =
        scoredWithLabels(model, info, evalSet).persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Double> m;
    Map<String, Double> importance = new LinkedHashMap<>();
    try {
      m = new LinkedHashMap<>(EvaluateChurnModel.ofScores(scored, ctx.config().train().topShare()));
      // Rows = features: mean absolute contribution on the evaluation rows.
      String[] names =
          new ScoreCustomers(model, info, 0).featureNames(evalSet.select(keyAndInputs(info)));
      for (Row r :
          GlobalDrivers.of(scored, names, 1.0)
              .orderBy("rank")
              .select("feature", "importance")
              .collectAsList()) {
        importance.put(r.getString(0), r.getDouble(1));
      }
    } finally {
      scored.unpersist();
    }
    if (baseline.isPresent()) {
      // Recency (days since the last activity or purchase): more days, more risk.
      Dataset<Row> recency =
          evalSet.select(col(baseline.get()).as(RECENCY), col(ChurnPipelines.LABEL));
      m.put("baseline_recency_roc_auc", EvaluateChurnModel.rocAuc(recency, RECENCY));
      m.put("baseline_recency_pr_auc", EvaluateChurnModel.prAuc(recency, RECENCY));
      EvaluateChurnModel.gainPoints(recency, RECENCY)
          .forEach((k, v) -> m.put("baseline_recency_" + k, v));
    }
    Row counts = evalSet.agg(count("*"), sum(ChurnPipelines.LABEL)).head();
    m.put("evaluation_customers", (double) counts.getLong(0));
    m.put("evaluation_churners", counts.getDouble(1));
    Row train = trainSet.agg(count("*"), sum(ChurnPipelines.LABEL)).head();
    m.put("training_examples", (double) train.getLong(0));
    m.put("training_churners", train.getDouble(1));
    m.putAll(bayesOptimal(ctx, evalSet, evaluationDate, horizon));
    return new Evaluation(m, importance);
  }

  /**
   * With the generator's ground truth for the evaluation date (generated logs only): the ROC AUC of
   * the true probabilities on the evaluation customers, the ceiling a model can reach.
   */
  private static Map<String, Double> bayesOptimal(
      JobContext ctx, Dataset<Row> evalSet, LocalDate evaluationDate, int horizon) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (ctx.store().exists(ChurnTable.GENERATED_TRUTH)) {
      Dataset<Row> truth =
          ctx.store()
              .read(ChurnTable.GENERATED_TRUTH)
              .where(
                  col(Columns.AS_OF_DATE)
                      .equalTo(Date.valueOf(evaluationDate))
                      .and(col(Columns.HORIZON_DAYS).equalTo(horizon)))
              .select(Columns.CUSTOMER_ID, "true_probability");
      Dataset<Row> withTruth =
          evalSet
              .select(Columns.CUSTOMER_ID, ChurnPipelines.LABEL)
              .join(truth, Columns.CUSTOMER_ID);
      long matched = withTruth.count();
      if (matched > 0) {
        m.put("bayes_optimal_roc_auc", EvaluateChurnModel.rocAuc(withTruth, "true_probability"));
        m.put("bayes_optimal_customers", (double) matched);
      }
    }
    return m;
  }
}
