package io.churnlake.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.labels.LabelsJob;
import io.churnlake.jobs.testing.Examples;
import io.churnlake.jobs.testing.GeneratorTypes;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code features} and {@code labels} from the example transaction and customer sources
 * (conf/examples), with no event log: the population comes from the table that exists, each row
 * holds only what was knowable on the as-of date, inactivity labels come from purchases after it
 * and given labels from the snapshot's flag.
 */
class FeaturesFromExampleSourcesTest extends SparkTestBase {
  @TempDir Path dir;

  private JobContext ingest(String example, String source, String data, String... overrides)
      throws Exception {
    Path copy = Examples.copyFixtures(data, dir.resolve(source));
    List<String> sets = new java.util.ArrayList<>();
    sets.add("warehouse=\"" + dir.resolve("warehouse") + "\"");
    sets.add("sources." + source + ".path=\"" + copy + "\"");
    sets.add("features.windows=[7]");
    sets.addAll(List.of(overrides));
    ChurnConfig config = ChurnConfigLoader.load(List.of(Examples.config(example).toFile()), sets);
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    IngestJob.run(ctx, Optional.empty());
    return ctx;
  }

  @Test
  void retailInvoicesGiveRfmFeaturesAsOfADate() throws Exception {
    JobContext ctx = ingest("retail-transactions.conf", "retail", "retail");
    assertThat(FeaturesJob.run(ctx, LocalDate.of(2026, 3, 10))).isEqualTo(3);
    assertThat(
            Examples.text(
                ctx.store()
                    .read(ChurnTable.CUSTOMER_FEATURES)
                    .selectExpr(
                        "customer_id",
                        "days_since_last_purchase",
                        "has_purchased",
                        "orders_total",
                        "round(net_spend_total, 2)",
                        "round(avg_order_value, 2)",
                        "round(returned_share, 3)",
                        "orders_7d")))
        .containsExactly(
            "[12583,6,1,1,10.5,12.6,0.167,1]",
            "[13047,9,1,1,18.5,22.2,0.167,0]",
            "[17850,9,1,1,35.64,35.64,0.0,0]");
  }

  /**
   * Invariant: no event type or plan level is built into the activity features. The app log's own
   * types (conf/examples/app-events.conf) become its features, none of the generator's pages or
   * levels appear, and a log with neither levels nor level events records that in the daily table's
   * tag, so the next night finds the table up to date instead of rebuilding it.
   */
  @Test
  void anAppLogGetsFeaturesOfItsOwnEventTypesOnly() throws Exception {
    JobContext ctx =
        ingest("app-events.conf", "app", "app", "ingest.hash-key-env=CHURNLAKE_TEST_HASH_KEY");
    // c-001: login, settings, complaint in one session; c-002 cancelled (not in the population).
    assertThat(FeaturesJob.run(ctx, LocalDate.of(2026, 3, 1))).isEqualTo(1);
    Dataset<Row> features = ctx.store().read(ChurnTable.CUSTOMER_FEATURES);
    assertThat(features.columns())
        .contains("complaint_7d", "login_per_session_7d", "negative_events_7d", "level")
        .noneMatch(
            c ->
                c.startsWith("content_")
                    || c.equals("is_paid")
                    || GeneratorTypes.EVENT_TYPES.counted().stream().anyMatch(c::startsWith));
    assertThat(
            Examples.text(
                features.selectExpr(
                    "customer_id",
                    "events_7d",
                    "sessions_7d",
                    "complaint_7d",
                    "login_7d",
                    "negative_events_7d",
                    "positive_events_7d",
                    "level",
                    "days_since_plan_change")))
        .containsExactly("[c-001,3,1,1,1,1,1,null,null]");
    assertThat(DailyTables.refresh(ctx, DailyTables.Kind.ACTIVITY, false).line())
        .isEqualTo("daily_activity: up to date");
  }

  @Test
  void customerSnapshotsAloneGiveAttributeFeatures() throws Exception {
    JobContext ctx = ingest("telco-customers.conf", "crm", "crm");
    assertThat(FeaturesJob.run(ctx, LocalDate.of(2026, 4, 7))).isEqualTo(4);
    assertThat(
            Examples.text(
                ctx.store()
                    .read(ChurnTable.CUSTOMER_FEATURES)
                    .selectExpr("customer_id", "days_since_snapshot", "contract", "tenure_months")))
        .containsExactly(
            "[0001-AAAA,7,Month-to-month,1]",
            "[0002-BBBB,7,One year,34]",
            "[0003-CCCC,7,Month-to-month,2]",
            "[0004-DDDD,7,Two year,0]");
    assertThat(ctx.store().read(ChurnTable.CUSTOMER_FEATURES).columns()).doesNotContain("churned");
  }

  @Test
  void retailInvoicesGiveInactivityLabelsAndACensoredDateFailsSayingSo() throws Exception {
    JobContext ctx =
        ingest(
            "retail-transactions.conf",
            "retail",
            "retail",
            "labels.definition=inactivity",
            "labels.horizon-days=3");
    LabelsJob.Result r = LabelsJob.run(ctx, LocalDate.of(2026, 3, 1));
    // Purchases on 03-01 by 17850 and 13047; neither buys in 03-02..03-04 (13047's 03-02 line is
    // a cancellation, not a purchase); 12583's first purchase is on 03-04, after the date.
    assertThat(r.lines())
        .containsExactly(
            "churn_labels as of 2026-03-01 (inactivity, 3-day horizon, transactions to"
                + " 2026-03-05): 2 labelled (2 churned, 0 retained), 0 censored");
    assertThat(
            Examples.text(
                ctx.store()
                    .read(ChurnTable.CHURN_LABELS)
                    .selectExpr(
                        "customer_id",
                        "CAST(as_of_date AS STRING)",
                        "horizon_days",
                        "churned",
                        "CAST(churn_date AS STRING)",
                        "label_definition")))
        .containsExactly(
            "[13047,2026-03-01,3,true,2026-03-04,inactivity]",
            "[17850,2026-03-01,3,true,2026-03-04,inactivity]");
    // 03-04 + 3 days is after the last invoice (03-05): every customer is censored.
    assertThatThrownBy(() -> LabelsJob.run(ctx, LocalDate.of(2026, 3, 4)))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining(
            "labels as of 2026-03-04: all 1 customers are censored (the 3-day horizon ends after"
                + " the last date in 'transactions', 2026-03-05); choose an as-of date on or before"
                + " 2026-03-02 or a shorter churnlake.labels.horizon-days");
  }

  @Test
  void customerSnapshotsGiveGivenLabelsOnTheirSnapshotDateOnly() throws Exception {
    JobContext ctx = ingest("telco-customers.conf", "crm", "crm", "labels.definition=given");
    assertThat(LabelsJob.run(ctx, LocalDate.of(2026, 3, 31)).lines())
        .containsExactly(
            "churn_labels as of 2026-03-31 (given flag in customers): 4 labelled (1 churned, 3"
                + " retained), 0 without a churn flag");
    assertThat(
            Examples.text(
                ctx.store()
                    .read(ChurnTable.CHURN_LABELS)
                    .selectExpr("customer_id", "churned", "horizon_days", "label_definition")))
        .containsExactly(
            "[0001-AAAA,false,null,given]",
            "[0002-BBBB,false,null,given]",
            "[0003-CCCC,true,null,given]",
            "[0004-DDDD,false,null,given]");
    assertThatThrownBy(() -> LabelsJob.run(ctx, LocalDate.of(2026, 3, 30)))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining(
            "a snapshot date of table 'customers' (labels.definition = given): [2026-03-31]");
  }

  @Test
  void aDefinitionWhoseTableWasNeverIngestedFailsNamingTheTable() throws Exception {
    JobContext ctx = ingest("telco-customers.conf", "crm", "crm", "labels.definition=inactivity");
    assertThatThrownBy(() -> LabelsJob.run(ctx, LocalDate.of(2026, 3, 31)))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining("table 'transactions' does not exist")
        .hasMessageContaining("labels.definition = inactivity reads it");
  }

  @Test
  void severalAsOfDatesInOneRunEachSeeingOnlyItsPastAndALaggingDateIsFlagged() throws Exception {
    JobContext ctx = ingest("retail-transactions.conf", "retail", "retail");
    List<FeaturesJob.DateCount> r =
        FeaturesJob.run(
            ctx,
            List.of(LocalDate.of(2026, 3, 10), LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 4)));
    // A range starting before the data fails naming the first date, before writing anything.
    assertThatThrownBy(
            () -> FeaturesJob.run(ctx, List.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 3, 4))))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining(
            "as-of date 2026-02-01 is before the first date in table 'transactions' (2026-03-01);"
                + " choose an as-of date on or after 2026-03-01");
    assertThat(r.stream().map(FeaturesJob.DateCount::line))
        .containsExactly(
            "customer_features as of 2026-03-01: 2 customers",
            "customer_features as of 2026-03-04: 3 customers",
            "customer_features as of 2026-03-10: 3 customers (warning: the data ends on"
                + " 2026-03-05, 5 days before: features age)");
    assertThat(
            Examples.text(
                ctx.store()
                    .read(ChurnTable.CUSTOMER_FEATURES)
                    .selectExpr(
                        "CAST(as_of_date AS STRING)",
                        "customer_id",
                        "days_since_last_purchase",
                        "orders_total")))
        .containsExactly(
            "[2026-03-01,13047,0,1]",
            "[2026-03-01,17850,0,1]",
            "[2026-03-04,12583,0,1]",
            "[2026-03-04,13047,3,1]",
            "[2026-03-04,17850,3,1]",
            "[2026-03-10,12583,6,1]",
            "[2026-03-10,13047,9,1]",
            "[2026-03-10,17850,9,1]");
  }
}
