package io.churnlake.jobs.features;

import static io.churnlake.jobs.testing.EventRows.billing;
import static io.churnlake.jobs.testing.EventRows.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.TableCatalog;
import io.churnlake.jobs.testing.EventRows;
import io.churnlake.jobs.testing.TransactionRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: a daily table brought up to date incrementally holds exactly what aggregating its
 * whole source again gives, after new days, late rows for old days and deleted customers alike;
 * only the changed days are aggregated again; and features built from it equal features built from
 * the events directly. A changed definition, a source created again or an explicit request rebuilds
 * it.
 */
class DailyTablesTest extends SparkTestBase {
  @TempDir Path dir;

  private JobContext context(String... overrides) {
    List<String> all = new ArrayList<>(List.of("warehouse=\"" + dir.resolve("warehouse") + "\""));
    all.addAll(List.of(overrides));
    ChurnConfig config = ChurnConfigLoader.load(List.of(), all);
    return new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
  }

  private static List<LocalDate> days(String... days) {
    return Stream.of(days).map(LocalDate::parse).toList();
  }

  /** What the table must hold: the whole source aggregated again. */
  private Dataset<Row> recomputed(JobContext ctx, DailyTables.Kind kind) {
    ChurnTable source =
        kind == DailyTables.Kind.ACTIVITY ? ChurnTable.EVENTS : ChurnTable.TRANSACTIONS;
    Dataset<Row> rows = ctx.store().read(source);
    return DailyTables.aggregate(
        ctx,
        kind,
        rows,
        kind == DailyTables.Kind.ACTIVITY ? Optional.of(LevelCodes.in(rows)) : Optional.empty());
  }

  @Test
  void incrementalActivityEqualsAFullRecomputationAfterNewDaysLateRowsAndDeletions() {
    JobContext ctx = context();
    ctx.store()
        .append(
            ChurnTable.EVENTS,
            rows(
                EventRows.SCHEMA,
                event("1", "2026-03-01 10:00:00", "next_song", 1L, "free"),
                event("1", "2026-03-01 10:30:00", "thumbs_up", 1L, "free"),
                event("1", "2026-03-02 09:00:00", "next_song", 2L, "free"),
                event("2", "2026-03-01 11:00:00", "next_song", 3L, "paid"),
                billing("2", "2026-03-01 00:00:00", 9.5),
                event("2", "2026-03-03 08:00:00", "help", 4L, "paid"),
                event("3", "2026-03-02 12:00:00", "next_song", 5L, "premium"),
                event("3", "2026-03-04 12:00:00", "roll_advert", 6L, "premium")));

    DailyTables.Refresh first = DailyTables.refresh(ctx, DailyTables.Kind.ACTIVITY, false);
    assertThat(first.line()).isEqualTo("daily_activity: rebuilt (new table)");
    // Invariant: the levels recorded with a build cover every level of its rows, so that reading
    // the table needs no pass to find them.
    assertThat(first.levels().orElseThrow().levels()).containsExactly("free", "paid", "premium");
    Dataset<Row> table = ctx.store().read(ChurnTable.DAILY_ACTIVITY);
    // The table as written is the documented one (docs/tables.md).
    assertThat(TableCatalog.of(ChurnTable.DAILY_ACTIVITY).differences(table.schema())).isEmpty();
    assertSameRows(recomputed(ctx, DailyTables.Kind.ACTIVITY), table);
    // One full row: the level is stored by name.
    assertThat(
            table
                .where("customer_id = '1' AND event_date = DATE'2026-03-01'")
                .select(
                    "events",
                    "sessions",
                    "session_seconds",
                    "n_thumbs_up",
                    "n_next_song",
                    "billed_amount",
                    "last_level")
                .head()
                .toString())
        .isEqualTo("[2,1,1800,1,1,0.0,free]");

    // Nothing changed: no commit.
    long version = ctx.store().version(ChurnTable.DAILY_ACTIVITY);
    assertThat(DailyTables.refresh(ctx, DailyTables.Kind.ACTIVITY, false).line())
        .isEqualTo("daily_activity: up to date");
    assertThat(ctx.store().version(ChurnTable.DAILY_ACTIVITY)).isEqualTo(version);

    // A late file: an upgrade on an old day, and a new day.
    ctx.store()
        .append(
            ChurnTable.EVENTS,
            rows(
                EventRows.SCHEMA,
                event("1", "2026-03-02 09:10:00", "submit_upgrade", 2L, "free"),
                event("2", "2026-03-05 07:00:00", "next_song", 7L, "paid")));
    DailyTables.Refresh late = DailyTables.refresh(ctx, DailyTables.Kind.ACTIVITY, false);
    assertThat(late.rebuilt()).isFalse();
    assertThat(late.days()).isEqualTo(days("2026-03-02", "2026-03-05"));
    assertSameRows(
        recomputed(ctx, DailyTables.Kind.ACTIVITY), ctx.store().read(ChurnTable.DAILY_ACTIVITY));
    assertThat(
            ctx.store()
                .read(ChurnTable.DAILY_ACTIVITY)
                .where("customer_id = '1' AND event_date = DATE'2026-03-02'")
                .select("last_level")
                .head()
                .getString(0))
        .isEqualTo("paid");

    // A deleted customer (what forget does to events): its days are aggregated again.
    ctx.store().delete(ChurnTable.EVENTS, "customer_id = '3'");
    DailyTables.Refresh deleted = DailyTables.refresh(ctx, DailyTables.Kind.ACTIVITY, false);
    assertThat(deleted.days()).containsExactlyElementsOf(days("2026-03-02", "2026-03-04"));
    // The recorded levels only grow: a deletion leaves a level no row holds any more, harmless.
    assertThat(deleted.levels().orElseThrow().levels()).containsExactly("free", "paid", "premium");
    assertThat(
            DailyTables.Built.parse(
                    ctx.store()
                        .latestTag(ChurnTable.DAILY_ACTIVITY, DailyTables.TAG + " ")
                        .orElseThrow())
                .orElseThrow()
                .levels())
        .contains(List.of("free", "paid", "premium"));
    assertSameRows(
        recomputed(ctx, DailyTables.Kind.ACTIVITY), ctx.store().read(ChurnTable.DAILY_ACTIVITY));
    assertThat(ctx.store().read(ChurnTable.DAILY_ACTIVITY).where("customer_id = '3'").isEmpty())
        .isTrue();

    // Features from the table equal features from the events aggregated directly.
    List<LocalDate> asOf = days("2026-03-03", "2026-03-05");
    Dataset<Row> fromEvents =
        FeaturesJob.build(
            ctx, Optional.of(FeaturesJob.daily(ctx, ctx.store().read(ChurnTable.EVENTS))), asOf);
    Dataset<Row> fromTable =
        FeaturesJob.build(
            ctx, Optional.of(DailyTables.activityUpTo(ctx, LocalDate.of(2026, 3, 5))), asOf);
    assertSameRows(fromEvents, fromTable);
    // Customer 1's late upgrade reached the features: both customers are paid on both dates.
    assertThat(
            fromTable
                .select("customer_id", "as_of_date", "level")
                .orderBy("customer_id", "as_of_date")
                .collectAsList()
                .toString())
        .isEqualTo(
            "[[1,2026-03-03,paid], [1,2026-03-05,paid], [2,2026-03-03,paid],"
                + " [2,2026-03-05,paid]]");
  }

  @Test
  void incrementalPurchasesEqualAFullRecomputationAfterALateReturn() {
    JobContext ctx = context();
    ctx.store()
        .append(
            ChurnTable.TRANSACTIONS,
            rows(
                TransactionRows.SCHEMA,
                line("o1", "1", "2026-03-01 10:00:00", 2.0, 2.5, "purchase"),
                line("o2", "1", "2026-03-03 10:00:00", 1.0, 4.0, "purchase"),
                line("o3", "2", "2026-03-01 12:00:00", 4.0, 0.25, "purchase")));
    assertThat(DailyTables.refresh(ctx, DailyTables.Kind.PURCHASES, false).rebuilt()).isTrue();
    ctx.store()
        .append(
            ChurnTable.TRANSACTIONS,
            rows(
                TransactionRows.SCHEMA,
                line("C1", "1", "2026-03-01 18:00:00", -1.0, 2.5, "return"),
                line("o4", "2", "2026-03-06 09:00:00", 1.0, 8.0, "purchase")));
    DailyTables.Refresh late = DailyTables.refresh(ctx, DailyTables.Kind.PURCHASES, false);
    assertThat(late.days()).isEqualTo(days("2026-03-01", "2026-03-06"));
    Dataset<Row> table = ctx.store().read(ChurnTable.DAILY_PURCHASES);
    assertThat(TableCatalog.of(ChurnTable.DAILY_PURCHASES).differences(table.schema())).isEmpty();
    assertSameRows(recomputed(ctx, DailyTables.Kind.PURCHASES), table);
    assertThat(
            table
                .where("customer_id = '1' AND event_date = DATE'2026-03-01'")
                .drop("customer_id", "event_date")
                .head()
                .toString())
        .isEqualTo("[1,5.0,2.0,1,2.5,0,0.0]");
  }

  private static Object[] line(
      String order, String customer, String time, double quantity, double price, String type) {
    Timestamp ts = Timestamp.valueOf(time);
    return new Object[] {
      order,
      customer,
      ts,
      Date.valueOf(time.substring(0, 10)),
      "p1",
      quantity,
      price,
      quantity * price,
      type
    };
  }

  @Test
  void aChangedDefinitionARecreatedSourceOrARequestRebuilds() throws Exception {
    JobContext ctx = context();
    Dataset<Row> events =
        rows(
            EventRows.SCHEMA,
            event("1", "2026-03-01 10:00:00", "next_song", 1L, "free"),
            event("1", "2026-03-02 10:00:00", "cancel", 2L, "free"));
    ctx.store().append(ChurnTable.EVENTS, events);
    DailyTables.refresh(ctx, DailyTables.Kind.ACTIVITY, false);

    JobContext cancel = context("labels.churn-event=\"cancel\"");
    assertThat(DailyTables.refresh(cancel, DailyTables.Kind.ACTIVITY, false).line())
        .isEqualTo(
            "daily_activity: rebuilt (the churn event, counted event types, level events or"
                + " aggregate format changed)");
    assertThat(
            cancel
                .store()
                .read(ChurnTable.DAILY_ACTIVITY)
                .where("churn_events > 0")
                .select("event_date")
                .collectAsList()
                .toString())
        .isEqualTo("[[2026-03-02]]");

    assertThat(DailyTables.refresh(cancel, DailyTables.Kind.ACTIVITY, true).line())
        .isEqualTo("daily_activity: rebuilt (asked for)");

    // The events table deleted and written again: its versions start over under a new id.
    Path location = Path.of(cancel.store().location(ChurnTable.EVENTS));
    try (Stream<Path> files = Files.walk(location)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    cancel.store().append(ChurnTable.EVENTS, events.where("event_type = 'next_song'"));
    assertThat(DailyTables.refresh(cancel, DailyTables.Kind.ACTIVITY, false).line())
        .isEqualTo("daily_activity: rebuilt (events was created again)");
    assertSameRows(
        recomputed(cancel, DailyTables.Kind.ACTIVITY),
        cancel.store().read(ChurnTable.DAILY_ACTIVITY));
  }

  @Test
  void aRefreshTagRoundTripsAndOtherTextIsNoBuild() {
    DailyTables.Built built = new DailyTables.Built("a-b-c", 42, "0123abcd");
    assertThat(DailyTables.Built.parse(built.tag())).contains(built);
    assertThat(built.levelCodes()).isEmpty();
    // Levels are user data: spaces, commas, equals signs and non-ASCII text survive the tag.
    DailyTables.Built withLevels =
        built.withLevels(LevelCodes.of(List.of("gold plan", "a,b", "x=y", "prémium")));
    assertThat(withLevels.tag()).doesNotContain("gold plan");
    assertThat(DailyTables.Built.parse(withLevels.tag())).contains(withLevels);
    assertThat(DailyTables.Built.parse(withLevels.tag()).orElseThrow().levels().orElseThrow())
        .containsExactly("a,b", "gold plan", "prémium", "x=y");
    // A log without levels or level events records none, which is not "not recorded".
    DailyTables.Built none = built.withLevels(LevelCodes.of(List.of()));
    assertThat(none.tag()).endsWith(" no-levels");
    assertThat(DailyTables.Built.parse(none.tag())).contains(none);
    assertThat(DailyTables.Built.parse(none.tag()).orElseThrow().levelCodes()).isPresent();
    assertThat(DailyTables.Built.parse(built.tag() + " levels=")).isEmpty();
    assertThat(DailyTables.Built.parse(built.tag() + " other=1")).isEmpty();
    assertThat(DailyTables.Built.parse("run 7")).isEmpty();
    assertThat(
            DailyTables.Built.parse("churnlake-daily source-id=x source-version=y fingerprint=z"))
        .isEmpty();
  }
}
