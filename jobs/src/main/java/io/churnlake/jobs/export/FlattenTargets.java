package io.churnlake.jobs.export;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ExplainScores;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Targeted risk_segments rows as flat CRM rows, best expected net value first: the plan's columns
 * and each of the first n drivers as {@code driver_k_feature}, {@code driver_k_reason}, {@code
 * driver_k_category} (null when the customer has fewer), so that a CSV holds no nested values.
 */
public final class FlattenTargets {
  private final int drivers;

  public FlattenTargets(int drivers) {
    this.drivers = drivers;
  }

  public Dataset<Row> apply(Dataset<Row> riskSegments) {
    List<Column> out = new ArrayList<>();
    out.add(col(Columns.CUSTOMER_ID));
    out.add(col(Columns.AS_OF_DATE));
    out.add(col(SegmentColumns.SEGMENT));
    out.add(col(SegmentColumns.ACTION));
    out.add(col(Columns.CHURN_PROBABILITY));
    out.add(col(SegmentColumns.VALUE));
    out.add(col(SegmentColumns.EXPECTED_NET_VALUE));
    for (int k = 1; k <= drivers; k++) {
      Column d = col(ExplainScores.DRIVERS).getItem(k - 1);
      out.add(d.getField("feature").as("driver_" + k + "_feature"));
      out.add(d.getField("reason").as("driver_" + k + "_reason"));
      out.add(d.getField("category").as("driver_" + k + "_category"));
    }
    out.add(col(Columns.MODEL_VERSION));
    out.add(col(SegmentColumns.RUN_ID));
    return riskSegments
        .where(col(SegmentColumns.TARGETING).equalTo(SegmentColumns.TARGETED))
        .select(out.toArray(new Column[0]));
  }
}
