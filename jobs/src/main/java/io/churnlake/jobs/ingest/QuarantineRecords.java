package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;

import io.churnlake.common.table.Columns;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rejected records of a judged batch as {@code quarantine} rows: source, file, byte offset of
 * the line (null for columnar sources), reason, the record's text as read, the customer id when one
 * was readable, and the ingest run. The record text can hold personal data: the table is purged
 * after {@code ingest.quarantine-retention-days} and covered by {@code forget}.
 */
final class QuarantineRecords {
  private static final String FILE = "_text_file";
  private static final String OFFSET = "_text_offset";
  private static final String TEXT = "_text";

  private QuarantineRecords() {}

  static Dataset<Row> apply(Dataset<Row> judged) {
    return apply(judged, Optional.empty());
  }

  /**
   * @param lines the lines ({@link ReadLines#SCHEMA}) of the files whose rejected rows lost their
   *     text before the de-duplication shuffle: such a row takes the text of the line at its file
   *     and offset
   */
  static Dataset<Row> apply(Dataset<Row> judged, Optional<Dataset<Row>> lines) {
    Dataset<Row> rejected = judged.where(col(CanonicalRecords.REASON).isNotNull());
    Column record = col(ReadLines.RECORD);
    if (lines.isPresent()) {
      Dataset<Row> wanted =
          rejected
              .where(col(ReadLines.RECORD).isNull())
              .select(col(Columns.SOURCE_FILE).as(FILE), col(ReadLines.OFFSET).as(OFFSET));
      Dataset<Row> texts =
          lines
              .get()
              .join(
                  wanted,
                  lines
                      .get()
                      .col(ReadLines.FILE)
                      .equalTo(wanted.col(FILE))
                      .and(lines.get().col(ReadLines.OFFSET).equalTo(wanted.col(OFFSET))))
              .select(col(FILE), col(OFFSET), col(ReadLines.RECORD).as(TEXT));
      rejected =
          rejected.join(
              texts,
              rejected
                  .col(Columns.SOURCE_FILE)
                  .equalTo(texts.col(FILE))
                  .and(rejected.col(ReadLines.OFFSET).equalTo(texts.col(OFFSET))),
              "left");
      record = coalesce(rejected.col(ReadLines.RECORD), col(TEXT));
    }
    return rejected.select(
        col("source"),
        col(Columns.SOURCE_FILE),
        col(ReadLines.OFFSET).as("source_offset"),
        col(CanonicalRecords.REASON).as("reason"),
        record.as("record"),
        col(Columns.CUSTOMER_ID),
        col(Columns.INGEST_RUN_ID),
        current_timestamp().as("quarantined_at"));
  }
}
