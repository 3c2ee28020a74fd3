package io.churnlake.jobs.labels;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.config.ChurnConfig.LabelDefinition;
import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Given churn labels from a customer table's churn flag (static data sets): for each as-of date D,
 * the customers of the snapshot dated D with their flag as {@code churned}; a customer without a
 * flag is unlabelled (null). There is no horizon and no churn date. Pure transform; output columns
 * are {@link LabelColumns#ALL}.
 */
public final class GivenLabels {
  static final String SNAPSHOT_DATE = "snapshot_date";

  /**
   * @param customers rows of the {@code customers} table (customer_id, snapshot_date, churned)
   * @param asOfDates one column {@code as_of_date} (date)
   */
  public Dataset<Row> apply(Dataset<Row> customers, Dataset<Row> asOfDates) {
    return customers
        .join(broadcast(asOfDates), col(SNAPSHOT_DATE).equalTo(col(Columns.AS_OF_DATE)))
        .select(
            LabelColumns.select(lit(null), col(Columns.CHURNED), lit(null), LabelDefinition.GIVEN));
  }
}
