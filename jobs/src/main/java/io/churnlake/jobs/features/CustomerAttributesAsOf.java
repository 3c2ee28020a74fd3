package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.struct;

import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Customer-table attributes as they were on each as-of date: per customer, the snapshot with the
 * latest {@code snapshot_date} on or before the date (never a later one), in one aggregation. The
 * given churn flag and lineage columns are not attributes (the flag is a label, not a feature).
 * Categorical attributes stay strings for the model pipeline to encode.
 */
public final class CustomerAttributesAsOf {
  static final Set<String> NOT_ATTRIBUTES =
      Set.of(
          Columns.CUSTOMER_ID,
          "snapshot_date",
          Columns.CHURNED,
          "source",
          Columns.SOURCE_FILE,
          Columns.INGEST_RUN_ID);

  /** The attribute columns of a customers table, in table order. */
  public static List<String> attributes(Dataset<Row> customers) {
    List<String> out = new ArrayList<>();
    for (String c : customers.columns()) {
      if (!NOT_ATTRIBUTES.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * @param customers the canonical customers table
   * @param asOfDates one column {@code as_of_date} (date), a handful of rows
   */
  public Dataset<Row> apply(Dataset<Row> customers, Dataset<Row> asOfDates) {
    List<String> attrs = attributes(customers);
    Column asOf = col(Columns.AS_OF_DATE);
    Column[] fields = attrs.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new);
    Dataset<Row> latest =
        customers
            .join(broadcast(asOfDates), col("snapshot_date").leq(asOf))
            .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
            .agg(
                max("snapshot_date").as("snapshot_date"),
                max_by(struct(fields), col("snapshot_date")).as("_attrs"));
    List<Column> out = new ArrayList<>();
    out.add(col(Columns.CUSTOMER_ID));
    out.add(asOf);
    out.add(datediff(asOf, col("snapshot_date")).as("days_since_snapshot"));
    attrs.forEach(a -> out.add(col("_attrs.`" + a + "`").as(a)));
    return latest.select(out.toArray(new Column[0]));
  }
}
