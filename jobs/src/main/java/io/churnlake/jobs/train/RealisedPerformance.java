package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.labels.ChurnDefinition;
import io.churnlake.jobs.labels.LabelsJob;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.EvaluateChurnModel;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Real-world quality: once the labels of an already-scored as-of date have matured (the date plus
 * the horizon is on or before the data's last date), its churn_scores are evaluated against them
 * and written to model_evaluations with {@code kind = realised}, once per model version and date.
 * Dated labels only: a given flag belongs to the snapshot itself, so there is nothing to wait for.
 */
public final class RealisedPerformance {
  public static final String REALISED = "realised";

  /** One scored date evaluated against its matured labels. */
  public record Evaluated(String version, LocalDate asOf, Map<String, Double> metrics) {}

  private RealisedPerformance() {}

  /** Evaluates every scored date that matured by {@code dataEnd} and was not evaluated yet. */
  public static List<Evaluated> run(JobContext ctx, LocalDate dataEnd) {
    List<Evaluated> out = new ArrayList<>();
    int horizon = ctx.config().labels().horizonDays();
    if (!ChurnDefinition.of(ctx.config().labels()).dated()
        || !ctx.store().exists(ChurnTable.CHURN_SCORES)) {
      return out;
    }
    Set<String> done = new HashSet<>();
    if (ctx.store().exists(ChurnTable.MODEL_EVALUATIONS)) {
      // One row per evaluated model and date: bounded by dates, not customers.
      for (Row r :
          ctx.store()
              .read(ChurnTable.MODEL_EVALUATIONS)
              .where(col("kind").equalTo(REALISED))
              .select(Columns.MODEL_VERSION, Columns.AS_OF_DATE)
              .distinct()
              .collectAsList()) {
        done.add(r.getString(0) + "@" + r.getDate(1));
      }
    }
    Dataset<Row> scores = ctx.store().read(ChurnTable.CHURN_SCORES);
    List<Row> mature =
        scores
            .where(col(Columns.AS_OF_DATE).leq(Date.valueOf(dataEnd.minusDays(horizon))))
            .select(Columns.MODEL_VERSION, Columns.AS_OF_DATE)
            .distinct()
            .orderBy(Columns.AS_OF_DATE)
            .collectAsList();
    for (Row m : mature) {
      String version = m.getString(0);
      LocalDate asOf = m.getDate(1).toLocalDate();
      if (done.contains(version + "@" + Date.valueOf(asOf))) {
        continue;
      }
      Dataset<Row> labels =
          LabelsJob.build(ctx, List.of(asOf), dataEnd, Optional.empty())
              .rows()
              .where(col(Columns.CHURNED).isNotNull())
              .select(
                  col(Columns.CUSTOMER_ID),
                  col(Columns.CHURNED).cast("double").as(ChurnPipelines.LABEL));
      Dataset<Row> scored =
          scores
              .where(
                  col(Columns.AS_OF_DATE)
                      .equalTo(Date.valueOf(asOf))
                      .and(col(Columns.MODEL_VERSION).equalTo(version)))
              .join(labels, Columns.CUSTOMER_ID);
      if (scored.isEmpty()) {
        continue;
      }
      Map<String, Double> metrics =
          new LinkedHashMap<>(EvaluateChurnModel.ofScores(scored, ctx.config().train().topShare()));
      TrainingRecords.writeEvaluations(ctx, version, asOf, REALISED, metrics);
      out.add(new Evaluated(version, asOf, metrics));
    }
    return out;
  }

  /** The latest realised ROC AUC of a model, if any scored date of it has matured. */
  public static Optional<Double> latestRocAuc(JobContext ctx, String version) {
    if (!ctx.store().exists(ChurnTable.MODEL_EVALUATIONS)) {
      return Optional.empty();
    }
    List<Row> rows =
        ctx.store()
            .read(ChurnTable.MODEL_EVALUATIONS)
            .where(
                col("kind")
                    .equalTo(REALISED)
                    .and(col(Columns.MODEL_VERSION).equalTo(version))
                    .and(col("metric").equalTo("roc_auc")))
            .orderBy(col(Columns.AS_OF_DATE).desc())
            .select("value")
            .limit(1)
            .collectAsList();
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0).getDouble(0));
  }
}
