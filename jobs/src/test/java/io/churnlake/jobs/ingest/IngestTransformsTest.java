package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.testing.SparkTestBase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The ingest transforms on inline lines of the default events source (JSON, epoch milliseconds,
 * personal fields dropped), without files or tables. Invariants: every line gets exactly one
 * outcome (loaded, quarantined with the first rule it breaks, or dropped with a reason), a loadable
 * record repeated later in the batch or already loaded from another file is a duplicate while the
 * first one loads, a rejected record never shadows a loadable one, and each quarantined row keeps
 * its file, offset, reason and text as read.
 */
class IngestTransformsTest extends SparkTestBase {
  private static final String FILE = "events-2026-03-01.json";
  // 2026-03-01 10:00:00 and 2026-03-05 09:00:00 UTC, and a registration on 2026-01-15.
  private static final long T1 = 1772359200000L;
  private static final long T5 = 1772701200000L;
  private static final long REGISTERED = 1768435200000L;
  private static final String VALID =
      "{\"userId\":\"1\",\"ts\":"
          + T1
          + ",\"page\":\"NextSong\",\"sessionId\":7,\"itemInSession\":1,\"level\":\"free\","
          + "\"registration\":"
          + REGISTERED
          + ",\"firstName\":\"Ann\",\"userAgent\":\"Mozilla\"}";

  private final SourceSpec spec =
      ChurnConfigLoader.load(List.of(), List.of()).sources().get("events");

  private Dataset<Row> lines(Object[]... rows) {
    return rows(ReadLines.SCHEMA, rows);
  }

  private static Object[] line(long offset, String text) {
    return new Object[] {FILE, offset, text, false};
  }

  private Dataset<Row> judged(Dataset<Row> lines) {
    List<String> fields = ParseRecords.sourceFields(spec);
    return new CanonicalRecords(spec, "run-1", Optional.empty())
        .apply(new ParseRecords(spec, fields).apply(lines));
  }

  /** Each line's offset and reason (null: loaded or dropped), in file order. */
  private static String reasonsByOffset(Dataset<Row> marked) {
    return marked
        .select("_offset", CanonicalRecords.REASON)
        .orderBy("_offset")
        .collectAsList()
        .toString();
  }

  private Dataset<Row> batch() {
    return lines(
        line(0, VALID),
        line(100, "{\"userId\":\"2\",\"ts\":"),
        line(200, "{\"ts\":" + T1 + ",\"page\":\"Home\",\"sessionId\":8,\"itemInSession\":0}"),
        line(
            300,
            "{\"userId\":\"3\",\"ts\":\"soon\",\"page\":\"Home\",\"sessionId\":9,"
                + "\"itemInSession\":0}"),
        line(400, "   "),
        line(
            500,
            "{\"userId\":\"4\",\"ts\":"
                + T1
                + ",\"page\":\"Home\",\"sessionId\":10,\"itemInSession\":\"x\"}"),
        line(600, VALID),
        line(
            700,
            "{\"userId\":\"5\",\"ts\":"
                + T5
                + ",\"page\":\"Home\",\"sessionId\":11,\"itemInSession\":0}"));
  }

  @Test
  void everyLineGetsExactlyOneOutcomeAndTheFirstOfTwoEqualRecordsLoads() {
    Dataset<Row> marked =
        new MarkDuplicates(spec.dedupKey()).apply(judged(batch()), Optional.empty());
    assertThat(
            marked
                .select("_offset", CanonicalRecords.REASON, CanonicalRecords.DROP)
                .orderBy("_offset")
                .collectAsList()
                .toString())
        .isEqualTo(
            "[[0,null,null], [100,malformed_json,null], [200,missing_customer_id,null],"
                + " [300,unparseable_event_time,null], [400,null,blank_line],"
                + " [500,bad_value:item_in_session,null], [600,duplicate_record,null],"
                + " [700,event_time_after_file_date,null]]");

    // The loaded record: canonical columns and typed attributes, no personal field.
    Dataset<Row> loaded =
        marked.where("_reason IS NULL AND _drop IS NULL").select("*").drop("_offset", "_record");
    assertThat(List.of(loaded.columns()))
        .doesNotContain("firstName", "lastName", "userAgent")
        .startsWith(
            "customer_id", "event_time", "event_date", "event_type", "session_id", "amount");
    assertThat(
            loaded
                .selectExpr(
                    "customer_id",
                    "CAST(event_time AS STRING)",
                    "event_date",
                    "event_type",
                    "session_id",
                    "amount",
                    "page",
                    "item_in_session",
                    "level",
                    "CAST(registration_time AS STRING)",
                    "source",
                    "source_file",
                    "ingest_run_id")
                .collectAsList()
                .toString())
        .isEqualTo(
            "[[1,2026-03-01 10:00:00,2026-03-01,next_song,7,null,NextSong,1,free,"
                + "2026-01-15 00:00:00,events,"
                + FILE
                + ",run-1]]");
  }

  @Test
  void aNumberThatParsesToNaNOrAnInfinityIsQuarantinedAsNonFinite() {
    // Invariant: no NaN or infinity loads into a number column ("1e400" is beyond a double's
    // range and used to load as Infinity; unquoted, Spark's JSON reader hands it over as the
    // quoted text "Infinity", not a number); a finite value next to them loads.
    String withLength = VALID.replace("\"level\":\"free\"", "\"level\":\"free\",\"length\":%s");
    Dataset<Row> judged =
        judged(
            lines(
                line(0, String.format(withLength, "\"1e400\"")),
                line(100, String.format(withLength, "1e400")),
                line(200, String.format(withLength, "\"NaN\"")),
                line(300, String.format(withLength, "\"-Infinity\"")),
                line(400, String.format(withLength, "217.5")),
                line(500, String.format(withLength, "\"long\""))));
    assertThat(reasonsByOffset(judged))
        .isEqualTo(
            "[[0,non_finite:length], [100,bad_value:length], [200,non_finite:length],"
                + " [300,non_finite:length], [400,null], [500,bad_value:length]]");
    assertThat(judged.where("_reason IS NULL").select("length").head().getDouble(0))
        .isEqualTo(217.5);
  }

  @Test
  void aTransactionLineWithANegativePriceIsNoPurchaseButAReturnLoads() {
    // Invariant: a negative unit price (a ledger adjustment) never loads as a purchase with a
    // negative amount; a return (negative quantity, positive price) still loads.
    SourceSpec shop =
        ChurnConfigLoader.load(
                List.of(),
                List.of(
                    "ingest.sources=[shop]",
                    "sources.shop.kind=transactions",
                    "sources.shop.format=json",
                    "sources.shop.path=\"/nowhere\"",
                    "sources.shop.columns.order_id=order",
                    "sources.shop.columns.customer_id=customer",
                    "sources.shop.columns.event_time=time",
                    "sources.shop.columns.quantity=qty",
                    "sources.shop.columns.unit_price=price",
                    "sources.shop.time-format=epoch-millis"))
            .sources()
            .get("shop");
    String order = "{\"order\":\"o%d\",\"customer\":\"c1\",\"time\":" + T1 + ",%s}";
    Dataset<Row> judged =
        new CanonicalRecords(shop, "run-1", Optional.empty())
            .apply(
                new ParseRecords(shop, ParseRecords.sourceFields(shop))
                    .apply(
                        lines(
                            line(0, String.format(order, 1, "\"qty\":2,\"price\":1.5")),
                            line(100, String.format(order, 2, "\"qty\":1,\"price\":-11062.06")),
                            line(200, String.format(order, 3, "\"qty\":-1,\"price\":1.5")))));
    assertThat(reasonsByOffset(judged))
        .isEqualTo("[[0,null], [100,negative:unit_price], [200,null]]");
    assertThat(
            judged
                .where("_reason IS NULL")
                .orderBy("order_id")
                .select("amount")
                .collectAsList()
                .toString())
        .isEqualTo("[[3.0], [-1.5]]");
  }

  @Test
  void aRecordAlreadyLoadedFromAnotherFileIsADuplicateAndARejectedOneShadowsNothing() {
    Dataset<Row> first = judged(lines(line(0, VALID)));
    // The same record loaded before from another file of the source.
    Dataset<Row> existing =
        first.where("_reason IS NULL").withColumn("source_file", lit("events-2026-02-28.json"));
    Dataset<Row> again = new MarkDuplicates(spec.dedupKey()).apply(first, Optional.of(existing));
    assertThat(again.select(CanonicalRecords.REASON).collectAsList().toString())
        .isEqualTo("[[duplicate_record]]");

    // A rejected record earlier in the batch with the key of a loadable one does not shadow it.
    String rejected = VALID.replace("\"level\":\"free\"", "\"level\":\"free\",\"status\":\"x\"");
    Dataset<Row> marked =
        new MarkDuplicates(spec.dedupKey())
            .apply(judged(lines(line(0, rejected), line(100, VALID))), Optional.empty());
    assertThat(reasonsByOffset(marked)).isEqualTo("[[0,bad_value:status], [100,null]]");
  }

  @Test
  void quarantinedRowsKeepTheirFileOffsetReasonTextAndCustomer() {
    Dataset<Row> marked =
        new MarkDuplicates(spec.dedupKey()).apply(judged(batch()), Optional.empty());
    Dataset<Row> quarantine = QuarantineRecords.apply(marked);
    assertThat(List.of(quarantine.columns()))
        .containsExactly(
            "source",
            "source_file",
            "source_offset",
            "reason",
            "record",
            "customer_id",
            "ingest_run_id",
            "quarantined_at");
    List<Row> rows = quarantine.drop("quarantined_at").orderBy("source_offset").collectAsList();
    List<Object[]> lines =
        batch().orderBy("_offset").collectAsList().stream()
            .map(r -> new Object[] {r.getLong(1), r.getString(2)})
            .toList();
    for (Row r : rows) {
      String text =
          lines.stream()
              .filter(l -> (long) l[0] == r.getLong(2))
              .map(l -> (String) l[1])
              .findFirst()
              .orElseThrow();
      assertThat(r.getString(0)).isEqualTo("events");
      assertThat(r.getString(1)).isEqualTo(FILE);
      assertThat(r.getString(4)).as("record at %d", r.getLong(2)).isEqualTo(text);
      assertThat(r.getString(6)).isEqualTo("run-1");
    }
    assertThat(rows.stream().map(r -> r.getLong(2) + ":" + r.getString(3) + ":" + r.get(5)))
        .containsExactly(
            "100:malformed_json:null",
            "200:missing_customer_id:null",
            "300:unparseable_event_time:3",
            "500:bad_value:item_in_session:4",
            "600:duplicate_record:1",
            "700:event_time_after_file_date:5");
  }

  @Test
  void aDuplicateWhoseTextWasDroppedBeforeTheShuffleTakesItBackFromItsFile() {
    // As ingest does beyond each file's first 64 KB: loadable rows travel without their text.
    Dataset<Row> withoutText =
        judged(batch())
            .withColumn(
                ReadLines.RECORD,
                when(col(CanonicalRecords.REASON).isNotNull(), col(ReadLines.RECORD)));
    Dataset<Row> marked = new MarkDuplicates(spec.dedupKey()).apply(withoutText, Optional.empty());
    Dataset<Row> fromLines = QuarantineRecords.apply(marked, Optional.of(batch()));
    assertThat(
            fromLines
                .where("reason = 'duplicate_record'")
                .select("source_file", "source_offset", "record")
                .collectAsList()
                .toString())
        .isEqualTo("[[" + FILE + ",600," + VALID + "]]");
    // Every other quarantined row keeps the text it carried: the same rows with or without lines.
    assertThat(fromLines.drop("quarantined_at").collectAsList())
        .containsExactlyInAnyOrderElementsOf(
            QuarantineRecords.apply(marked, Optional.empty())
                .drop("quarantined_at")
                .withColumn(
                    "record",
                    when(col("reason").equalTo("duplicate_record"), lit(VALID))
                        .otherwise(col("record")))
                .collectAsList());
  }

  @Test
  void deDuplicationAgainstTheTableIsOneShuffleByDateThatTheDatedWriteReuses() {
    Dataset<Row> first = judged(lines(line(0, VALID)));
    Dataset<Row> existing =
        first.where("_reason IS NULL").withColumn("source_file", lit("events-2026-02-28.json"));
    MarkDuplicates dedup = new MarkDuplicates(spec.dedupKey(), Optional.of("event_date"));
    assertThat(dedup.clusterColumn()).contains("event_date");
    // More than one shuffle partition, as in a real run (with one, Spark plans a single partition).
    withSqlConf(
        Map.of("spark.sql.shuffle.partitions", "3"),
        () -> {
          Dataset<Row> marked = dedup.apply(judged(batch()), Optional.of(existing)).persist();
          try {
            // The batch's first record was loaded before from another file: now both copies are
            // duplicates; the outcomes of the other lines are those of a batch alone.
            assertThat(reasonsByOffset(marked))
                .isEqualTo(
                    "[[0,duplicate_record], [100,malformed_json], [200,missing_customer_id],"
                        + " [300,unparseable_event_time], [400,null],"
                        + " [500,bad_value:item_in_session], [600,duplicate_record],"
                        + " [700,event_time_after_file_date]]");
            String plan =
                marked
                    .where("_reason IS NULL")
                    .repartition(col("event_date"))
                    .queryExecution()
                    .executedPlan()
                    .toString();
            // Above the cached, de-duplicated rows the write's clustering by date adds no
            // exchange.
            assertThat(plan.substring(0, plan.indexOf("InMemoryTableScan")))
                .doesNotContain("Exchange");
          } finally {
            marked.unpersist();
          }
        });
    // A key without the event time does not determine the date: the window is not clustered by it.
    assertThat(
            new MarkDuplicates(List.of("customer_id", "session_id"), Optional.of("event_date"))
                .clusterColumn())
        .isEmpty();
  }
}
