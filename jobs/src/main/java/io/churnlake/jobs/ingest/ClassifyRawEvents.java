package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Decides, for every raw record, whether it becomes an event: adds {@code reject_reason}, null for
 * a loadable record, otherwise the first rule it breaks (in this order): {@code malformed_json},
 * {@code missing_customer_id}, {@code customer_id_too_long}, {@code missing_timestamp}, {@code
 * timestamp_before_1970}, {@code timestamp_after_file_date} (more than a day after the date in the
 * file name), {@code missing_event_type}.
 */
final class ClassifyRawEvents {
  static final String REASON = "reject_reason";
  static final int MAX_CUSTOMER_ID_LENGTH = 256;

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
    return raw.withColumn(REASON, reason);
  }
}
