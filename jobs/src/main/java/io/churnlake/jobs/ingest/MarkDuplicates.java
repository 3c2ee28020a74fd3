package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>One shuffle: the rows already in the table (their key columns only) are unioned with the batch
 * and one window over the key decides, so no join follows. When the target table's partition column
 * is a function of the key ({@link #partitionFollowsKey}), the union is distributed by that column:
 * equal keys meet in one task, and the output is already clustered the way the table is written
 * (one file per partition value), so the write adds no second shuffle.
 */
final class MarkDuplicates {
  static final String DUPLICATE = "duplicate_record";
  private static final String EXISTING = "_existing";
  private final List<String> key;
  private final Optional<String> clusterColumn;

  MarkDuplicates(List<String> key) {
    this(key, Optional.empty());
  }

  /**
   * @param partitionColumn the target table's partition column; used to distribute the window only
   *     when it follows from the key
   */
  MarkDuplicates(List<String> key, Optional<String> partitionColumn) {
    this.key = List.copyOf(key);
    this.clusterColumn = partitionColumn.filter(p -> partitionFollowsKey(key, p));
  }

  /**
   * Whether two records with equal keys always fall in the same partition of the table: the
   * partition column is part of the key, or it is {@code event_date} (the UTC date of {@code
   * event_time}) and the key holds {@code event_time}. Then the existing rows that can be
   * duplicates of a batch are those of the batch's partition values.
   */
  static boolean partitionFollowsKey(List<String> key, String partitionColumn) {
    return key.contains(partitionColumn)
        || (partitionColumn.equals(Columns.EVENT_DATE) && key.contains(Columns.EVENT_TIME));
  }

  /** The column the window is distributed by, when the partition column follows from the key. */
  Optional<String> clusterColumn() {
    return clusterColumn;
  }

  /**
   * @param existing rows already loaded from other files of the source, when the table exists (only
   *     the key columns, and the cluster column, are read)
   */
  Dataset<Row> apply(Dataset<Row> judged, Optional<Dataset<Row>> existing) {
    if (key.isEmpty()) {
      return judged;
    }
    Dataset<Row> all = judged.withColumn(EXISTING, lit(false));
    if (existing.isPresent()) {
      List<Column> kept = new ArrayList<>();
      key.forEach(k -> kept.add(col(k)));
      clusterColumn.filter(c -> !key.contains(c)).ifPresent(c -> kept.add(col(c)));
      kept.add(lit(true).as(EXISTING));
      all = all.unionByName(existing.get().select(kept.toArray(new Column[0])), true);
    }
    if (clusterColumn.isPresent()) {
      all = all.repartition(col(clusterColumn.get()));
    }
    // Existing rows have no reason and no drop: they are candidates, and come first.
    Column candidate = CanonicalRecords.loadable();
    List<Column> partition = new ArrayList<>();
    clusterColumn.ifPresent(c -> partition.add(col(c)));
    // A hash of the key first: the window's sort then tells most rows apart by comparing two longs
    // instead of the key's strings (it is a function of the key, so the groups are the same).
    partition.add(xxhash64(key.stream().map(k -> col(k)).toArray(Column[]::new)));
    key.forEach(k -> partition.add(col(k)));
    partition.add(candidate);
    Column later =
        row_number()
            .over(
                Window.partitionBy(partition.toArray(new Column[0]))
                    .orderBy(col(EXISTING).desc(), col(Columns.SOURCE_FILE), col(ReadLines.OFFSET)))
            .gt(1);
    Dataset<Row> marked =
        all.withColumn(
            CanonicalRecords.REASON,
            when(candidate.and(later), lit(DUPLICATE)).otherwise(col(CanonicalRecords.REASON)));
    if (existing.isPresent()) {
      marked = marked.where(col(EXISTING).unary_$bang());
    }
    return marked.select(
        Arrays.stream(judged.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new));
  }
}
