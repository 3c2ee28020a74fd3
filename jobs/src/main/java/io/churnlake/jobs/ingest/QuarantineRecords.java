package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;

import io.churnlake.common.table.Columns;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rejected records of a judged batch as {@code quarantine} rows: source, file, byte offset of
 * the line (null for columnar sources), reason, the record's text as read, the customer id when one
 * was readable, and the ingest run. The record text can hold personal data: the table is purged
 * after {@code ingest.quarantine-retention-days} and covered by {@code forget}.
 */
final class QuarantineRecords {
  private QuarantineRecords() {}

  static Dataset<Row> apply(Dataset<Row> judged) {
    return judged
        .where(col(CanonicalRecords.REASON).isNotNull())
        .select(
            col("source"),
            col(Columns.SOURCE_FILE),
            col(ReadLines.OFFSET).as("source_offset"),
            col(CanonicalRecords.REASON).as("reason"),
            col(ReadLines.RECORD).as("record"),
            col(Columns.CUSTOMER_ID),
            col(Columns.INGEST_RUN_ID),
            current_timestamp().as("quarantined_at"));
  }
}
