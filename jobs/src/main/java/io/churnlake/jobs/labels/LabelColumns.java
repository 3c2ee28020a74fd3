package io.churnlake.jobs.labels;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.config.ChurnConfig.LabelDefinition;
import io.churnlake.common.table.Columns;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/** The columns every label transform returns, in {@code churn_labels} order. */
final class LabelColumns {
  static final String LABEL_DEFINITION = "label_definition";
  static final String CHURN_DATE = "churn_date";

  /** customer_id, as_of_date, horizon_days, churned (null: no label), churn_date, definition. */
  static final List<String> ALL =
      List.of(
          Columns.CUSTOMER_ID,
          Columns.AS_OF_DATE,
          Columns.HORIZON_DAYS,
          Columns.CHURNED,
          CHURN_DATE,
          LABEL_DEFINITION);

  private LabelColumns() {}

  static Column[] select(
      Column horizonDays, Column churned, Column churnDate, LabelDefinition definition) {
    return new Column[] {
      col(Columns.CUSTOMER_ID),
      col(Columns.AS_OF_DATE),
      horizonDays.cast(DataTypes.IntegerType).as(Columns.HORIZON_DAYS),
      churned.cast(DataTypes.BooleanType).as(Columns.CHURNED),
      churnDate.cast(DataTypes.DateType).as(CHURN_DATE),
      lit(definition.id()).as(LABEL_DEFINITION)
    };
  }
}
