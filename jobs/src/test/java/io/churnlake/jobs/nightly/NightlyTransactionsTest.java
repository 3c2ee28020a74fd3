package io.churnlake.jobs.nightly;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.TableCatalog;
import io.churnlake.jobs.testing.Examples;
import io.churnlake.jobs.testing.SimulatedPurchases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nightly on an invoice log (the retail example's CSV layout, no event log): ingest, features,
 * training on inactivity labels, scoring, segments and customer lifetime value in one run.
 * Invariants: every invoice line lands in transactions; inactivity labels train on the time-based
 * calendar (never a random split across dates) from purchase features, recording the transactions
 * table's version; every buyer has one customer_value row; the model that scored is the one the run
 * reports.
 */
class NightlyTransactionsTest extends SparkTestBase {
  static final LocalDate START = LocalDate.of(2026, 1, 1);
  static final int DAYS = 220;

  @TempDir Path dir;

  @Test
  void nightlyRunsFromAnInvoiceLogThroughScoresSegmentsAndCustomerValue() throws IOException {
    Path raw = Files.createDirectories(dir.resolve("raw"));
    List<SimulatedPurchases.Purchase> purchases = SimulatedPurchases.of(500, START, DAYS, 4);
    List<String> csv = new ArrayList<>();
    csv.add("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country");
    DateTimeFormatter f = DateTimeFormatter.ofPattern("M/d/yyyy H:mm");
    for (SimulatedPurchases.Purchase p : purchases) {
      csv.add(
          String.join(
              ",",
              p.order(),
              "85123A",
              "HOLDER",
              "1",
              p.day().atTime(10, 0).format(f),
              String.valueOf(p.amount()),
              p.customer(),
              "United Kingdom"));
    }
    Files.write(raw.resolve("invoices-all.csv"), csv);
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(Examples.config("retail-transactions.conf").toFile()),
            List.of(
                "warehouse=\"" + dir.resolve("warehouse") + "\"",
                "sources.retail.path=\"" + raw + "\"",
                "labels.definition=inactivity",
                "train.min-history-days=60",
                "train.step-days=14",
                // The search has tests of its own (HyperparameterSearchTest); one fit is enough
                // for what this class proves.
                "train.search.mode=none"));
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    LocalDate last = START.plusDays(DAYS - 1);
    NightlyJob.Result r = NightlyJob.run(ctx, last);

    assertThat(ctx.store().read(ChurnTable.TRANSACTIONS).count()).isEqualTo(purchases.size());
    assertThat(r.trained()).isTrue();
    // Inactivity labels train on the same time-based calendar as explicit ones: evaluation on
    // D - 30, calibration on D - 60, training dates every 14 days from D - 90 back to 60 days
    // after the first purchase; purchase features only (no event log), transactions' version.
    io.churnlake.jobs.model.ModelInfo m = r.model();
    assertThat(m.labelDefinition()).isEqualTo("inactivity");
    assertThat(m.validation())
        .isEqualTo(io.churnlake.jobs.train.TrainingSets.Validation.TIME_BASED.description());
    assertThat(m.evaluationDate()).isEqualTo(last.minusDays(30).toString());
    assertThat(m.calibrationDate()).isEqualTo(last.minusDays(60).toString());
    assertThat(m.trainingDates())
        .containsExactly("2026-03-15", "2026-03-29", "2026-04-12", "2026-04-26", "2026-05-10");
    assertThat(m.featureColumns()).contains("days_since_last_purchase", "orders_total");
    assertThat(m.featureColumns()).noneMatch(c -> c.startsWith("sessions_"));
    assertThat(m.tableVersions()).containsOnlyKeys("transactions");
    assertThat(m.eventsTableVersion()).isEqualTo(ctx.store().version(ChurnTable.TRANSACTIONS));
    assertThat(m.metric("roc_auc")).isGreaterThan(0.6);
    assertThat(m.metrics()).containsKey("baseline_recency_roc_auc");
    long buyers = purchases.stream().map(SimulatedPurchases.Purchase::customer).distinct().count();
    assertThat(r.clv()).isPresent();
    assertThat(r.clv().get().customers()).isEqualTo(buyers);
    // docs/tables.md describes the tables of a transaction log (transactions, clv_models...) too.
    List<String> undocumented = new ArrayList<>();
    for (ChurnTable t : ChurnTable.values()) {
      if (ctx.store().exists(t)) {
        ctx.store().read(t).createOrReplaceTempView(t.tableName());
        undocumented.addAll(TableCatalog.of(t).differences(ctx.store().read(t).schema()));
      }
    }
    assertThat(undocumented).isEmpty();
    assertThat(
            spark()
                .sql(
                    "SELECT count(*), count(DISTINCT customer_id), min(clv) >= 0 FROM"
                        + " customer_value WHERE as_of_date = DATE'"
                        + last
                        + "'")
                .head()
                .toString())
        .isEqualTo("[" + buyers + "," + buyers + ",true]");
    assertThat(
            spark()
                .sql("SELECT DISTINCT model_version FROM churn_scores")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactly(r.model().version());
    // Invariant: the scored population is the label population. A customer without a purchase in
    // the 30 days up to the date had already churned by the inactivity definition (training never
    // saw such a row), so is neither scored nor planned (score.population = at-risk).
    String recent =
        "SELECT DISTINCT customer_id FROM transactions WHERE line_type = 'purchase' AND event_date"
            + " > DATE'"
            + last.minusDays(30)
            + "' AND event_date <= DATE'"
            + last
            + "'";
    String scored = "SELECT customer_id FROM churn_scores WHERE as_of_date = DATE'" + last + "'";
    assertThat(spark().sql(scored + " EXCEPT " + recent).isEmpty()).isTrue();
    assertThat(spark().sql(recent + " EXCEPT " + scored).isEmpty()).isTrue();
    long featured =
        spark()
            .sql("SELECT count(*) FROM customer_features WHERE as_of_date = DATE'" + last + "'")
            .head()
            .getLong(0);
    io.churnlake.jobs.score.ScoreJob.Result score = r.score().orElseThrow();
    assertThat(score.leftOut()).isPositive().isEqualTo(featured - score.scored());
    assertThat(score.population())
        .hasValue(
            score.leftOut()
                + " customers not scored: already churned by the inactivity definition: no"
                + " qualifying activity in transactions in the 30 days up to "
                + last
                + " (score.population = all scores them)");
    // The plan says the same, in its own words.
    assertThat(r.segments().orElseThrow().population())
        .hasValue(
            score.leftOut()
                + " customers with features are not in the plan: already churned by the inactivity"
                + " definition: no qualifying activity in transactions in the 30 days up to "
                + last);
    assertThat(spark().sql("SELECT count(*) FROM risk_segments").head().getLong(0))
        .isEqualTo(r.segments().orElseThrow().customers());
    // The plan weighs each scored customer by its CLV of the same date (0 without purchases).
    assertThat(
            spark()
                .sql(
                    "SELECT s.customer_id FROM risk_segments s LEFT JOIN customer_value v"
                        + " ON s.customer_id = v.customer_id AND s.as_of_date = v.as_of_date"
                        + " WHERE s.value <> coalesce(v.clv, 0.0) OR v.value_at_risk <> v.clv")
                .isEmpty())
        .isTrue();
    assertThat(r.segments().orElseThrow().valueSource()).isEqualTo("customer_value.value_at_risk");
    assertThat(r.segments().orElseThrow().targeted()).isPositive();
    assertThat(spark().sql("SELECT DISTINCT model FROM clv_models ORDER BY model").collectAsList())
        .extracting(row -> row.getString(0))
        .containsExactly("bg_nbd", "gamma_gamma");
    // KPIs on inactivity spells: the repeat purchase rate of every finished month equals an
    // independent count over the purchase days; the CLV snapshot is the night's total.
    assertSameRowsAsText(
        "SELECT period_start, round(value, 12) FROM churn_kpis WHERE metric ="
            + " 'repeat_purchase_rate' AND status = 'mature'",
        "SELECT m, CAST(round(avg(CASE WHEN n_in >= 2 OR first_ever < first_in THEN 1.0 ELSE"
            + " 0.0 END), 12) AS DOUBLE) FROM (SELECT customer_id, trunc(event_date, 'MM') AS m,"
            + " count(DISTINCT event_date) AS n_in, min(event_date) AS first_in,"
            + " min(first_ever) AS first_ever FROM (SELECT customer_id, event_date,"
            + " min(event_date) OVER (PARTITION BY customer_id) AS first_ever FROM transactions"
            + " WHERE line_type = 'purchase') GROUP BY 1, 2)"
            + " WHERE last_day(m) <= DATE'"
            + last
            + "' GROUP BY m");
    assertThat(
            spark()
                .sql(
                    "SELECT value FROM churn_kpis WHERE metric = 'clv_total'"
                        + " AND period_start = trunc(DATE'"
                        + last
                        + "', 'MM')")
                .head()
                .getDouble(0))
        .isCloseTo(r.clv().get().totalClv(), org.assertj.core.api.Assertions.within(1e-6));
    assertThat(r.kpis().orElseThrow().churnDefinition()).startsWith("inactivity: 30 days without");
    // What the night prints and reports is the table: the summary kept from the written rows
    // equals the table's rows under 'all' in the same order, and the cohort count its cohorts.
    assertThat(r.kpis().orElseThrow().overall().stream().map(Row::toString).toList())
        .isNotEmpty()
        .isEqualTo(
            io.churnlake.jobs.kpis.KpiRows.overall(ctx.store(), last).stream()
                .map(Row::toString)
                .toList());
    assertThat(r.kpis().orElseThrow().cohorts())
        .isEqualTo(
            spark()
                .sql(
                    "SELECT count(DISTINCT cohort_month) FROM cohort_retention WHERE as_of_date ="
                        + " DATE'"
                        + last
                        + "'")
                .head()
                .getLong(0));
  }

  private void assertSameRowsAsText(String actual, String expected) {
    assertThat(rowsAsText(actual)).isNotEmpty().isEqualTo(rowsAsText(expected));
  }

  private List<String> rowsAsText(String query) {
    return spark().sql(query).collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
