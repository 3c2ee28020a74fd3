package io.churnlake.jobs.train;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.model.Algorithm;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.tables.TableSchemas;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * What training records about a model: its description ({@code models}' fields), its parameters,
 * its search ({@code model_search}) and its metrics ({@code model_evaluations}).
 */
public final class TrainingRecords {
  private TrainingRecords() {}

  /** Kind of the metrics a model gets on its own held-out evaluation set. */
  public static final String HOLDOUT = "holdout";

  /** Kind of the champion's metrics on a challenger's evaluation set. */
  public static final String CHAMPION_COMPARISON = "champion_comparison";

  /** A model's description, without metrics yet. */
  public static ModelInfo info(
      ChurnConfig c,
      String version,
      LocalDate asOf,
      List<LocalDate> trainingDates,
      Optional<LocalDate> calibrationDate,
      LocalDate evaluationDate,
      Optional<String> calendarAdjusted,
      int horizon,
      FitChurnModel.Fitted fitted,
      long inputTableVersion,
      TrainingSets.Validation validation,
      Map<String, Long> tableVersions) {
    Map<String, String> parameters = parameters(fitted.search().chosen());
    parameters.put("search", fitted.search().summary());
    fitted.calibration().ifPresent(v -> parameters.put("calibration_check", v.describe()));
    calendarAdjusted.ifPresent(a -> parameters.put("calendar", a));
    return new ModelInfo(
        version,
        c.train().algorithm().id(),
        asOf.toString(),
        trainingDates.stream().map(LocalDate::toString).collect(Collectors.toList()),
        evaluationDate.toString(),
        horizon,
        fitted.numeric(),
        inputTableVersion,
        Instant.now().toString(),
        Map.of(),
        validation.description(),
        fitted.categorical(),
        c.features().excludeFromModel(),
        (fitted.calibrated() ? c.train().calibration() : ChurnConfig.Calibration.NONE).id(),
        calibrationDate.map(LocalDate::toString).orElse(null),
        c.labels().definition().id(),
        parameters,
        tableVersions,
        fitted.means(),
        fitted.driftCuts(),
        fitted.driftShares());
  }

  /** The hyper-parameters of the configured algorithm, as recorded in {@code models}. */
  public static Map<String, String> parameters(ChurnConfig.TrainSettings t) {
    Map<String, String> p = Algorithm.of(t).parameters(t);
    p.put("class_weight", t.classWeight().id());
    p.put("calibration", t.calibration().id());
    p.put("seed", String.valueOf(t.seed()));
    return p;
  }

  /**
   * Replaces a model's rows in model_search: its candidates, or, when no search ran, one row with
   * the configured parameters, no folds, a NaN mean and why.
   */
  static void writeSearch(
      JobContext ctx, String version, LocalDate asOf, HyperparameterSearch.Result r) {
    List<Row> rows = new ArrayList<>();
    Date date = Date.valueOf(asOf);
    if (r.candidates().isEmpty()) {
      rows.add(
          RowFactory.create(
              version,
              date,
              0,
              HyperparameterSearch.searched(r.chosen()),
              r.summary(),
              r.metric(),
              List.<String>of(),
              List.<Double>of(),
              Double.NaN,
              true));
    }
    for (HyperparameterSearch.Candidate c : r.candidates()) {
      rows.add(
          RowFactory.create(
              version,
              date,
              c.index(),
              c.parameters(),
              r.validation(),
              r.metric(),
              r.folds(),
              c.foldValues(),
              c.mean(),
              c.index() == r.chosenIndex()));
    }
    ctx.store()
        .replaceWhere(
            ChurnTable.MODEL_SEARCH,
            ctx.spark().createDataFrame(rows, TableSchemas.MODEL_SEARCH),
            Columns.MODEL_VERSION + " = '" + version + "'");
  }

  /** Replaces one model's metrics of one kind in model_evaluations. */
  static void writeEvaluations(
      JobContext ctx, String version, LocalDate asOf, String kind, Map<String, Double> metrics) {
    StructType schema = TableSchemas.MODEL_EVALUATIONS;
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      rows.add(RowFactory.create(version, Date.valueOf(asOf), kind, e.getKey(), e.getValue()));
    }
    ctx.store()
        .replaceWhere(
            ChurnTable.MODEL_EVALUATIONS,
            ctx.spark().createDataFrame(rows, schema),
            Columns.MODEL_VERSION
                + " = '"
                + version
                + "' AND as_of_date = DATE'"
                + asOf
                + "' AND kind = '"
                + kind
                + "'");
  }
}
