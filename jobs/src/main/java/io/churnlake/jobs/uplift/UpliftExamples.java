package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The rows the uplift learner reads and scores: a customer's features as of a date with one 0/1
 * column per retention action ({@code action_is_<name>}), so that one pair of models learns every
 * action's effect and can be asked about each. Pure transforms.
 */
public final class UpliftExamples {
  /** The column of randomised rows saying whether the customer was contacted. */
  public static final String TREATED = "treated";

  /** The column of randomised rows: 1.0 when the customer churned within the horizon. */
  public static final String CHURNED = "churned";

  /** The churn model's margin (log-odds) for the customer on the row's date, from churn_scores. */
  public static final String CHURN_SCORE = "churn_raw_score";

  /** The churn model's calibrated probability on the row's date, from churn_scores. */
  public static final String CHURN_PROBABILITY = "churn_model_probability";

  private UpliftExamples() {}

  /**
   * {@code rows} with {@link #CHURN_SCORE}: the churn model's raw score of the customer on the
   * row's {@code dateColumn} (null where none was scored; the pipeline reads null as 0).
   */
  public static Dataset<Row> withChurnScore(
      Dataset<Row> rows, Dataset<Row> scores, String dateColumn) {
    return rows.join(
        scores.select(
            col(Columns.CUSTOMER_ID),
            col(Columns.AS_OF_DATE).as(dateColumn),
            col("raw_score").as(CHURN_SCORE),
            col("churn_probability").as(CHURN_PROBABILITY)),
        scala.collection.JavaConverters.asScalaBuffer(List.of(Columns.CUSTOMER_ID, dateColumn)),
        "left");
  }

  /** The indicator column of an action: {@code action_is_} and the name, letters and digits. */
  public static String indicator(String action) {
    return "action_is_" + action.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }

  /** The model's inputs: the features, then each action's indicator. */
  public static List<String> inputs(List<String> features, List<String> actions) {
    List<String> out = new ArrayList<>(features);
    actions.forEach(a -> out.add(indicator(a)));
    return out;
  }

  /** The numeric (or boolean) columns of {@code rows} among {@code features}, in their order. */
  public static List<String> numeric(Dataset<Row> rows, List<String> features) {
    List<String> out = new ArrayList<>();
    for (String f : features) {
      org.apache.spark.sql.types.DataType t = rows.schema().apply(f).dataType();
      if (t instanceof org.apache.spark.sql.types.NumericType
          || t instanceof org.apache.spark.sql.types.BooleanType) {
        out.add(f);
      }
    }
    return out;
  }

  /** {@code rows} with each action's indicator from their {@code action} column. */
  public static Dataset<Row> withIndicators(Dataset<Row> rows, List<String> actions) {
    Dataset<Row> out = rows;
    for (String a : actions) {
      out =
          out.withColumn(
              indicator(a), when(col(SegmentColumns.ACTION).equalTo(a), 1.0).otherwise(0.0));
    }
    return out;
  }

  /**
   * Training rows: each randomised customer of a matured wave (wave_date, customer_id, action,
   * treated, churned) joined with their features as of the wave's date, the label being churned. A
   * customer without features that day (none are expected: plans are made from them) is left out.
   */
  public static Dataset<Row> examples(
      Dataset<Row> randomised, Dataset<Row> features, List<String> actions) {
    Dataset<Row> joined =
        randomised
            .join(
                features.withColumnRenamed(Columns.AS_OF_DATE, "wave_date"),
                scala.collection.JavaConverters.asScalaBuffer(
                    List.of(Columns.CUSTOMER_ID, "wave_date")),
                "inner")
            .withColumn(ChurnPipelines.LABEL, col(CHURNED).cast("double"));
    return withIndicators(joined, actions);
  }

  /** Every customer of {@code features} once per action, with the action and its indicators. */
  public static Dataset<Row> perAction(Dataset<Row> features, List<String> actions) {
    Column each = explode(array(actions.stream().map(functions::lit).toArray(Column[]::new)));
    return withIndicators(features.withColumn(SegmentColumns.ACTION, each), actions);
  }
}
