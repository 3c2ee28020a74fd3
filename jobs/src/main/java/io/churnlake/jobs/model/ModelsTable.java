package io.churnlake.jobs.model;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Delta table {@code models}: one row per trained model (what it read, how it scored, its
 * status: candidate, champion or retired, and why). The model files live in the {@link
 * ModelRegistry}; this table is what SQL users, {@code score} and {@code nightly} consult. Rows are
 * bounded by the number of models ever trained, so reading them on the driver is fine.
 */
public final class ModelsTable {
  public static final String CANDIDATE = "candidate";
  public static final String CHAMPION = "champion";
  public static final String RETIRED = "retired";

  /** How the status reason of a model trained for a past date starts (see TrainJob). */
  public static final String PAST_DATE_REASON = "trained for the past date ";

  public static final StructType SCHEMA =
      new StructType()
          .add(Columns.MODEL_VERSION, DataTypes.StringType, false)
          .add("created_at", DataTypes.TimestampType, false)
          .add("algorithm", DataTypes.StringType, false)
          .add(
              "parameters",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
              false)
          .add("features", DataTypes.createArrayType(DataTypes.StringType), false)
          .add("label_definition", DataTypes.StringType, true)
          .add(Columns.HORIZON_DAYS, DataTypes.IntegerType, false)
          .add("trained_as_of", DataTypes.DateType, false)
          .add("training_dates", DataTypes.createArrayType(DataTypes.DateType), false)
          .add("calibration", DataTypes.StringType, false)
          .add("calibration_date", DataTypes.DateType, true)
          .add("evaluation_date", DataTypes.DateType, false)
          .add("validation", DataTypes.StringType, false)
          .add(
              "table_versions",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType),
              false)
          .add(
              "metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false)
          .add("status", DataTypes.StringType, false)
          .add("status_reason", DataTypes.StringType, false)
          .add("status_changed_at", DataTypes.TimestampType, false);

  private ModelsTable() {}

  /** The current champion's version, if any model has been promoted. */
  public static Optional<String> champion(JobContext ctx) {
    if (!ctx.store().exists(ChurnTable.MODELS)) {
      return Optional.empty();
    }
    List<Row> rows =
        ctx.store()
            .read(ChurnTable.MODELS)
            .where(col("status").equalTo(CHAMPION))
            .orderBy(col("status_changed_at").desc())
            .select(Columns.MODEL_VERSION)
            .limit(1)
            .collectAsList();
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0).getString(0));
  }

  /**
   * The model that serves a past date D: the newest (latest training date, then highest version) of
   * the models trained on or before D that served as champion (now {@code champion} or {@code
   * retired}) or were trained for a past date; a candidate that lost to the champion of its day
   * never served, so it is not chosen.
   */
  public static Optional<String> newestTrainedBy(JobContext ctx, LocalDate asOf) {
    if (!ctx.store().exists(ChurnTable.MODELS)) {
      return Optional.empty();
    }
    return newestTrainedBy(ctx.store().read(ChurnTable.MODELS), asOf);
  }

  /** {@link #newestTrainedBy(JobContext, LocalDate)} over the rows of a models table. */
  static Optional<String> newestTrainedBy(Dataset<Row> models, LocalDate asOf) {
    List<Row> rows =
        models
            .where(
                col("trained_as_of")
                    .leq(functions.lit(Date.valueOf(asOf)))
                    .and(
                        col("status")
                            .isin(CHAMPION, RETIRED)
                            .or(col("status_reason").startsWith(PAST_DATE_REASON))))
            .orderBy(col("trained_as_of").desc(), col(Columns.MODEL_VERSION).desc())
            .select(Columns.MODEL_VERSION)
            .limit(1)
            .collectAsList();
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0).getString(0));
  }

  /** Every recorded model version, oldest first. */
  public static List<String> versions(JobContext ctx) {
    if (!ctx.store().exists(ChurnTable.MODELS)) {
      return List.of();
    }
    return ctx
        .store()
        .read(ChurnTable.MODELS)
        .select(Columns.MODEL_VERSION)
        .orderBy(Columns.MODEL_VERSION)
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .collect(Collectors.toList());
  }

  /**
   * Records a new model with its status, and (when it is promoted) retires the previous champion,
   * in one commit: readers see either both changes or neither.
   */
  public static void record(
      JobContext ctx, ModelInfo info, String status, String reason, Optional<String> retired) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    rows.add(row(info, status, reason, now));
    List<String> versions = new ArrayList<>(List.of(info.version()));
    if (retired.isPresent()) {
      for (Row old :
          ctx.store()
              .read(ChurnTable.MODELS)
              .where(col(Columns.MODEL_VERSION).equalTo(retired.get()))
              .select(
                  java.util.Arrays.stream(SCHEMA.fieldNames())
                      .map(org.apache.spark.sql.functions::col)
                      .toArray(org.apache.spark.sql.Column[]::new))
              .collectAsList()) {
        Object[] values = new Object[SCHEMA.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = old.get(i);
        }
        values[SCHEMA.fieldIndex("status")] = RETIRED;
        values[SCHEMA.fieldIndex("status_reason")] = "replaced by " + info.version();
        values[SCHEMA.fieldIndex("status_changed_at")] = now;
        rows.add(RowFactory.create(values));
      }
      versions.add(retired.get());
    }
    ctx.store()
        .replaceWhere(
            ChurnTable.MODELS,
            ctx.spark().createDataFrame(rows, SCHEMA),
            Columns.MODEL_VERSION
                + " IN ("
                + versions.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", "))
                + ")");
  }

  private static Row row(ModelInfo info, String status, String reason, Timestamp now) {
    List<Date> training =
        info.trainingDates().stream().map(d -> Date.valueOf(LocalDate.parse(d))).toList();
    Map<String, String> parameters = info.parameters() == null ? Map.of() : info.parameters();
    Map<String, Long> versions = info.tableVersions() == null ? Map.of() : info.tableVersions();
    return RowFactory.create(
        info.version(),
        Timestamp.from(Instant.parse(info.createdAt())),
        info.algorithm(),
        parameters,
        info.inputColumns(),
        info.labelDefinition(),
        info.horizonDays(),
        Date.valueOf(LocalDate.parse(info.trainedAsOf())),
        training,
        info.calibration() == null ? "none" : info.calibration(),
        info.calibrationDate() == null
            ? null
            : Date.valueOf(LocalDate.parse(info.calibrationDate())),
        Date.valueOf(LocalDate.parse(info.evaluationDate())),
        info.validation(),
        versions,
        info.metrics(),
        status,
        reason,
        now);
  }
}
