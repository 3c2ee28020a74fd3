package io.churnlake.jobs.tables;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of {@code churn_kpis} and {@code cohort_retention} (docs/kpis.md), their values with
 * a meaning ({@code all}, the statuses) and the two schemas, which the KPI stage writes and {@link
 * TableCatalog} documents.
 */
public final class KpiColumns {
  private KpiColumns() {}

  public static final String PERIOD_START = "period_start";
  public static final String PERIOD_END = "period_end";
  public static final String MATURE = "mature";
  public static final String DIMENSION = "dimension";
  public static final String DIMENSION_VALUE = "dimension_value";
  public static final String METRIC = "metric";
  public static final String VALUE = "value";
  public static final String STATUS = "status";
  public static final String NOTE = "note";
  public static final String GOAL_ID = "goal_id";
  public static final String TARGET = "target";
  public static final String ON_TRACK = "on_track";

  /** The {@code dimension_value} of the rows over all customers. */
  public static final String ALL = "all";

  /** Status of a value: complete, not yet complete, point-in-time, or without a denominator. */
  public static final String MATURE_STATUS = "mature";

  public static final String IMMATURE = "immature";
  public static final String SNAPSHOT = "snapshot";
  public static final String UNDEFINED = "undefined";

  /** churn_kpis, column by column (docs/kpis.md). */
  public static final StructType CHURN_KPIS =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add("period_grain", DataTypes.StringType, false)
          .add(PERIOD_START, DataTypes.DateType, false)
          .add(PERIOD_END, DataTypes.DateType, false)
          .add(DIMENSION, DataTypes.StringType, false)
          .add(DIMENSION_VALUE, DataTypes.StringType, true)
          .add(METRIC, DataTypes.StringType, false)
          .add(VALUE, DataTypes.DoubleType, true)
          .add("lower", DataTypes.DoubleType, true)
          .add("upper", DataTypes.DoubleType, true)
          .add(STATUS, DataTypes.StringType, false)
          .add(NOTE, DataTypes.StringType, true)
          .add(GOAL_ID, DataTypes.StringType, true)
          .add(TARGET, DataTypes.DoubleType, true)
          .add(ON_TRACK, DataTypes.BooleanType, true)
          .add("run_id", DataTypes.StringType, false);

  public static final String COHORT_MONTH = "cohort_month";
  public static final String PERIOD_OFFSET = "period_offset";

  /** cohort_retention, column by column (docs/kpis.md). */
  public static final StructType COHORT_RETENTION =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add(COHORT_MONTH, DataTypes.DateType, false)
          .add(PERIOD_OFFSET, DataTypes.IntegerType, false)
          .add("cohort_customers", DataTypes.LongType, false)
          .add("retained_customers", DataTypes.LongType, false)
          .add("retention_rate", DataTypes.DoubleType, false)
          .add("survival_days", DataTypes.IntegerType, false)
          .add("km_survival", DataTypes.DoubleType, true)
          .add("km_survival_se", DataTypes.DoubleType, true)
          .add("run_id", DataTypes.StringType, false);

  /** Schema of {@code campaign_outcomes}: one row per as-of date, wave, action and segment. */
  public static final StructType CAMPAIGN_OUTCOMES =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add("wave_date", DataTypes.DateType, false)
          .add("action", DataTypes.StringType, false)
          .add("segment", DataTypes.StringType, false)
          .add("horizon_days", DataTypes.IntegerType, false)
          .add("status", DataTypes.StringType, false)
          .add("treated", DataTypes.LongType, false)
          .add("treated_churned", DataTypes.LongType, false)
          .add("control", DataTypes.LongType, false)
          .add("control_churned", DataTypes.LongType, false)
          .add("treated_churn_rate", DataTypes.DoubleType, true)
          .add("treated_churn_rate_lower", DataTypes.DoubleType, true)
          .add("treated_churn_rate_upper", DataTypes.DoubleType, true)
          .add("control_churn_rate", DataTypes.DoubleType, true)
          .add("control_churn_rate_lower", DataTypes.DoubleType, true)
          .add("control_churn_rate_upper", DataTypes.DoubleType, true)
          .add("effect", DataTypes.DoubleType, true)
          .add("effect_lower", DataTypes.DoubleType, true)
          .add("effect_upper", DataTypes.DoubleType, true)
          .add("relative_effect", DataTypes.DoubleType, true)
          .add("expected_net_value", DataTypes.DoubleType, false)
          .add("realised_net_value", DataTypes.DoubleType, true)
          .add("note", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false);

  /** Schema of {@code action_effects}: one row per as-of date and configured action. */
  public static final StructType ACTION_EFFECTS =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add("action", DataTypes.StringType, false)
          .add("waves", DataTypes.IntegerType, false)
          .add("strata", DataTypes.IntegerType, false)
          .add("treated", DataTypes.LongType, false)
          .add("control", DataTypes.LongType, false)
          .add("prior_save_rate", DataTypes.DoubleType, false)
          .add("prior_strength", DataTypes.DoubleType, false)
          .add("save_rate", DataTypes.DoubleType, false)
          .add("save_rate_lower", DataTypes.DoubleType, false)
          .add("save_rate_upper", DataTypes.DoubleType, false)
          .add("source", DataTypes.StringType, false)
          .add("note", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false);
}
