package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.Columns;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Decides, for every raw record, whether it becomes an event: adds {@code reject_reason}, null for
 * a loadable record, otherwise the first rule it breaks (in this order): {@code malformed_json},
 * {@code missing_customer_id}, {@code customer_id_too_long}, {@code missing_timestamp}, {@code
 * timestamp_before_1970}, {@code timestamp_after_file_date} (more than a day after the date in the
 * file name), {@code missing_event_type}; then, among the records left, every record after the
 * first (by file name) with the same dedup key is {@code duplicate_record}.
 */
final class ClassifyRawEvents {
  static final String REASON = "reject_reason";
  static final int MAX_CUSTOMER_ID_LENGTH = 256;
  private final List<String> dedupKey;

  /**
   * @param dedupKey raw keys identifying one event; empty to keep duplicates
   */
  ClassifyRawEvents(List<String> dedupKey) {
    List<String> known = Arrays.asList(SparkifyLog.SCHEMA.fieldNames());
    for (String k : dedupKey) {
      if (!known.contains(k)) {
        throw ChurnErrors.badConfigValue("churnlake.ingest.dedup-key", k, "raw keys " + known);
      }
    }
    this.dedupKey = List.copyOf(dedupKey);
  }

  Dataset<Row> apply(Dataset<Row> raw) {
    Column userId = trim(col("userId"));
    Column fileDate = to_date(regexp_extract(col(Columns.SOURCE_FILE), RawFiles.NAME.pattern(), 1));
    Column eventDate = to_date(expr("timestamp_millis(ts)"));
    Column reason =
        when(col("_corrupt_record").isNotNull(), lit("malformed_json"))
            .when(userId.isNull().or(userId.equalTo("")), lit("missing_customer_id"))
            .when(length(userId).gt(MAX_CUSTOMER_ID_LENGTH), lit("customer_id_too_long"))
            .when(col("ts").isNull(), lit("missing_timestamp"))
            .when(col("ts").lt(0), lit("timestamp_before_1970"))
            .when(eventDate.gt(date_add(fileDate, 1)), lit("timestamp_after_file_date"))
            .when(
                col("page").isNull().or(trim(col("page")).equalTo("")), lit("missing_event_type"));
    Dataset<Row> classified = raw.withColumn(REASON, reason);
    return dedupKey.isEmpty() ? classified : markDuplicates(classified);
  }

  private Dataset<Row> markDuplicates(Dataset<Row> classified) {
    // Rejected records never shadow a valid one: they rank in a group of their own.
    Column[] key =
        Stream.concat(dedupKey.stream().map(k -> col(k)), Stream.of(col(REASON).isNull()))
            .toArray(Column[]::new);
    WindowSpec sameEvent = Window.partitionBy(key).orderBy(col(Columns.SOURCE_FILE));
    Column duplicate = col(REASON).isNull().and(row_number().over(sameEvent).gt(1));
    return classified.withColumn(
        REASON, when(duplicate, lit("duplicate_record")).otherwise(col(REASON)));
  }
}
