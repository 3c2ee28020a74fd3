package io.churnlake.jobs.score;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.table.Columns;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Applies a trained pipeline to feature rows: one churn probability per customer and date. */
public final class ScoreCustomers {
  private final PipelineModel model;
  private final String modelVersion;

  public ScoreCustomers(PipelineModel model, String modelVersion) {
    this.model = model;
    this.modelVersion = modelVersion;
  }

  public Dataset<Row> apply(Dataset<Row> features) {
    return model
        .transform(features)
        .select(
            col(Columns.CUSTOMER_ID),
            col(Columns.AS_OF_DATE),
            vector_to_array(col("probability"), "float64").getItem(1).as(Columns.CHURN_PROBABILITY),
            lit(modelVersion).as(Columns.MODEL_VERSION));
  }
}
