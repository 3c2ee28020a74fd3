package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;

import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Maps raw Sparkify-shaped rows (with {@code source_file}) to the canonical {@code events} columns.
 * Only rows that {@link ClassifyRawEvents} left without a reject reason become events. Personal
 * keys are dropped unless kept by configuration.
 */
final class NormalizeEvents {
  private final String ingestRunId;
  private final List<String> personalKeys;
  private final boolean keepPersonal;

  NormalizeEvents(String ingestRunId, List<String> personalKeys, boolean keepPersonal) {
    this.ingestRunId = ingestRunId;
    this.personalKeys = List.copyOf(personalKeys);
    this.keepPersonal = keepPersonal;
  }

  /** "NextSong" becomes "next_song", "Thumbs Down" becomes "thumbs_down". */
  static Column eventType(Column page) {
    Column split = regexp_replace(page, "([a-z])([A-Z])", "$1_$2");
    return lower(regexp_replace(trim(split), "[^A-Za-z0-9]+", "_"));
  }

  Dataset<Row> apply(Dataset<Row> raw) {
    List<Column> out = new ArrayList<>();
    out.add(trim(col("userId")).as(Columns.CUSTOMER_ID));
    out.add(expr("timestamp_millis(ts)").as(Columns.EVENT_TIME));
    out.add(to_date(expr("timestamp_millis(ts)")).as(Columns.EVENT_DATE));
    out.add(eventType(col("page")).as(Columns.EVENT_TYPE));
    out.add(col("page"));
    out.add(col("sessionId").as(Columns.SESSION_ID));
    out.add(col("itemInSession").as("item_in_session"));
    out.add(col("level").as(Columns.LEVEL));
    out.add(col("auth"));
    out.add(col("method"));
    out.add(col("status"));
    out.add(expr("timestamp_millis(registration)").as("registration_time"));
    out.add(col("gender"));
    out.add(col("location"));
    out.add(col("artist"));
    out.add(col("song"));
    out.add(col("length"));
    out.add(col("amount").as(Columns.AMOUNT));
    if (keepPersonal) {
      for (String key : personalKeys) {
        out.add(col(key));
      }
    }
    out.add(col(Columns.SOURCE_FILE));
    out.add(lit(ingestRunId).as(Columns.INGEST_RUN_ID));
    return raw.where(col(ClassifyRawEvents.REASON).isNull()).select(out.toArray(new Column[0]));
  }
}
