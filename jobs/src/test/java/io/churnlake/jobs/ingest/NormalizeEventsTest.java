package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NormalizeEventsTest extends SparkTestBase {
  @TempDir static Path raw;

  static final List<String> KEY = List.of("userId", "sessionId", "itemInSession", "ts", "page");

  /** 2026-03-01T10:00:00Z and 2026-03-01T23:59:59Z in epoch milliseconds. */
  static final long T1 = 1772359200000L;

  static final long T2 = 1772409599000L;
  static final long REG = 1767225600000L;

  /**
   * Parses like IngestJob: the whole raw schema is materialised once, because a JSON scan
   * re-planned with fewer columns may judge _corrupt_record differently.
   */
  private Dataset<Row> parse(String... lines) throws Exception {
    // A fresh directory per call: Spark caches file listings (with lengths) per path.
    Path file = Files.createTempDirectory(raw, "t").resolve("events-2026-03-01.json");
    Files.write(file, List.of(lines));
    return spark()
        .read()
        .schema(SparkifyLog.READ_SCHEMA)
        .option("mode", "PERMISSIVE")
        .json(file.toString())
        .withColumn("source_file", lit("events-2026-03-01.json"))
        .cache();
  }

  private static String line(String userId, long ts, String page, String extra) {
    return "{\"ts\":"
        + ts
        + ",\"userId\":\""
        + userId
        + "\",\"sessionId\":7,\"itemInSession\":2,\"page\":\""
        + page
        + "\",\"auth\":\"Logged In\",\"level\":\"paid\",\"method\":\"GET\",\"status\":200,\"registration\":"
        + REG
        + ",\"gender\":\"F\",\"location\":\"Boston, MA\",\"userAgent\":\"Mozilla/5.0\",\"firstName\":\"Ada\",\"lastName\":\"Meyer\""
        + extra
        + "}";
  }

  @Test
  void mapsPagesToCanonicalEventsAndDropsPersonalKeys() throws Exception {
    Dataset<Row> input =
        parse(
            line(
                "42",
                T1,
                "NextSong",
                ",\"artist\":\"Coldplay\",\"song\":\"Yellow\",\"length\":266.5"),
            line("42", T2, "Thumbs Down", ""),
            line(" 43 ", T1, "Cancellation Confirmation", ""),
            line("43", T1, "Billing", ",\"amount\":9.99"),
            line("", T1, "Home", ""),
            "{this is not json");
    Dataset<Row> events =
        new NormalizeEvents("run-1", List.of("firstName", "lastName", "userAgent"), false)
            .apply(new ClassifyRawEvents(KEY).apply(input));

    assertThat(events.columns())
        .containsExactly(
            "customer_id",
            "event_time",
            "event_date",
            "event_type",
            "page",
            "session_id",
            "item_in_session",
            "level",
            "auth",
            "method",
            "status",
            "registration_time",
            "gender",
            "location",
            "artist",
            "song",
            "length",
            "amount",
            "source_file",
            "ingest_run_id");
    Timestamp t1 = Timestamp.valueOf("2026-03-01 10:00:00");
    Timestamp t2 = Timestamp.valueOf("2026-03-01 23:59:59");
    Timestamp reg = Timestamp.valueOf("2026-01-01 00:00:00");
    Date d = Date.valueOf("2026-03-01");
    StructType schema = events.schema();
    Dataset<Row> expected =
        rows(
            schema,
            new Object[] {
              "42",
              t1,
              d,
              "next_song",
              "NextSong",
              7L,
              2,
              "paid",
              "Logged In",
              "GET",
              200,
              reg,
              "F",
              "Boston, MA",
              "Coldplay",
              "Yellow",
              266.5,
              null,
              "events-2026-03-01.json",
              "run-1"
            },
            new Object[] {
              "42",
              t2,
              d,
              "thumbs_down",
              "Thumbs Down",
              7L,
              2,
              "paid",
              "Logged In",
              "GET",
              200,
              reg,
              "F",
              "Boston, MA",
              null,
              null,
              null,
              null,
              "events-2026-03-01.json",
              "run-1"
            },
            new Object[] {
              "43",
              t1,
              d,
              "cancellation_confirmation",
              "Cancellation Confirmation",
              7L,
              2,
              "paid",
              "Logged In",
              "GET",
              200,
              reg,
              "F",
              "Boston, MA",
              null,
              null,
              null,
              null,
              "events-2026-03-01.json",
              "run-1"
            },
            new Object[] {
              "43",
              t1,
              d,
              "billing",
              "Billing",
              7L,
              2,
              "paid",
              "Logged In",
              "GET",
              200,
              reg,
              "F",
              "Boston, MA",
              null,
              null,
              null,
              9.99,
              "events-2026-03-01.json",
              "run-1"
            });
    assertSameRows(expected, events);
  }

  @Test
  void personalKeysAreCopiedOnlyWhenConfigured() throws Exception {
    Dataset<Row> input = parse(line("42", T1, "Home", ""));
    Dataset<Row> kept =
        new NormalizeEvents("r", List.of("firstName", "userAgent"), true)
            .apply(new ClassifyRawEvents(KEY).apply(input));
    assertThat(kept.select("firstName", "userAgent").head())
        .isEqualTo(org.apache.spark.sql.RowFactory.create("Ada", "Mozilla/5.0"));
    Dataset<Row> dropped =
        new NormalizeEvents("r", List.of("firstName", "userAgent"), false)
            .apply(new ClassifyRawEvents(KEY).apply(input));
    assertThat(dropped.columns()).doesNotContain("firstName", "lastName", "userAgent");
  }

  @Test
  void everyRejectedRecordIsQuarantinedWithItsReasonAndEveryOtherBecomesAnEvent() throws Exception {
    long nextDay = T1 + 86_400_000L;
    Dataset<Row> classified =
        new ClassifyRawEvents(KEY)
            .apply(
                parse(
                    line("42", T1, "NextSong", ""),
                    line("42", T1, "NextSong", ""),
                    line("", T1, "Home", ""),
                    "{broken",
                    "{broken",
                    line("9".repeat(300), T1, "Home", ""),
                    line("43", T1, "Home", "").replace("\"ts\":" + T1, "\"ts\":null"),
                    line("43", -5, "Home", ""),
                    line("43", 1900000000000L, "Home", ""),
                    line("43", T1, "", ""),
                    line("44", nextDay, "Logout", "")));
    Dataset<Row> quarantine = new QuarantineRecords("events", "run-9").apply(classified);
    StructType schema =
        new StructType()
            .add("source", DataTypes.StringType)
            .add("source_file", DataTypes.StringType)
            .add("reason", DataTypes.StringType)
            .add("ingest_run_id", DataTypes.StringType);
    String f = "events-2026-03-01.json";
    assertSameRows(
        rows(
            schema,
            new Object[] {"events", f, "duplicate_record", "run-9"},
            new Object[] {"events", f, "missing_customer_id", "run-9"},
            new Object[] {"events", f, "malformed_json", "run-9"},
            new Object[] {"events", f, "malformed_json", "run-9"},
            new Object[] {"events", f, "customer_id_too_long", "run-9"},
            new Object[] {"events", f, "missing_timestamp", "run-9"},
            new Object[] {"events", f, "timestamp_before_1970", "run-9"},
            new Object[] {"events", f, "timestamp_after_file_date", "run-9"},
            new Object[] {"events", f, "missing_event_type", "run-9"}),
        quarantine.drop("record", "quarantined_at"));
    assertThat(quarantine.where("reason = 'malformed_json'").select("record").collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("{broken", "{broken");
    assertThat(
            quarantine.where("reason = 'missing_customer_id'").select("record").head().getString(0))
        .isEqualTo(
            "{\"auth\":\"Logged In\",\"firstName\":\"Ada\",\"gender\":\"F\",\"itemInSession\":2,"
                + "\"lastName\":\"Meyer\",\"level\":\"paid\",\"location\":\"Boston, MA\",\"method\":\"GET\","
                + "\"page\":\"Home\",\"registration\":1767225600000,\"sessionId\":7,\"status\":200,"
                + "\"ts\":1772359200000,\"userAgent\":\"Mozilla/5.0\",\"userId\":\"\"}");
    Dataset<Row> events = new NormalizeEvents("run-9", List.of(), false).apply(classified);
    assertThat(events.select("customer_id", "event_type").collectAsList())
        .containsExactlyInAnyOrder(
            org.apache.spark.sql.RowFactory.create("42", "next_song"),
            org.apache.spark.sql.RowFactory.create("44", "logout"));
  }

  @Test
  void anUnknownDedupKeyIsAConfigurationErrorNamingIt() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ClassifyRawEvents(List.of("userId", "user_id")))
        .hasMessageStartingWith(
            "configuration key 'churnlake.ingest.dedup-key' has value 'user_id'; allowed: raw keys [artist, auth,");
  }

  @Test
  void reconciliationCountsReadLoadedAndQuarantinedPerFile() {
    StructType files = new StructType().add("source_file", DataTypes.StringType);
    String a = "events-2026-03-01.json";
    String b = "events-2026-03-02.json";
    Dataset<Row> raw =
        rows(
            files,
            new Object[] {a},
            new Object[] {a},
            new Object[] {a},
            new Object[] {b},
            new Object[] {b});
    Dataset<Row> loaded =
        rows(files, new Object[] {a}, new Object[] {a}, new Object[] {b}, new Object[] {b});
    Dataset<Row> quarantined = rows(files, new Object[] {a});
    Dataset<Row> ledger =
        IngestJob.reconcile(raw, loaded, quarantined, "run-9").drop("ingested_at");
    StructType schema =
        new StructType()
            .add("file_name", DataTypes.StringType)
            .add("file_date", DataTypes.DateType)
            .add("ingest_run_id", DataTypes.StringType)
            .add("rows_read", DataTypes.LongType)
            .add("rows_loaded", DataTypes.LongType)
            .add("rows_quarantined", DataTypes.LongType);
    assertSameRows(
        rows(
            schema,
            new Object[] {a, Date.valueOf("2026-03-01"), "run-9", 3L, 2L, 1L},
            new Object[] {b, Date.valueOf("2026-03-02"), "run-9", 2L, 2L, 0L}),
        ledger);
  }

  @Test
  void eventTypeNamesAreSnakeCase() {
    Dataset<Row> pages =
        spark()
            .createDataset(
                List.of(
                    "NextSong", "Thumbs Up", "Add to Playlist", "Submit Downgrade", "Roll Advert"),
                org.apache.spark.sql.Encoders.STRING())
            .toDF("page");
    List<String> types =
        pages
            .select(NormalizeEvents.eventType(col("page")))
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(types)
        .containsExactly(
            "next_song", "thumbs_up", "add_to_playlist", "submit_downgrade", "roll_advert");
  }
}
