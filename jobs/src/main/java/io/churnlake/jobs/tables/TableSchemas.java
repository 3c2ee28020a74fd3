package io.churnlake.jobs.tables;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The schemas of the tables whose rows a stage builds on the driver or from its own records: {@code
 * ingested_files}, {@code model_search}, {@code model_evaluations}, {@code clv_models} and the
 * generator's ground truth. The stage that writes one and {@link TableCatalog} that documents it
 * read the same definition from here.
 */
public final class TableSchemas {
  private TableSchemas() {}

  /** Schema of {@code clv_models}: one row per as-of date, model and parameter. */
  public static final StructType CLV_MODELS =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add("model", DataTypes.StringType, false)
          .add("parameter", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, false)
          .add("standard_error", DataTypes.DoubleType, true)
          .add("log_likelihood", DataTypes.DoubleType, false)
          .add("converged", DataTypes.BooleanType, false)
          .add("status", DataTypes.StringType, false)
          .add("customers", DataTypes.LongType, false)
          .add("groups", DataTypes.LongType, false);

  /** Schema of {@code quarantine}: one row per raw record that did not load. */
  public static final StructType QUARANTINE =
      new StructType()
          .add("source", DataTypes.StringType)
          .add(Columns.SOURCE_FILE, DataTypes.StringType)
          .add("source_offset", DataTypes.LongType)
          .add("reason", DataTypes.StringType)
          .add("record", DataTypes.StringType)
          .add(Columns.CUSTOMER_ID, DataTypes.StringType)
          .add(Columns.INGEST_RUN_ID, DataTypes.StringType)
          .add("quarantined_at", DataTypes.TimestampType);

  /** Schema of {@code ingested_files}: one row per source file loaded (the ingest ledger). */
  public static final StructType INGESTED_FILES =
      new StructType()
          .add("source", DataTypes.StringType)
          .add("file_name", DataTypes.StringType)
          .add("file_path", DataTypes.StringType)
          .add("file_size", DataTypes.LongType)
          .add("file_modified", DataTypes.TimestampType)
          .add("file_date", DataTypes.DateType)
          .add("content_hash", DataTypes.LongType)
          .add(Columns.INGEST_RUN_ID, DataTypes.StringType)
          .add("ingested_at", DataTypes.TimestampType)
          .add("rows_read", DataTypes.LongType)
          .add("rows_loaded", DataTypes.LongType)
          .add("rows_quarantined", DataTypes.LongType)
          .add("rows_dropped", DataTypes.LongType)
          .add("rows_blank", DataTypes.LongType)
          .add("rows_filtered", DataTypes.LongType)
          .add("unmapped_fields", DataTypes.StringType);

  /** Schema of {@code model_search}: one row per candidate of a model's search. */
  public static final StructType MODEL_SEARCH =
      new StructType()
          .add(Columns.MODEL_VERSION, DataTypes.StringType, false)
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add("candidate", DataTypes.IntegerType, false)
          .add(
              "parameters",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false),
              false)
          .add("validation", DataTypes.StringType, false)
          .add("metric", DataTypes.StringType, false)
          .add("folds", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("fold_values", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
          .add("mean", DataTypes.DoubleType, false)
          .add("chosen", DataTypes.BooleanType, false);

  /** Schema of {@code model_evaluations}: one row per model, date, kind and metric. */
  public static final StructType MODEL_EVALUATIONS =
      new StructType()
          .add(Columns.MODEL_VERSION, DataTypes.StringType, false)
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add("kind", DataTypes.StringType, false)
          .add("metric", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, false);

  /** Ground truth: the true probability of churning within the horizon after the as-of date. */
  public static final StructType GENERATOR_TRUTH =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, false)
          .add("horizon_days", DataTypes.IntegerType, false)
          .add("true_probability", DataTypes.DoubleType, false)
          .add("drivers", DataTypes.createArrayType(DataTypes.StringType, false), false);

  /**
   * The generator's truth of each planned customer's action: the churn probabilities with and
   * without the contact, and their difference.
   */
  public static final StructType GENERATED_EFFECTS =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, false)
          .add("horizon_days", DataTypes.IntegerType, false)
          .add("action", DataTypes.StringType, false)
          .add("contacted", DataTypes.BooleanType, false)
          .add("response_group", DataTypes.StringType, false)
          .add("p_churn_not_contacted", DataTypes.DoubleType, false)
          .add("p_churn_contacted", DataTypes.DoubleType, false)
          .add("true_effect", DataTypes.DoubleType, false);

  /** One Qini curve: the share of customers contacted and the customers kept per treated one. */
  public static final DataType QINI_CURVE =
      DataTypes.createArrayType(
          new StructType()
              .add("share", DataTypes.DoubleType, false)
              .add("kept", DataTypes.DoubleType, false),
          false);

  /** The uplift model registry's index: one row per model trained. */
  public static final StructType UPLIFT_MODELS =
      new StructType()
          .add("model_version", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, false)
          .add("algorithm", DataTypes.StringType, false)
          .add("training_waves", DataTypes.createArrayType(DataTypes.DateType, false), false)
          .add("evaluation_wave", DataTypes.DateType, true)
          .add("treated", DataTypes.LongType, false)
          .add("control", DataTypes.LongType, false)
          .add("features", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("qini_coefficient", DataTypes.DoubleType, true)
          .add("random_qini_coefficient", DataTypes.DoubleType, true)
          .add("oracle_qini_coefficient", DataTypes.DoubleType, true)
          .add("expected_qini_coefficient", DataTypes.DoubleType, true)
          .add("random_expected_qini_coefficient", DataTypes.DoubleType, true)
          .add("oracle_expected_qini_coefficient", DataTypes.DoubleType, true)
          .add("average_effect", DataTypes.DoubleType, true)
          .add("qini_curve", QINI_CURVE, true)
          .add("oracle_qini_curve", QINI_CURVE, true)
          .add("compared_budget", DataTypes.DoubleType, true)
          .add("plan_true_net_value", DataTypes.DoubleType, true)
          .add("plan_targeted", DataTypes.LongType, true)
          .add("uplift_true_net_value", DataTypes.DoubleType, true)
          .add("uplift_targeted", DataTypes.LongType, true)
          .add("created_at", DataTypes.TimestampType, false)
          .add("run_id", DataTypes.StringType, false);

  /** Each customer's predicted uplift per retention action on an as-of date. */
  public static final StructType UPLIFT_SCORES =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, false)
          .add("action", DataTypes.StringType, false)
          .add("p_churn_contacted", DataTypes.DoubleType, true)
          .add("p_churn_not_contacted", DataTypes.DoubleType, true)
          .add("uplift", DataTypes.DoubleType, true)
          .add("do_not_disturb", DataTypes.BooleanType, false)
          .add("model_version", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false);
}
