package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.xxhash64;

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
    // Every step is a hash aggregation (string attributes in a max_by buffer would make Spark sort
    // every row): rows that repeat exactly collapse, a customer's latest snapshot on or before
    // each date is a max over dates, and of two different rows for one customer and snapshot
    // (possible without a dedup-key) the one with the greater hash of its attributes wins.
    List<Column> keyed = new ArrayList<>();
    keyed.add(col(Columns.CUSTOMER_ID));
    keyed.add(col(SNAPSHOT_DATE));
    keyed.addAll(List.of(fields));
    Dataset<Row> rows =
        customers
            .select(keyed.toArray(new Column[0]))
            .distinct()
            .withColumn(HASH, fields.length == 0 ? lit(0L) : xxhash64(fields));
    Dataset<Row> latest =
        rows.join(broadcast(asOfDates), col(SNAPSHOT_DATE).leq(asOf))
            .groupBy(Columns.CUSTOMER_ID, Columns.AS_OF_DATE)
            .agg(max(SNAPSHOT_DATE).as(SNAPSHOT_DATE));
    Dataset<Row> chosen = rows.groupBy(Columns.CUSTOMER_ID, SNAPSHOT_DATE).agg(max(HASH).as(HASH));
    Dataset<Row> joined =
        latest
            .join(chosen, new String[] {Columns.CUSTOMER_ID, SNAPSHOT_DATE})
            .join(rows, new String[] {Columns.CUSTOMER_ID, SNAPSHOT_DATE, HASH});
    List<Column> out = new ArrayList<>();
    out.add(col(Columns.CUSTOMER_ID));
    out.add(asOf);
    out.add(datediff(asOf, col(SNAPSHOT_DATE)).as("days_since_snapshot"));
    attrs.forEach(a -> out.add(col("`" + a + "`")));
    return joined.select(out.toArray(new Column[0]));
  }

  private static final String SNAPSHOT_DATE = "snapshot_date";
  private static final String HASH = "_attributes_hash";
}
