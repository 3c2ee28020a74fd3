package io.churnlake.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.testing.Examples;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest of each source kind through its example config (conf/examples) over the fixtures there,
 * copied to a fresh directory per test. Invariants: every record read is loaded, quarantined with a
 * reason or dropped with a counted reason; re-ingesting changes nothing; personal fields never
 * reach the canonical tables in clear.
 */
class IngestSourcesTest extends SparkTestBase {
  static final Path EXAMPLES = Examples.DIR;

  @TempDir Path dir;

  /** A context over a fresh copy of the example's fixtures (conf/examples/data/<source>). */
  private JobContext context(String example, String source, String... overrides)
      throws IOException {
    Examples.copyFixtures(source, dir.resolve("data"));
    ChurnConfig config = config(example, source, overrides);
    return new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
  }

  /** The example's config pointed at this test's fixture copy and warehouse. */
  private ChurnConfig config(String example, String source, String... overrides) {
    List<String> sets = new ArrayList<>();
    sets.add("warehouse=\"" + dir.resolve("warehouse") + "\"");
    sets.add("sources." + source + ".path=\"" + dir.resolve("data") + "\"");
    sets.add("ingest.hash-key-env=CHURNLAKE_TEST_HASH_KEY");
    sets.addAll(Arrays.asList(overrides));
    return ChurnConfigLoader.load(List.of(EXAMPLES.resolve(example).toFile()), sets);
  }

  /** Rows as sorted text: full-row content comparison for small fixtures. */
  private static List<String> text(Dataset<Row> rows) {
    return Examples.text(rows);
  }

  private Dataset<Row> table(JobContext ctx, ChurnTable t) {
    return ctx.store().read(t);
  }

  @Test
  void retailInvoiceLinesLandInTransactionsWithReasonsForEveryOtherLine() throws IOException {
    JobContext ctx = context("retail-transactions.conf", "retail");
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    assertThat(r.sources())
        .containsExactly(new SourceResult("retail", "transactions", 1, 12, 6, 6, 0, 0));
    assertThat(
            text(
                table(ctx, ChurnTable.TRANSACTIONS)
                    .selectExpr(
                        "order_id",
                        "customer_id",
                        "CAST(event_time AS STRING)",
                        "CAST(event_date AS STRING)",
                        "product_id",
                        "quantity",
                        "unit_price",
                        "amount",
                        "line_type",
                        "description",
                        "country",
                        "source",
                        "source_file")))
        .containsExactly(
            "[700001,17850,2026-03-01 08:26:00,2026-03-01,71053,6.0,3.39,20.34,purchase,WHITE METAL LANTERN,United Kingdom,retail,invoices-2026-03.csv]",
            "[700001,17850,2026-03-01 08:26:00,2026-03-01,85123A,6.0,2.55,15.3,purchase,WHITE HANGING HEART T-LIGHT HOLDER,United Kingdom,retail,invoices-2026-03.csv]",
            "[700002,13047,2026-03-01 09:02:00,2026-03-01,22633,12.0,1.85,22.2,purchase,HAND WARMER UNION JACK, RED,United Kingdom,retail,invoices-2026-03.csv]",
            "[700005,12583,2026-03-04 14:30:00,2026-03-04,22745,6.0,2.1,12.6,purchase,POPPY'S PLAYHOUSE BEDROOM,France,retail,invoices-2026-03.csv]",
            "[700006,12583,2026-03-05 16:45:00,2026-03-05,22748,-1.0,2.1,-2.1,return,POPPY'S PLAYHOUSE KITCHEN,France,retail,invoices-2026-03.csv]",
            "[C700003,13047,2026-03-02 10:15:00,2026-03-02,22633,-2.0,1.85,-3.7,cancellation,HAND WARMER UNION JACK, RED,United Kingdom,retail,invoices-2026-03.csv]");
    // Byte offsets locate each quarantined line in its file.
    assertThat(
            text(
                table(ctx, ChurnTable.QUARANTINE)
                    .selectExpr("source", "source_file", "source_offset", "reason", "customer_id")))
        .containsExactly(
            "[retail,invoices-2026-03.csv,1007,malformed_csv,13047]",
            "[retail,invoices-2026-03.csv,334,duplicate_record,13047]",
            "[retail,invoices-2026-03.csv,508,missing_customer_id,null]",
            "[retail,invoices-2026-03.csv,739,bad_value:quantity,12583]",
            "[retail,invoices-2026-03.csv,824,out_of_range:quantity,17850]",
            "[retail,invoices-2026-03.csv,915,unparseable_event_time,13047]");
    Row quarantined =
        table(ctx, ChurnTable.QUARANTINE).where("reason = 'bad_value:quantity'").head();
    assertThat(quarantined.<String>getAs("record"))
        .isEqualTo(
            "700007,22749,FELTCRAFT PRINCESS CHARLOTTE DOLL,many,3/6/2026 11:00,3.75,12583,France");
    Row ledger = table(ctx, ChurnTable.INGESTED_FILES).head();
    assertThat(ledger.<Long>getAs("rows_read"))
        .isEqualTo(ledger.<Long>getAs("rows_loaded") + ledger.<Long>getAs("rows_quarantined"));
    assertThat(ledger.<Long>getAs("file_size"))
        .isEqualTo(Files.size(dir.resolve("data/invoices-2026-03.csv")));
  }

  @Test
  void reIngestingTheSameFilesChangesNoTable() throws IOException {
    JobContext ctx = context("retail-transactions.conf", "retail");
    IngestJob.run(ctx, Optional.empty());
    List<String> before = snapshot(ctx);
    IngestResult again = IngestJob.run(ctx, Optional.empty());
    assertThat(again.files()).isZero();
    assertThat(snapshot(ctx)).isEqualTo(before);
  }

  private List<String> snapshot(JobContext ctx) {
    List<String> out = new ArrayList<>();
    for (ChurnTable t :
        List.of(ChurnTable.TRANSACTIONS, ChurnTable.QUARANTINE, ChurnTable.INGESTED_FILES)) {
      out.add(t.tableName() + "@" + ctx.store().version(t));
      out.addAll(text(table(ctx, t).drop("quarantined_at", "ingested_at")));
    }
    return out;
  }

  @Test
  void aChangedFileIsRejectedByDefaultAndReloadedWhenConfigured() throws IOException {
    JobContext ctx = context("retail-transactions.conf", "retail");
    IngestJob.run(ctx, Optional.empty());
    Path file = dir.resolve("data/invoices-2026-03.csv");
    Files.writeString(
        file,
        "700011,22111,SCOTTIE DOG HOT WATER BOTTLE,2,3/8/2026 10:00,4.95,17850,United Kingdom\n",
        StandardOpenOption.APPEND);
    assertThatThrownBy(() -> IngestJob.run(ctx, Optional.empty()))
        .isInstanceOf(ChurnException.class)
        .hasMessageStartingWith(
            "source 'retail', file 'invoices-2026-03.csv' changed since it was ingested (size 1076 -> ")
        .hasMessageEndingWith(
            "set churnlake.ingest.on-changed-file = reload to replace what was loaded from it");

    JobContext reload =
        new JobContext(
            config("retail-transactions.conf", "retail", "ingest.on-changed-file=reload"),
            spark(),
            ctx.store());
    IngestResult r = IngestJob.run(reload, Optional.empty());
    assertThat(r.sources())
        .containsExactly(new SourceResult("retail", "transactions", 1, 13, 7, 6, 0, 0));
    assertThat(table(reload, ChurnTable.TRANSACTIONS).where("order_id = '700001'").count())
        .as("reloaded lines replace the old ones")
        .isEqualTo(2);
    assertThat(table(reload, ChurnTable.QUARANTINE).count()).isEqualTo(6);
  }

  @Test
  void customerSnapshotsCarryAttributesAndTheGivenChurnFlag() throws IOException {
    JobContext ctx = context("telco-customers.conf", "crm");
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    assertThat(r.sources()).containsExactly(new SourceResult("crm", "customers", 1, 8, 4, 4, 0, 0));
    assertThat(
            text(
                table(ctx, ChurnTable.CUSTOMERS)
                    .selectExpr(
                        "customer_id",
                        "CAST(snapshot_date AS STRING)",
                        "churned",
                        "gender",
                        "senior_citizen",
                        "tenure_months",
                        "contract",
                        "monthly_charges",
                        "total_charges")))
        .containsExactly(
            "[0001-AAAA,2026-03-31,false,Female,0,1,Month-to-month,29.85,29.85]",
            "[0002-BBBB,2026-03-31,false,Male,0,34,One year,56.95,1889.5]",
            "[0003-CCCC,2026-03-31,true,Male,0,2,Month-to-month,53.85,108.15]",
            "[0004-DDDD,2026-03-31,false,Female,1,0,Two year,70.7,null]");
    assertThat(text(table(ctx, ChurnTable.QUARANTINE).selectExpr("reason", "customer_id")))
        .containsExactly(
            "[bad_value:churned,0006-FFFF]",
            "[bad_value:monthly_charges,0005-EEEE]",
            "[duplicate_record,0002-BBBB]",
            "[missing_customer_id,null]");
  }

  /**
   * Invariant: a dry run writes nothing (no file under the warehouse, no table, no ledger row) and
   * says what the real ingest then does: the same counts per file and reasons, the mapping and the
   * first rows as loaded.
   */
  @Test
  void aDryRunWritesNothingAndDescribesWhatIngestThenDoes() throws IOException {
    JobContext ctx = context("retail-transactions.conf", "retail");
    IngestPreview preview = new IngestPreview(2);
    IngestResult dry = IngestJob.preview(ctx, Optional.empty(), List.of(), preview);
    assertThat(Files.exists(dir.resolve("warehouse"))).as("no warehouse file").isFalse();
    assertThat(preview.lines())
        .containsExactly(
            "source retail: csv files under "
                + dir.resolve("data")
                + " into transactions, 1 pending",
            "  columns: customer_id = CustomerID, event_time = InvoiceDate, order_id = InvoiceNo,"
                + " product_id = StockCode, quantity = Quantity, unit_price = UnitPrice"
                + " (time-format M/d/yyyy H:mm)",
            "  attributes: country = Country (string), description = Description (string)",
            "  invoices-2026-03.csv: 12 records read = 6 would load + 6 quarantined"
                + " (1 bad_value:quantity, 1 duplicate_record, 1 malformed_csv,"
                + " 1 missing_customer_id, 1 out_of_range:quantity, 1 unparseable_event_time)"
                + " + 0 dropped",
            "  first rows as transactions would hold them: [order_id, customer_id, event_time,"
                + " event_date, product_id, quantity, unit_price, amount, line_type, country,"
                + " description, source, source_file]",
            "    [700001,17850,2026-03-01 08:26:00.0,2026-03-01,85123A,6.0,2.55,15.3,purchase,United"
                + " Kingdom,WHITE HANGING HEART T-LIGHT HOLDER,retail,invoices-2026-03.csv]",
            "    [700001,17850,2026-03-01 08:26:00.0,2026-03-01,71053,6.0,3.39,20.34,purchase,United"
                + " Kingdom,WHITE METAL LANTERN,retail,invoices-2026-03.csv]",
            "  would record: retail: 1 files, 12 records read = 6 loaded into transactions"
                + " + 6 quarantined + 0 dropped");
    IngestResult real = IngestJob.run(ctx, Optional.empty());
    assertThat(real).isEqualTo(dry);
  }

  @Test
  void appLogTextLinesAreMappedFilteredAndHashed() throws IOException {
    JobContext ctx = context("app-events.conf", "app");
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    // 9 lines: 5 loaded, 2 quarantined (short line, time before 1970), blank + heartbeat dropped.
    assertThat(r.sources()).containsExactly(new SourceResult("app", "events", 1, 9, 5, 2, 1, 1));
    Dataset<Row> events = table(ctx, ChurnTable.EVENTS);
    assertThat(events.columns())
        .containsExactly(
            "customer_id",
            "event_time",
            "event_date",
            "event_type",
            "session_id",
            "amount",
            "platform",
            "email_hash",
            "source",
            "source_file",
            "ingest_run_id");
    assertThat(
            text(
                events.selectExpr(
                    "customer_id",
                    "CAST(event_time AS STRING)",
                    "event_type",
                    "session_id",
                    "platform",
                    "email_hash = sha2(concat('test-key-0123456789abcdef', '\u0001', 'ada@example.com'), 256)")))
        .containsExactly(
            "[c-001,2026-03-01 08:00:05,login,s-1,ios,true]",
            "[c-001,2026-03-01 08:01:10,settings,s-1,ios,true]",
            "[c-001,2026-03-01 08:03:00,complaint,s-1,ios,true]",
            "[c-002,2026-03-01 09:00:00,login,s-7,android,false]",
            "[c-002,2026-03-01 09:05:00,cancellation_confirmation,s-7,android,false]");
    assertThat(text(events.selectExpr("to_json(struct(*))")))
        .noneMatch(row -> row.contains("@example."));
    assertThat(text(table(ctx, ChurnTable.QUARANTINE).selectExpr("reason", "source_offset")))
        .containsExactly("[event_time_before_1970,352]", "[malformed_text,315]");
    assertThat(
            text(
                table(ctx, ChurnTable.INGESTED_FILES)
                    .selectExpr("rows_dropped", "rows_blank", "rows_filtered")))
        .containsExactly("[2,1,1]");
    assertThat(r.sources().get(0).reconciliation())
        .isEqualTo(
            "app: 1 files, 9 records read = 5 loaded into events + 2 quarantined + 2 dropped"
                + " (1 blank_line, 1 filtered)");
  }

  @Test
  void hashingWithoutAKeyIsAUsageErrorNamingTheVariable() throws IOException {
    JobContext ctx = context("app-events.conf", "app", "ingest.hash-key-env=CHURNLAKE_UNSET_KEY");
    assertThatThrownBy(() -> IngestJob.run(ctx, Optional.empty()))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "source 'app' hashes personal data or customer ids but environment variable"
                + " CHURNLAKE_UNSET_KEY (churnlake.ingest.hash-key-env) is unset or empty; set it"
                + " to a secret of 16+ characters");
  }

  @Test
  void aCsvHeaderWithoutAMappedColumnFailsNamingFileAndColumn() throws IOException {
    JobContext ctx = context("retail-transactions.conf", "retail");
    Files.writeString(
        dir.resolve("data/invoices-2026-04.csv"),
        "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,Customer,Country\n");
    assertThatThrownBy(() -> IngestJob.run(ctx, Optional.empty()))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "source 'retail', file 'invoices-2026-04.csv': its header lacks the mapped column"
                + " 'CustomerID' (header: [InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice,"
                + " Customer, Country])");
    assertThat(ctx.store().exists(ChurnTable.TRANSACTIONS)).isFalse();
  }

  @Test
  void aFileInTheWrongFormatFailsInsteadOfQuarantiningEveryLine() throws IOException {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    Files.copy(
        EXAMPLES.resolve("data/retail/invoices-2026-03.csv"),
        raw.resolve("events-2026-03-01.json"));
    JobContext ctx = jsonContext(raw);
    assertThatThrownBy(() -> IngestJob.run(ctx, Optional.empty()))
        .isInstanceOf(ChurnException.class)
        .hasMessageStartingWith(
            "source 'events', file 'events-2026-03-01.json': no record parses as json; check the"
                + " source's format, delimiter and encoding in churnlake.sources.events")
        .satisfies(e -> assertThat(ctx.store().exists(ChurnTable.EVENTS)).isFalse());
  }

  @Test
  void aJsonFileGivenToACsvSourceFailsWithoutQuotingItsFirstRecord() throws IOException {
    // Invariant: no record content in an error message (it is printed and kept in pipeline_runs).
    JobContext ctx = context("retail-transactions.conf", "retail");
    Path raw = Files.createDirectories(dir.resolve("json-as-csv"));
    Files.write(
        raw.resolve("invoices-2026-05.csv"),
        List.of(sparkifyLine("1", 1772323200000L, "Home", ",\"lastName\":\"Meyer\"")));
    JobContext json =
        new JobContext(
            ChurnConfigLoader.load(
                List.of(EXAMPLES.resolve("retail-transactions.conf").toFile()),
                List.of(
                    "warehouse=\"" + dir.resolve("warehouse") + "\"",
                    "sources.retail.path=\"" + raw + "\"")),
            spark(),
            ctx.store());
    assertThatThrownBy(() -> IngestJob.run(json, Optional.empty()))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "source 'retail', file 'invoices-2026-05.csv': its header lacks the mapped column"
                + " 'InvoiceDate' (its first line, 9 fields, does not look like a header: is the"
                + " file CSV with the delimiter ','?)");
  }

  @Test
  void epochSecondsReadAsMillisecondsFailNamingTheUnitKeyAndLoadNothing() throws IOException {
    // Invariant: a file whose times are all implausible in the configured epoch unit (seconds
    // read as milliseconds: January 1970) is refused with the key to change, never loaded.
    Path raw = Files.createDirectories(dir.resolve("raw"));
    long seconds = 1772323200L; // 2026-03-01 in seconds
    Files.write(
        raw.resolve("events-2026-03-01.json"),
        List.of(
            sparkifyLine("1", seconds, "Home", ""),
            "",
            sparkifyLine("2", seconds + 60, "NextSong", "")));
    JobContext ctx = jsonContext(raw);
    assertThatThrownBy(() -> IngestJob.run(ctx, Optional.empty()))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "source 'events', file 'events-2026-03-01.json': every record's time is implausible"
                + " as epoch-millis (before 2000-01-01 or in the future); if the file holds"
                + " epoch-seconds, set churnlake.sources.events.time-format = epoch-seconds (or an"
                + " earlier churnlake.sources.events.earliest-date if such times are real)")
        .satisfies(e -> assertThat(ctx.store().exists(ChurnTable.EVENTS)).isFalse());
    // One plausible record among them: the file loads it and quarantines the others.
    Files.write(
        raw.resolve("events-2026-03-01.json"),
        List.of(
            sparkifyLine("1", seconds, "Home", ""),
            sparkifyLine("2", seconds * 1000, "NextSong", "")));
    IngestJob.run(ctx, Optional.empty());
    assertThat(text(table(ctx, ChurnTable.QUARANTINE).selectExpr("reason")))
        .containsExactly("[event_time_before_earliest_date]");
    assertThat(text(table(ctx, ChurnTable.EVENTS).selectExpr("customer_id")))
        .containsExactly("[2]");
  }

  private JobContext jsonContext(Path raw, String... overrides) {
    List<String> sets = new ArrayList<>();
    sets.add("warehouse=\"" + dir.resolve("warehouse") + "\"");
    sets.add("generate.output=\"" + raw + "\"");
    sets.addAll(Arrays.asList(overrides));
    ChurnConfig config = ChurnConfigLoader.load(List.<File>of(), sets);
    return new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
  }

  static String sparkifyLine(String userId, long ts, String page, String extra) {
    return "{\"ts\":"
        + ts
        + ",\"userId\":\""
        + userId
        + "\",\"sessionId\":7,\"itemInSession\":2,\"page\":\""
        + page
        + "\",\"level\":\"paid\",\"registration\":1767225600000,\"firstName\":\"Ada\""
        + extra
        + "}";
  }

  @Test
  void badJsonLinesAreQuarantinedWithReasonsAndNewFieldsAreReported() throws IOException {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    long t = 1772359200000L; // 2026-03-01T10:00:00Z
    byte[] invalidUtf8 = {(byte) 0xC3, (byte) 0x28};
    List<byte[]> lines =
        List.of(
            sparkifyLine("42", t, "NextSong", ",\"song\":\"Yellow\",\"mood\":\"happy\"")
                .getBytes(StandardCharsets.UTF_8),
            sparkifyLine("42", t, "NextSong", ",\"song\":\"Yellow\",\"mood\":\"happy\"")
                .getBytes(StandardCharsets.UTF_8),
            sparkifyLine("x".repeat(10_000), t, "Home", "").getBytes(StandardCharsets.UTF_8),
            sparkifyLine("43", -5L, "Home", "").getBytes(StandardCharsets.UTF_8),
            sparkifyLine("43", t + 5L * 86_400_000L, "Home", "").getBytes(StandardCharsets.UTF_8),
            sparkifyLine("43", t, " ", "").getBytes(StandardCharsets.UTF_8),
            concat(
                sparkifyLine("44", t, "Home", ",\"song\":\"").getBytes(StandardCharsets.UTF_8),
                invalidUtf8,
                "\"}".getBytes(StandardCharsets.UTF_8)),
            "{\"ts\":1772359200000,\"userId\":\"45\",\"page\":\"Ho"
                .getBytes(StandardCharsets.UTF_8));
    Path file = raw.resolve("events-2026-03-01.json");
    try (var out = Files.newOutputStream(file)) {
      for (int i = 0; i < lines.size(); i++) {
        out.write(lines.get(i));
        if (i < lines.size() - 1) {
          out.write('\n'); // the last line is truncated: no newline
        }
      }
    }
    JobContext ctx = jsonContext(raw);
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    assertThat(r.sources()).containsExactly(new SourceResult("events", "events", 1, 8, 1, 7, 0, 0));
    assertThat(text(table(ctx, ChurnTable.QUARANTINE).selectExpr("reason")))
        .containsExactly(
            "[customer_id_too_long]",
            "[duplicate_record]",
            "[event_time_after_file_date]",
            "[event_time_before_1970]",
            "[invalid_encoding]",
            "[malformed_json]",
            "[missing_event_type]");
    assertThat(text(table(ctx, ChurnTable.INGESTED_FILES).selectExpr("unmapped_fields")))
        .containsExactly("[mood]");

    // Mapping the new field adds a column to events for the next files (schemas only grow).
    Files.writeString(
        raw.resolve("events-2026-03-02.json"),
        sparkifyLine("42", t + 86_400_000L, "NextSong", ",\"mood\":\"sad\"") + "\n");
    JobContext mapped = jsonContext(raw, "sources.events.attributes.mood=mood");
    IngestJob.run(mapped, Optional.empty());
    assertThat(
            text(
                table(mapped, ChurnTable.EVENTS)
                    .selectExpr("customer_id", "CAST(event_date AS STRING)", "mood")))
        .containsExactly("[42,2026-03-01,null]", "[42,2026-03-02,sad]");
  }

  private static byte[] concat(byte[]... parts) {
    int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void theSameFileTwiceUnderAnotherNameLoadsItsEventsOnceAndAnEmptyFileIsRecorded()
      throws IOException {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    long t = 1772359200000L;
    String content =
        sparkifyLine("42", t, "NextSong", "")
            + "\n"
            + sparkifyLine("42", t + 1000, "Logout", "")
            + "\n";
    Files.writeString(raw.resolve("events-2026-03-01.json"), content);
    Files.writeString(raw.resolve("events-2026-03-02.json"), "");
    JobContext ctx = jsonContext(raw);
    IngestJob.run(ctx, Optional.empty());
    Files.writeString(raw.resolve("events-2026-03-03.json"), content);
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    assertThat(r.sources()).containsExactly(new SourceResult("events", "events", 1, 2, 0, 2, 0, 0));
    assertThat(text(table(ctx, ChurnTable.EVENTS).selectExpr("event_type", "source_file")))
        .containsExactly("[logout,events-2026-03-01.json]", "[next_song,events-2026-03-01.json]");
    assertThat(
            text(
                table(ctx, ChurnTable.INGESTED_FILES)
                    .selectExpr("file_name", "rows_read", "rows_loaded", "rows_quarantined")))
        .containsExactly(
            "[events-2026-03-01.json,2,2,0]",
            "[events-2026-03-02.json,0,0,0]",
            "[events-2026-03-03.json,2,0,2]");
  }

  /**
   * Invariant: a valid JSON record within the source's limits loads whatever Jackson's own guards
   * say (a 21 MiB string, 5,000 levels of nesting); beyond a configured limit it is quarantined
   * with the limit's reason, and a malformed record keeps {@code malformed_json}.
   */
  @Test
  void largeAndDeepJsonRecordsLoadWithinTheSourcesLimitsAndAreNamedBeyondThem() throws IOException {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    long t = 1772359200000L;
    String big = ",\"notes\":\"" + "x".repeat(21 << 20) + "\"";
    String deep = ",\"tree\":" + "[".repeat(5000) + "]".repeat(5000);
    String lines =
        sparkifyLine("big", t, "Home", big)
            + "\n"
            + sparkifyLine("deep", t + 1000, "Home", deep)
            + "\n"
            + sparkifyLine("plain", t + 2000, "Home", "")
            + "\n"
            + "{\"ts\":"
            + t
            + ",\"userId\":\"broken\"\n";
    Files.writeString(raw.resolve("events-2026-03-01.json"), lines);
    JobContext ctx = jsonContext(raw);
    IngestJob.run(ctx, Optional.empty());
    assertThat(text(table(ctx, ChurnTable.EVENTS).selectExpr("customer_id")))
        .containsExactly("[big]", "[deep]", "[plain]");
    assertThat(text(table(ctx, ChurnTable.QUARANTINE).selectExpr("reason")))
        .containsExactly("[malformed_json]");

    JobContext limited =
        jsonContext(
            raw,
            "warehouse=\"" + dir.resolve("limited") + "\"",
            "sources.events.max-record-bytes = 1 MiB",
            "sources.events.max-depth = 100");
    IngestJob.run(limited, Optional.empty());
    assertThat(text(table(limited, ChurnTable.EVENTS).selectExpr("customer_id")))
        .containsExactly("[plain]");
    assertThat(
            text(
                table(limited, ChurnTable.QUARANTINE)
                    .selectExpr("reason", "source_offset", "length(record)")))
        .containsExactly(
            "[malformed_json," + (lines.length() - 38) + ",37]",
            "[record_too_deep,"
                + (lines.indexOf("\n") + 1)
                + ","
                + (lines.indexOf("\n", lines.indexOf("\n") + 1) - lines.indexOf("\n") - 1)
                + "]",
            "[record_too_large,0," + lines.indexOf("\n") + "]");
  }

  /**
   * Invariant (RFC 4180): a quoted field may hold line breaks and doubled quotes; such a record is
   * one record read and loaded with its text intact, at its first line's offset, and a quote inside
   * an unquoted field is an ordinary character. A quote never closed quarantines its own line only.
   */
  @Test
  void csvRecordsWithQuotedLineBreaksAreOneRecordEach() throws IOException {
    JobContext ctx = context("retail-transactions.conf", "retail");
    String header =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
    String multi = "700010,22001,\"GIFT BOX\nRED, \"\"LARGE\"\"\",2,3/2/2026 9:00,1.5,17850,UK\n";
    String inches = "700011,22002,12\" VINYL,1,3/2/2026 9:05,4.0,17850,UK\n";
    String open = "700012,22003,\"NEVER CLOSED,1,3/2/2026 9:10,1.0,13047,UK\n";
    String last = "700013,22004,MUG,3,3/2/2026 9:20,2.0,13047,UK\n";
    Files.writeString(
        dir.resolve("data/invoices-2026-03.csv"), header + multi + inches + open + last);
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    assertThat(r.sources())
        .containsExactly(new SourceResult("retail", "transactions", 1, 4, 3, 1, 0, 0));
    assertThat(
            text(
                table(ctx, ChurnTable.TRANSACTIONS)
                    .selectExpr("order_id", "product_id", "description", "quantity")))
        .containsExactly(
            "[700010,22001,GIFT BOX\nRED, \"LARGE\",2.0]",
            "[700011,22002,12\" VINYL,1.0]",
            "[700013,22004,MUG,3.0]");
    assertThat(
            text(table(ctx, ChurnTable.QUARANTINE).selectExpr("source_offset", "reason", "record")))
        .containsExactly(
            "["
                + (header.length() + multi.length() + inches.length())
                + ",malformed_csv,"
                + open.strip()
                + "]");
  }

  /**
   * Invariant: a compressed file that does not decompress to its end (a truncated {@code .gz}) is
   * quarantined as one {@code corrupt_file} row naming it, none of its records loads, the source's
   * other files load, and it has no ledger row: each run reads it again without duplicating its
   * quarantine row, and once delivered intact it loads and the row goes.
   */
  @Test
  void aTruncatedGzipFileIsQuarantinedAsAFileAndTheOtherFilesLoad() throws IOException {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    long t = 1772359200000L; // 2026-03-01 10:00 UTC
    StringBuilder day2 = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      day2.append(sparkifyLine("u" + i, t + 86_400_000L + i * 1000L, "NextSong", "")).append('\n');
    }
    byte[] whole = gzip(day2.toString());
    Files.writeString(
        raw.resolve("events-2026-03-01.json"), sparkifyLine("42", t, "Home", "") + "\n");
    Files.write(raw.resolve("events-2026-03-02.json.gz"), Arrays.copyOf(whole, whole.length / 2));
    Files.write(
        raw.resolve("events-2026-03-03.json.gz"),
        gzip(sparkifyLine("43", t + 2 * 86_400_000L, "Logout", "") + "\n"));
    JobContext ctx = jsonContext(raw, "sources.events.file-pattern=\"events-*.json*\"");
    for (int run = 1; run <= 2; run++) {
      IngestResult r = IngestJob.run(ctx, Optional.empty());
      SourceResult s = r.sources().get(0);
      assertThat(List.of((long) s.files(), s.rowsRead(), s.rowsLoaded(), s.rowsQuarantined()))
          .containsExactly(run == 1 ? 2L : 0L, run == 1 ? 2L : 0L, run == 1 ? 2L : 0L, 0L)
          .as("run %d", run);
      assertThat(s.corruptFiles()).hasSize(1);
      assertThat(s.corruptFiles().get(0))
          .startsWith("events-2026-03-02.json.gz does not decompress after ")
          .contains("quarantined as corrupt_file and read again next run")
          .doesNotContain("u1");
      assertThat(s.reconciliation().lines().toList().get(1))
          .startsWith("events: file events-2026-03-02.json.gz does not decompress after ");
      assertThat(text(table(ctx, ChurnTable.EVENTS).selectExpr("customer_id", "source_file")))
          .containsExactly("[42,events-2026-03-01.json]", "[43,events-2026-03-03.json.gz]");
      List<Row> quarantine =
          table(ctx, ChurnTable.QUARANTINE)
              .selectExpr(
                  "source", "source_file", "source_offset", "reason", "record", "customer_id")
              .collectAsList();
      assertThat(quarantine).hasSize(1);
      Row q = quarantine.get(0);
      assertThat(List.of(q.get(0), q.get(1), q.get(3)))
          .containsExactly("events", "events-2026-03-02.json.gz", "corrupt_file");
      assertThat(q.getLong(2)).isBetween(1L, (long) day2.length() - 1);
      assertThat(q.getString(4)).startsWith("file does not decompress after ").doesNotContain("u1");
      assertThat(q.isNullAt(5)).isTrue();
      assertThat(
              text(
                  table(ctx, ChurnTable.INGESTED_FILES)
                      .selectExpr("file_name", "rows_read", "rows_loaded", "rows_quarantined")))
          .containsExactly("[events-2026-03-01.json,1,1,0]", "[events-2026-03-03.json.gz,1,1,0]");
    }
    Files.write(raw.resolve("events-2026-03-02.json.gz"), whole);
    IngestResult fixed = IngestJob.run(ctx, Optional.empty());
    assertThat(fixed.sources())
        .containsExactly(new SourceResult("events", "events", 1, 2000, 2000, 0, 0, 0));
    assertThat(table(ctx, ChurnTable.QUARANTINE).count()).isZero();
    assertThat(
            table(ctx, ChurnTable.EVENTS)
                .where("source_file = 'events-2026-03-02.json.gz'")
                .selectExpr("count(DISTINCT customer_id)")
                .head()
                .getLong(0))
        .isEqualTo(2000);
  }

  /** Every file of a batch corrupt: only their quarantine rows are written, nothing fails. */
  @Test
  void aBatchOfOnlyCorruptFilesWritesTheirQuarantineRows() throws IOException {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    Files.write(
        raw.resolve("events-2026-03-01.json.gz"),
        "not gzip at all".getBytes(StandardCharsets.UTF_8));
    JobContext ctx = jsonContext(raw, "sources.events.file-pattern=\"events-*.json*\"");
    // A dry run names the corrupt file and writes nothing.
    IngestPreview preview = new IngestPreview(5);
    IngestJob.preview(ctx, Optional.empty(), List.of(), preview);
    assertThat(preview.lines())
        .contains(
            "  events-2026-03-01.json.gz does not decompress after 0 bytes (gzip IOException: not a"
                + " gzip file); quarantined as corrupt_file and read again next run",
            "  would record: events: 0 files, 0 records read = 0 loaded into events + 0"
                + " quarantined + 0 dropped");
    assertThat(Files.exists(dir.resolve("warehouse"))).isFalse();
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    assertThat(r.sources().get(0).files()).isZero();
    assertThat(r.sources().get(0).corruptFiles())
        .containsExactly(
            "events-2026-03-01.json.gz does not decompress after 0 bytes (gzip IOException: not a gzip file); quarantined as corrupt_file and read again next run");
    assertThat(
            text(
                table(ctx, ChurnTable.QUARANTINE)
                    .selectExpr("source_file", "source_offset", "reason", "record")))
        .containsExactly(
            "[events-2026-03-01.json.gz,0,corrupt_file,file does not decompress after 0 bytes: gzip IOException: not a gzip file]");
    assertThat(ctx.store().exists(ChurnTable.INGESTED_FILES)).isFalse();
  }

  private static byte[] gzip(String text) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  /**
   * Invariant: a duplicate keeps its text in quarantine even when ingest dropped that text before
   * the de-duplication shuffle (lines beyond each file's first 64 KB travel without it), within a
   * batch and against a row loaded by an earlier run on another day (whose date the batch reaches
   * with a late record, so the table is read for it).
   */
  @Test
  void duplicatesBeyondTheKeySampleAreQuarantinedWithTheirText() throws IOException {
    Path raw = dir.resolve("raw");
    Files.createDirectories(raw);
    long t = 1772359200000L; // 2026-03-01 10:00 UTC
    List<String> first = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      first.add(sparkifyLine("u" + i, t + i * 1000L, "NextSong", ""));
    }
    first.add(first.get(0)); // a repeat beyond the first 64 KB of the file
    String firstText = String.join("\n", first) + "\n";
    Files.writeString(raw.resolve("events-2026-03-01.json"), firstText);
    JobContext ctx = jsonContext(raw);
    IngestJob.run(ctx, Optional.empty());
    List<String> second = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      second.add(sparkifyLine("v" + i, t + 86_400_000L + i * 1000L, "NextSong", ""));
    }
    second.add(first.get(5)); // yesterday's record again, late in tonight's file
    String secondText = String.join("\n", second) + "\n";
    Files.writeString(raw.resolve("events-2026-03-02.json"), secondText);
    IngestResult r = IngestJob.run(ctx, Optional.empty());
    assertThat(r.sources())
        .containsExactly(new SourceResult("events", "events", 1, 601, 600, 1, 0, 0));
    long repeatAt = firstText.length() - first.get(0).length() - 1;
    long lateAt = secondText.length() - first.get(5).length() - 1;
    assertThat(List.of(repeatAt, lateAt)).allMatch(offset -> offset > 65_536);
    assertThat(
            table(ctx, ChurnTable.QUARANTINE)
                .orderBy("source_file")
                .selectExpr("source_file", "source_offset", "reason", "record")
                .collectAsList()
                .stream()
                .map(Row::toString)
                .toList())
        .containsExactly(
            "[events-2026-03-01.json," + repeatAt + ",duplicate_record," + first.get(0) + "]",
            "[events-2026-03-02.json," + lateAt + ",duplicate_record," + first.get(5) + "]");
    assertThat(table(ctx, ChurnTable.EVENTS).count()).isEqualTo(1200);
  }

  @Test
  void parquetAndDeltaSourcesLoadTypedColumnsAndADeltaSourceReloadsOnANewVersion()
      throws IOException {
    Path pq = dir.resolve("pq");
    Path delta = dir.resolve("delta");
    Dataset<Row> app =
        spark()
            .sql(
                "SELECT * FROM VALUES ('u1', TIMESTAMP'2026-03-01 10:00:00', 'Login', 'a@x.org'),"
                    + " ('u2', TIMESTAMP'2026-03-02 11:30:00', 'Thumbs Down', 'b@x.org')"
                    + " AS t(cust, at, action, email)");
    app.write().parquet(pq.toString());
    app.write().format("delta").save(delta.toString());
    List<String> sets = new ArrayList<>();
    sets.add("warehouse=\"" + dir.resolve("warehouse") + "\"");
    for (String name : List.of("pq", "dl")) {
      String p = "sources." + name + ".";
      sets.add(p + "kind=events");
      sets.add(p + "format=" + (name.equals("pq") ? "parquet" : "delta"));
      sets.add(p + "path=\"" + (name.equals("pq") ? pq : delta) + "\"");
      sets.add(p + "file-pattern=\"*.parquet\"");
      sets.add(p + "columns.customer_id=cust");
      sets.add(p + "columns.event_time=at");
      sets.add(p + "columns.event_type=action");
      sets.add(p + "personal=[email]");
    }
    ChurnConfig config = ChurnConfigLoader.load(List.of(), sets);
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    IngestJob.run(ctx, Optional.empty(), List.of("pq", "dl"));
    assertThat(
            text(
                table(ctx, ChurnTable.EVENTS)
                    .selectExpr(
                        "source", "customer_id", "CAST(event_time AS STRING)", "event_type")))
        .containsExactly(
            "[dl,u1,2026-03-01 10:00:00,login]",
            "[dl,u2,2026-03-02 11:30:00,thumbs_down]",
            "[pq,u1,2026-03-01 10:00:00,login]",
            "[pq,u2,2026-03-02 11:30:00,thumbs_down]");
    assertThat(table(ctx, ChurnTable.EVENTS).columns()).doesNotContain("email");

    // A new version of the Delta source replaces that source's rows; the parquet files are done.
    spark()
        .sql(
            "SELECT 'u3' AS cust, TIMESTAMP'2026-03-03 09:00:00' AS at, 'Help' AS action,"
                + " 'c@x.org' AS email")
        .write()
        .format("delta")
        .mode("append")
        .save(delta.toString());
    IngestResult again = IngestJob.run(ctx, Optional.empty(), List.of("pq", "dl"));
    assertThat(again.sources())
        .containsExactly(
            new SourceResult("pq", "events", 0, 0, 0, 0, 0, 0),
            new SourceResult("dl", "events", 1, 3, 3, 0, 0, 0));
    assertThat(text(table(ctx, ChurnTable.EVENTS).where("source = 'dl'").selectExpr("customer_id")))
        .containsExactly("[u1]", "[u2]", "[u3]");
  }

  @Test
  void quarantineRowsOlderThanTheRetentionArePurgedByTheNextIngest() throws IOException {
    JobContext ctx = context("retail-transactions.conf", "retail");
    IngestJob.run(ctx, Optional.empty());
    // The purge asks the files' statistics first: nothing old, no DELETE; an old row, a DELETE.
    java.util.function.BooleanSupplier mayHoldOld =
        () ->
            io.churnlake.common.table.KernelTables.mayHoldRows(
                ctx.store().location(ChurnTable.QUARANTINE),
                spark().sessionState().newHadoopConf(),
                new io.delta.kernel.expressions.Predicate(
                    "<",
                    new io.delta.kernel.expressions.Column("quarantined_at"),
                    io.delta.kernel.expressions.Literal.ofTimestamp(
                        (System.currentTimeMillis() - 30 * 86_400_000L) * 1000L)));
    assertThat(mayHoldOld.getAsBoolean()).isFalse();
    io.delta.tables.DeltaTable.forPath(spark(), ctx.store().location(ChurnTable.QUARANTINE))
        .updateExpr(
            "reason = 'duplicate_record'",
            java.util.Map.of("quarantined_at", "current_timestamp() - INTERVAL 31 DAYS"));
    assertThat(mayHoldOld.getAsBoolean()).isTrue();
    IngestJob.run(ctx, Optional.empty());
    assertThat(mayHoldOld.getAsBoolean()).isFalse();
    assertThat(text(table(ctx, ChurnTable.QUARANTINE).selectExpr("reason")))
        .containsExactly(
            "[bad_value:quantity]",
            "[malformed_csv]",
            "[missing_customer_id]",
            "[out_of_range:quantity]",
            "[unparseable_event_time]");
  }
}
