package io.churnlake.jobs.tables;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ExplainScores;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of {@code risk_segments} and {@code segment_summary} (docs/segments.md), the
 * targeting values and the two schemas, which the segment stage writes and {@link TableCatalog}
 * documents.
 */
public final class SegmentColumns {
  private SegmentColumns() {}

  public static final String VALUE = "value";
  public static final String VALUE_TIER = "value_tier";
  public static final String SEGMENT = "segment";
  public static final String ACTION = "action";
  public static final String EXPECTED_NET_VALUE = "expected_net_value";
  public static final String TARGETING = "targeting";
  public static final String RUN_ID = "run_id";

  /** The values of {@code targeting}: acted on, held out as control, or left alone. */
  public static final String TARGETED = "targeted";

  public static final String CONTROL = "control";
  public static final String NONE = "none";

  /** Schema of {@code risk_segments}: one row per customer and as-of date. */
  public static final StructType RISK_SEGMENTS =
      new StructType()
          .add(Columns.CUSTOMER_ID, DataTypes.StringType, false)
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add(Columns.CHURN_PROBABILITY, DataTypes.DoubleType, false)
          .add(Columns.RISK_TIER, DataTypes.StringType, false)
          .add(VALUE, DataTypes.DoubleType, false)
          .add(VALUE_TIER, DataTypes.StringType, false)
          .add(SEGMENT, DataTypes.StringType, false)
          .add(ACTION, DataTypes.StringType, false)
          .add(EXPECTED_NET_VALUE, DataTypes.DoubleType, false)
          .add(TARGETING, DataTypes.StringType, false)
          .add(ExplainScores.DRIVERS, DataTypes.createArrayType(ExplainScores.DRIVER, false), true)
          .add(Columns.MODEL_VERSION, DataTypes.StringType, false)
          .add(RUN_ID, DataTypes.StringType, false);

  /** Schema of {@code segment_summary}: one row per as-of date and segment. */
  public static final StructType SEGMENT_SUMMARY =
      new StructType()
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add(SEGMENT, DataTypes.StringType, false)
          .add(VALUE_TIER, DataTypes.StringType, false)
          .add(Columns.RISK_TIER, DataTypes.StringType, false)
          .add(ACTION, DataTypes.StringType, false)
          .add("customers", DataTypes.LongType, false)
          .add("mean_probability", DataTypes.DoubleType, false)
          .add("value", DataTypes.DoubleType, false)
          .add("revenue_at_risk", DataTypes.DoubleType, false)
          .add("targeted", DataTypes.LongType, false)
          .add("control", DataTypes.LongType, false)
          .add("expected_saved_value", DataTypes.DoubleType, false)
          .add("cost", DataTypes.DoubleType, false)
          .add("expected_net_value", DataTypes.DoubleType, false);
}
