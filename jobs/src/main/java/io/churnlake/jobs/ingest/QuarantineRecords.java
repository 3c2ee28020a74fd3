package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.churnlake.common.table.Columns;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rejected records of a classified raw batch, as {@code quarantine} rows: source, file, reason,
 * the record's text (the original line when it did not parse) and the ingest run. The record text
 * can hold personal data; see the README.
 */
final class QuarantineRecords {
  private final String source;
  private final String ingestRunId;

  QuarantineRecords(String source, String ingestRunId) {
    this.source = source;
    this.ingestRunId = ingestRunId;
  }

  Dataset<Row> apply(Dataset<Row> classified) {
    Column[] keys =
        Arrays.stream(SparkifyLog.SCHEMA.fieldNames()).map(k -> col(k)).toArray(Column[]::new);
    return classified
        .where(col(ClassifyRawEvents.REASON).isNotNull())
        .select(
            lit(source).as("source"),
            col(Columns.SOURCE_FILE),
            col(ClassifyRawEvents.REASON).as("reason"),
            coalesce(col("_corrupt_record"), to_json(struct(keys))).as("record"),
            lit(ingestRunId).as(Columns.INGEST_RUN_ID),
            current_timestamp().as("quarantined_at"));
  }
}
