package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Marks {@code duplicate_record}: a loadable record whose key equals that of an earlier loadable
 * record of the batch (by file name, then byte offset), or of a row already in the table from
 * another file of the same source. Nulls in the key compare equal. Rejected and dropped records
 * never shadow a loadable one. Pure transform over {@link CanonicalRecords}' output.
 */
final class MarkDuplicates {
  static final String DUPLICATE = "duplicate_record";
  private final List<String> key;

  MarkDuplicates(List<String> key) {
    this.key = List.copyOf(key);
  }

  /**
   * @param existing rows already loaded from other files of the source, when the table exists
   */
  Dataset<Row> apply(Dataset<Row> judged, Optional<Dataset<Row>> existing) {
    if (key.isEmpty()) {
      return judged;
    }
    Column candidate =
        col(CanonicalRecords.REASON).isNull().and(col(CanonicalRecords.DROP).isNull());
    List<Column> partition = new ArrayList<>();
    key.forEach(k -> partition.add(col(k)));
    partition.add(candidate);
    Column later =
        row_number()
            .over(
                Window.partitionBy(partition.toArray(new Column[0]))
                    .orderBy(col(Columns.SOURCE_FILE), col(ReadLines.OFFSET)))
            .gt(1);
    Dataset<Row> marked = judged.withColumn("_later", candidate.and(later));
    Column duplicate = col("_later");
    if (existing.isPresent()) {
      List<Column> keys = new ArrayList<>();
      for (int i = 0; i < key.size(); i++) {
        keys.add(col(key.get(i)).as("_k" + i));
      }
      Dataset<Row> seen =
          existing
              .get()
              .select(keys.toArray(new Column[0]))
              .distinct()
              .withColumn("_seen", lit(true));
      Column on = lit(true);
      for (int i = 0; i < key.size(); i++) {
        on = on.and(marked.col(key.get(i)).eqNullSafe(seen.col("_k" + i)));
      }
      marked = marked.join(seen, on, "left");
      duplicate = duplicate.or(candidate.and(col("_seen").isNotNull()));
    }
    Dataset<Row> out =
        marked.withColumn(
            CanonicalRecords.REASON,
            when(duplicate, lit(DUPLICATE)).otherwise(col(CanonicalRecords.REASON)));
    return out.select(
        java.util.Arrays.stream(judged.columns())
            .map(c -> col("`" + c + "`"))
            .toArray(Column[]::new));
  }
}
