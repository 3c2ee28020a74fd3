package io.churnlake.jobs.nightly;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.FeaturesJob;
import io.churnlake.jobs.generate.GenerateJob;
import io.churnlake.jobs.labels.LabelsJob;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.model.ModelsTable;
import io.churnlake.jobs.score.ScoreJob;
import io.churnlake.jobs.tables.TableCatalog;
import io.churnlake.jobs.train.BacktestJob;
import io.churnlake.jobs.train.RealisedPerformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo path on a tiny generated log: generate, then nightly as of the last day (which trains
 * the first model), then the invariants every output table must hold, then a second nightly run for
 * the same date that must change no table.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyPipelineTest extends SparkTestBase {
  static final LocalDate START = LocalDate.of(2026, 1, 1);
  static final int DAYS = 160;
  static final LocalDate LAST = START.plusDays(DAYS - 1);
  static final String D = "DATE'" + LAST + "'";

  @TempDir static Path dir;
  JobContext ctx;

  /** The fixture's configuration, with {@code extra} settings after it. */
  static ChurnConfig config(String... extra) {
    List<String> settings =
        new ArrayList<>(
            List.of(
                "warehouse=\"" + dir.resolve("warehouse") + "\"",
                "generate.output=\"" + dir.resolve("raw") + "\"",
                "generate.customers=150",
                "generate.days=" + DAYS,
                "generate.partitions=2",
                "generate.truth.paths=20",
                "train.min-history-days=45",
                "train.step-days=14",
                "segment.medium-from=0.05",
                "segment.high-from=0.2",
                "kpis.goals=[{id = cut, goal = \"churn_rate -10% vs 2026-02 by 2026-06\"}]"));
    settings.addAll(List.of(extra));
    return ChurnConfigLoader.load(List.of(), settings);
  }

  @BeforeAll
  void generateAndRunNightlyOnce() {
    ChurnConfig config = config();
    ctx = new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    GenerateJob.run(ctx);
    NightlyJob.run(ctx, LAST);
    for (ChurnTable t : ChurnTable.values()) {
      if (ctx.store().exists(t)) {
        ctx.store().read(t).createOrReplaceTempView(t.tableName());
      }
    }
  }

  private ModelRegistry registry() {
    return new ModelRegistry(
        ctx.config().warehouse(), spark().sparkContext().hadoopConfiguration());
  }

  private Dataset<Row> sql(String query) {
    return spark().sql(query);
  }

  private static List<String> rawLines(Path raw) throws IOException {
    try (Stream<Path> files = Files.list(raw)) {
      return files
          .filter(p -> p.getFileName().toString().matches("events-\\d{4}-\\d{2}-\\d{2}\\.json"))
          .flatMap(
              p -> {
                try {
                  return Files.readAllLines(p).stream();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  @Test
  @Order(1)
  void generatorWritesOneFilePerDayAndNoRawLineIsLost() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("raw"))) {
      assertThat(
              files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).count())
          .isEqualTo(DAYS);
    }
    long lines = rawLines(dir.resolve("raw")).size();
    Row ledger =
        sql("SELECT sum(rows_read), sum(rows_loaded), sum(rows_quarantined), count(*) FROM ingested_files")
            .head();
    assertThat(ledger.getLong(0)).isEqualTo(lines);
    assertThat(ledger.getLong(1) + ledger.getLong(2)).isEqualTo(lines);
    assertThat(ledger.getLong(1)).isEqualTo(sql("SELECT count(*) FROM events").head().getLong(0));
    assertThat(ledger.getLong(3)).isEqualTo(DAYS);
    // The generator writes well-formed lines; only its logged-out events are kept out of events.
    assertSameRows(
        sql("SELECT 'missing_customer_id' AS reason, " + ledger.getLong(2) + "L AS n"),
        sql("SELECT reason, count(*) AS n FROM quarantine GROUP BY reason"));
  }

  @Test
  @Order(2)
  void tablesHaveTheContractColumnsAndNoPersonalData() {
    assertThat(sql("SELECT * FROM events").schema().simpleString())
        .isEqualTo(
            "struct<customer_id:string,event_time:timestamp,event_date:date,event_type:string,"
                + "session_id:string,amount:double,artist:string,auth:string,gender:string,"
                + "item_in_session:int,length:double,level:string,location:string,method:string,"
                + "page:string,registration_time:timestamp,song:string,status:int,"
                + "source:string,source_file:string,ingest_run_id:string>");
    assertThat(sql("SELECT * FROM churn_scores").schema().simpleString())
        .isEqualTo(
            "struct<customer_id:string,as_of_date:date,churn_probability:double,raw_score:double,"
                + "rank_percentile:double,model_version:string,drivers:array<struct<feature:string,"
                + "value:double,contribution:double,reason:string,category:string>>>");
    assertThat(sql("SELECT * FROM churn_drivers").schema().simpleString())
        .isEqualTo(
            "struct<model_version:string,as_of_date:date,rank:int,feature:string,importance:double,"
                + "direction:string,mean_contribution_high_risk:double,high_risk_customers:bigint>");
    assertThat(sql("SELECT * FROM feature_drift").schema().simpleString())
        .isEqualTo(
            "struct<model_version:string,as_of_date:date,feature:string,psi:double,drifted:boolean,"
                + "threshold:double>");
    assertThat(sql("SELECT * FROM model_evaluations").schema().simpleString())
        .isEqualTo(
            "struct<model_version:string,as_of_date:date,kind:string,metric:string,value:double>");
    assertThat(sql("SELECT * FROM risk_segments").schema().simpleString())
        .isEqualTo(
            "struct<customer_id:string,as_of_date:date,churn_probability:double,risk_tier:string,"
                + "value:double,value_tier:string,segment:string,action:string,"
                + "expected_net_value:double,targeting:string,drivers:array<struct<feature:string,"
                + "value:double,contribution:double,reason:string,category:string>>,model_version:string,"
                + "run_id:string>");
    assertThat(sql("SELECT * FROM segment_summary").schema().simpleString())
        .isEqualTo(
            "struct<as_of_date:date,segment:string,value_tier:string,risk_tier:string,"
                + "action:string,customers:bigint,mean_probability:double,value:double,"
                + "revenue_at_risk:double,targeted:bigint,control:bigint,"
                + "expected_saved_value:double,cost:double,expected_net_value:double>");
    assertThat(sql("SELECT * FROM customer_features").columns())
        .startsWith("customer_id", "as_of_date", "days_since_last_activity", "tenure_days")
        .endsWith("level", "is_paid")
        .doesNotContain("firstName", "lastName", "userAgent");
    String raw = String.join("\n", rawLinesUnchecked());
    assertThat(raw).contains("\"firstName\"").contains("\"userAgent\"");
    // docs/tables.md describes what the nightly flow writes, column by column.
    List<String> undocumented = new ArrayList<>();
    for (ChurnTable t : ChurnTable.values()) {
      if (ctx.store().exists(t)) {
        undocumented.addAll(TableCatalog.of(t).differences(ctx.store().read(t).schema()));
      }
    }
    assertThat(undocumented).isEmpty();
  }

  /**
   * Names and user agents of the raw log appear in no string column of any table but the documented
   * quarantine.
   */
  @Test
  @Order(2)
  void personalValuesOfTheRawLogAppearInNoTableButQuarantine() {
    // The three personal fields only: no schema inference pass over the whole log.
    Dataset<Row> raw =
        spark()
            .read()
            .schema("firstName STRING, lastName STRING, userAgent STRING")
            .json(dir.resolve("raw").toString());
    // A handful of distinct names and agents: small enough for the driver.
    List<String> personal =
        raw.selectExpr("explode(array(firstName, lastName, userAgent)) AS v")
            .where("v IS NOT NULL")
            .distinct()
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(personal).contains("Ada", "Meyer").anyMatch(v -> v.startsWith("Mozilla/5.0"));
    for (ChurnTable t : ChurnTable.values()) {
      if (t == ChurnTable.QUARANTINE || !ctx.store().exists(t)) {
        continue;
      }
      // One scan per table: each row names its first string column holding a personal value.
      Dataset<Row> table = ctx.store().read(t);
      List<Column> hits = new ArrayList<>();
      for (org.apache.spark.sql.types.StructField f : table.schema().fields()) {
        if (f.dataType() == org.apache.spark.sql.types.DataTypes.StringType) {
          hits.add(
              when(col(f.name()).isin(personal.toArray()), lit(t.tableName() + "." + f.name())));
        }
      }
      if (hits.isEmpty()) {
        continue;
      }
      List<String> found =
          table
              .select(coalesce(hits.toArray(Column[]::new)).as("column"))
              .where("column IS NOT NULL")
              .distinct()
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      assertThat(found).as(t.tableName()).isEmpty();
    }
  }

  private List<String> rawLinesUnchecked() {
    try {
      return rawLines(dir.resolve("raw")).subList(0, 200);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @Order(3)
  void featurePopulationIsExactlyTheKnownLiveCustomersOnePerCustomer() {
    Dataset<Row> expected =
        sql(
            "SELECT customer_id FROM events WHERE event_date <= "
                + D
                + " GROUP BY customer_id"
                + " HAVING sum(CASE WHEN event_type = 'cancellation_confirmation' THEN 1 ELSE 0 END) = 0");
    assertSameRows(
        expected, sql("SELECT customer_id FROM customer_features WHERE as_of_date = " + D));
    assertThat(
            sql("SELECT customer_id FROM customer_features GROUP BY customer_id, as_of_date HAVING count(*) > 1")
                .isEmpty())
        .isTrue();
    assertSameRows(expected, sql("SELECT customer_id FROM churn_scores WHERE as_of_date = " + D));
    assertSameRows(expected, sql("SELECT customer_id FROM risk_segments WHERE as_of_date = " + D));
  }

  @Test
  @Order(4)
  void probabilitiesAreProbabilitiesAndTiersFollowTheCutPoints() {
    assertThat(
            sql("SELECT * FROM churn_scores WHERE NOT (churn_probability BETWEEN 0 AND 1) OR churn_probability IS NULL")
                .isEmpty())
        .isTrue();
    Dataset<Row> inconsistent =
        sql(
            "SELECT * FROM risk_segments WHERE risk_tier <> CASE WHEN churn_probability >= 0.2 THEN 'high'"
                + " WHEN churn_probability >= 0.05 THEN 'medium' ELSE 'low' END");
    assertThat(inconsistent.isEmpty()).isTrue();
    String latest = registry().latest().orElseThrow().version();
    assertSameRows(
        sql("SELECT '" + latest + "' AS model_version"),
        sql("SELECT DISTINCT model_version FROM risk_segments"));
    assertSameRows(
        sql("SELECT customer_id, as_of_date, churn_probability, model_version FROM churn_scores"),
        sql("SELECT customer_id, as_of_date, churn_probability, model_version FROM risk_segments"));
  }

  /**
   * Invariant: the plan targets (or holds out) exactly the customers with positive expected net
   * value, its figures are finite, and segment_summary adds up to risk_segments per date.
   */
  /**
   * Invariants of churn_kpis and cohort_retention on the nightly's log: the contract schemas; the
   * monthly active and churned counts equal an independent count from the events (customers seen
   * before the month and not cancelled before it; of those, cancelled in it); rates are their
   * ratio; the unfinished month has no rate; the goal's path starts at the baseline's value;
   * cohorts never retain more than they hold and their survival never rises.
   */
  @Test
  @Order(4)
  void kpisCountChurnAsTheEventsShowIt() {
    assertThat(sql("SELECT * FROM churn_kpis").schema().simpleString())
        .isEqualTo(
            "struct<as_of_date:date,period_grain:string,period_start:date,period_end:date,"
                + "dimension:string,dimension_value:string,metric:string,value:double,"
                + "lower:double,upper:double,status:string,note:string,goal_id:string,"
                + "target:double,on_track:boolean,run_id:string>");
    assertThat(sql("SELECT * FROM cohort_retention").schema().simpleString())
        .isEqualTo(
            "struct<as_of_date:date,cohort_month:date,period_offset:int,cohort_customers:bigint,"
                + "retained_customers:bigint,retention_rate:double,survival_days:int,"
                + "km_survival:double,km_survival_se:double,run_id:string>");
    String perCustomer =
        "SELECT customer_id, min(event_date) AS first_day, min(CASE WHEN event_type ="
            + " 'cancellation_confirmation' THEN event_date END) AS churn_day FROM events"
            + " WHERE event_date <= "
            + D
            + " GROUP BY customer_id";
    String months =
        "SELECT explode(sequence(DATE'2026-02-01', DATE'2026-05-01', interval 1 month)) AS m";
    Dataset<Row> expected =
        sql(
            "SELECT m AS period_start, count(*) AS active, sum(CASE WHEN churn_day <="
                + " last_day(m) THEN 1 ELSE 0 END) AS churned FROM ("
                + perCustomer
                + ") c JOIN ("
                + months
                + ") ON first_day < m AND (churn_day IS NULL OR churn_day >= m) GROUP BY m");
    Dataset<Row> actual =
        sql(
            "SELECT period_start,"
                + " CAST(max(CASE WHEN metric = 'active_customers' THEN value END) AS BIGINT)"
                + " AS active,"
                + " CAST(max(CASE WHEN metric = 'churned_customers' THEN value END) AS BIGINT)"
                + " AS churned FROM churn_kpis WHERE dimension = 'all' AND goal_id IS NULL"
                + " AND period_start BETWEEN DATE'2026-02-01' AND DATE'2026-05-01'"
                + " GROUP BY period_start");
    assertSameRows(expected, actual);
    assertThat(expected.count()).isEqualTo(4);
    Dataset<Row> wide =
        sql(
            "SELECT period_start, status,"
                + " max(CASE WHEN metric = 'active_customers' THEN value END) AS a,"
                + " max(CASE WHEN metric = 'churned_customers' THEN value END) AS c,"
                + " max(CASE WHEN metric = 'churn_rate' THEN value END) AS r,"
                + " max(CASE WHEN metric = 'retention_rate' THEN value END) AS k"
                + " FROM churn_kpis WHERE dimension = 'all' AND goal_id IS NULL AND metric IN"
                + " ('churned_customers', 'churn_rate', 'retention_rate', 'active_customers')"
                + " AND status <> 'undefined' GROUP BY period_start, status");
    for (Row r : wide.collectAsList()) {
      if (r.getString(1).equals("immature")) {
        assertThat(r.getDate(0).toLocalDate()).isEqualTo(LAST.withDayOfMonth(1));
        assertThat(r.isNullAt(4)).isTrue();
        continue;
      }
      if (r.isNullAt(4)) {
        continue; // the active count's own row (status mature) of the unfinished month
      }
      assertThat(r.getDouble(4)).isCloseTo(r.getDouble(3) / r.getDouble(2), within(1e-12));
      assertThat(r.getDouble(5)).isCloseTo(1 - r.getDouble(4), within(1e-12));
    }
    Row goal =
        sql("SELECT value, target, on_track FROM churn_kpis WHERE goal_id = 'cut'"
                + " AND period_start = DATE'2026-02-01'")
            .head();
    assertThat(goal.getDouble(1)).isCloseTo(goal.getDouble(0), within(1e-12));
    assertThat(goal.getBoolean(2)).isTrue();
    assertThat(
            sql("SELECT * FROM cohort_retention WHERE retained_customers > cohort_customers"
                    + " OR retention_rate < 0 OR retention_rate > 1 OR km_survival < 0"
                    + " OR km_survival > 1")
                .isEmpty())
        .isTrue();
    assertThat(
            sql("SELECT * FROM (SELECT km_survival, lag(km_survival) OVER (PARTITION BY"
                    + " cohort_month ORDER BY period_offset) AS before FROM cohort_retention)"
                    + " WHERE km_survival > before + 1e-12")
                .isEmpty())
        .isTrue();
  }

  /**
   * Invariants of the report the nightly wrote: every section is present, every chart is titled
   * with the as-of date, each risk-value cell holds its segment_summary row's customers and revenue
   * at risk, no number is NaN; a date without scores is refused naming the table and the command.
   */
  @Test
  @Order(4)
  void reportShowsEverySectionAndTheMatrixOfSegmentSummary() throws IOException {
    String html =
        Files.readString(
            Path.of(
                io.churnlake.jobs.report.ReportJob.defaultPath(ctx.config().warehouse(), LAST)));
    for (String id : io.churnlake.jobs.report.RenderReport.SECTIONS) {
      assertThat(html).contains("<section id=\"" + id + "\">");
    }
    java.util.regex.Matcher img =
        java.util.regex.Pattern.compile("<img alt=\"([^\"]*)\"").matcher(html);
    int images = 0;
    while (img.find()) {
      images++;
      assertThat(img.group(1)).contains(LAST.toString());
    }
    assertThat(images).isGreaterThanOrEqualTo(6);
    // Outside the embedded images (base64 may spell anything).
    assertThat(html.replaceAll("base64,[A-Za-z0-9+/=]*", "")).doesNotContain("NaN");
    java.util.regex.Matcher cell =
        java.util.regex.Pattern.compile(
                "data-segment=\"([^\"]*)\" data-customers=\"(\\d+)\" data-revenue-at-risk=\"([0-9.]+)\"")
            .matcher(html);
    Map<String, String> cells = new java.util.TreeMap<>();
    while (cell.find()) {
      cells.put(cell.group(1), cell.group(2) + " " + cell.group(3));
    }
    // Every risk tier of each value tier that has customers (a value tier without any gets no
    // row); a cell without a segment shows 0.
    List<String> valueTiers =
        sql("SELECT DISTINCT value_tier FROM segment_summary WHERE as_of_date = " + D)
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    assertThat(valueTiers).isNotEmpty();
    assertThat(cells).hasSize(3 * valueTiers.size());
    Map<String, String> expected = new java.util.TreeMap<>();
    for (String v : valueTiers) {
      for (String r : List.of("low", "medium", "high")) {
        expected.put(v + " value, " + r + " risk", "0 0.00");
      }
    }
    for (Row r :
        sql("SELECT segment, customers, revenue_at_risk FROM segment_summary WHERE as_of_date = "
                + D)
            .collectAsList()) {
      expected.put(
          r.getString(0),
          r.getLong(1) + " " + String.format(java.util.Locale.ROOT, "%.2f", r.getDouble(2)));
    }
    assertThat(cells).isEqualTo(expected);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> io.churnlake.jobs.report.ReportJob.run(ctx, LAST.plusDays(1), Optional.empty()))
        .hasMessageContaining(
            "table 'churn_scores' has no rows for as-of date "
                + LAST.plusDays(1)
                + "; run 'churnlake score --as-of "
                + LAST.plusDays(1));
  }

  @Test
  @Order(4)
  void retentionPlanIsConsistentWithItsSummary() {
    assertThat(
            sql("SELECT * FROM risk_segments WHERE (targeting <> 'none') <> (expected_net_value > 0)"
                    + " OR isnan(value) OR isnan(expected_net_value) OR value < 0"
                    + " OR segment <> concat(value_tier, ' value, ', risk_tier, ' risk')")
                .isEmpty())
        .isTrue();
    assertSameRows(
        sql(
            "SELECT as_of_date, segment, count(*) AS customers,"
                + " sum(CASE WHEN targeting = 'targeted' THEN 1 ELSE 0 END) AS targeted,"
                + " sum(CASE WHEN targeting = 'targeted' THEN expected_net_value ELSE 0 END) AS net"
                + " FROM risk_segments GROUP BY 1, 2"),
        sql(
            "SELECT as_of_date, segment, customers, targeted, expected_net_value AS net"
                + " FROM segment_summary"));
    assertThat(
            sql("SELECT count(DISTINCT run_id) FROM risk_segments WHERE as_of_date = " + D)
                .head()
                .getLong(0))
        .isEqualTo(1);
  }

  @Test
  @Order(4)
  void calibratedScoresRankAndExplainConsistently() {
    // Isotonic calibration is monotone: a higher raw score never gets a lower probability; the
    // rank percentile follows the raw score.
    assertThat(
            sql("SELECT * FROM (SELECT churn_probability AS p, rank_percentile AS r,"
                    + " lag(churn_probability) OVER (ORDER BY raw_score, churn_probability) AS prev_p,"
                    + " lag(rank_percentile) OVER (ORDER BY raw_score, rank_percentile) AS prev_r"
                    + " FROM churn_scores) WHERE p < prev_p OR r < prev_r OR r NOT BETWEEN 0 AND 1")
                .isEmpty())
        .isTrue();
    // Drivers: at most three, each pushing the score up, largest first.
    assertThat(
            sql("SELECT * FROM churn_scores WHERE size(drivers) > 3"
                    + " OR exists(drivers, d -> d.contribution <= 0)"
                    + " OR transform(drivers, d -> d.contribution)"
                    + " <> sort_array(transform(drivers, d -> d.contribution), false)")
                .isEmpty())
        .isTrue();
    assertThat(sql("SELECT * FROM churn_scores WHERE size(drivers) > 0").isEmpty()).isFalse();
    // On the generated log's real scores, no customer's top three reasons share a signal family
    // (the same event type in another window, or as a count and a per-session rate): signals
    // re-derived here from the feature names.
    String signals =
        "transform(drivers, d -> regexp_replace(regexp_replace(d.feature, '_[0-9]+d$', ''),"
            + " '_per_session$', ''))";
    assertThat(
            sql("SELECT customer_id FROM churn_scores WHERE size(array_distinct("
                    + signals
                    + ")) <> size(drivers)")
                .isEmpty())
        .isTrue();
    assertThat(sql("SELECT * FROM churn_scores WHERE size(drivers) = 3").isEmpty()).isFalse();
    // The registry row of the scoring model: champion, calibrated, with its inputs' versions.
    Row model =
        sql("SELECT m.status, m.status_reason, m.calibration, m.table_versions['events'],"
                + " size(m.features), m.algorithm, m.parameters['calibration_check'] FROM models m"
                + " JOIN (SELECT DISTINCT model_version FROM churn_scores) s USING (model_version)")
            .head();
    assertThat(model.getString(0)).isEqualTo("champion");
    assertThat(model.getString(1)).isEqualTo("first model: no champion to beat");
    // Calibrated when isotonic calibration did not make the out-of-fold error worse (on this
    // small log it may: the check's verdict, recorded with the model, decides).
    assertThat(model.getString(6))
        .matches("(kept|refused, it made the calibration error worse):.*");
    assertThat(model.getString(2))
        .isEqualTo(model.getString(6).startsWith("kept") ? "isotonic" : "none");
    assertThat(model.getLong(3)).isEqualTo(ctx.store().version(ChurnTable.EVENTS));
    // Two training dates (day 55 and 69) leave no rolling origin with a training date a horizon
    // before it: the configured parameters are trained, and model_search and models say why.
    String noSearch =
        "no search: rolling-origin: no training date has another a horizon (30 days) or more"
            + " before it (2 training dates)";
    assertThat(
            sql("SELECT parameters['search'] FROM models WHERE model_version = 'v0000'")
                .head()
                .getString(0))
        .isEqualTo(noSearch);
    assertSameRows(
        sql(
            "SELECT 'v0000' AS model_version, 0 AS candidate, to_json(map('reg_param', '0.01',"
                + " 'elastic_net', '0.0')) AS p, '"
                + noSearch
                + "' AS validation, size(array()) AS folds, true AS chosen"),
        sql(
            "SELECT model_version, candidate, to_json(parameters) AS p, validation, size(folds)"
                + " AS folds, chosen FROM model_search WHERE model_version = 'v0000'"));
    // Global drivers: one row per model feature, ranked by importance.
    assertSameRows(
        sql("SELECT explode(features) AS feature FROM models"),
        sql("SELECT feature FROM churn_drivers"));
    assertThat(
            sql("SELECT * FROM (SELECT rank, importance, lag(importance) OVER (ORDER BY rank) AS prev"
                    + " FROM churn_drivers) WHERE importance > prev")
                .isEmpty())
        .isTrue();
    // The held-out evaluation carries probability and ranking metrics, beside the baseline.
    assertSameRows(
        sql(
            "SELECT explode(array('roc_auc', 'pr_auc', 'log_loss', 'brier', 'ece',"
                + " 'precision_at_top', 'recall_at_top', 'lift_decile_01', 'capture_decile_10',"
                + " 'baseline_recency_roc_auc')) AS metric"),
        sql(
            "SELECT metric FROM model_evaluations WHERE kind = 'holdout' AND metric IN ('roc_auc',"
                + " 'pr_auc', 'log_loss', 'brier', 'ece', 'precision_at_top', 'recall_at_top',"
                + " 'lift_decile_01', 'capture_decile_10', 'baseline_recency_roc_auc')"));
    assertThat(
            sql("SELECT value FROM model_evaluations WHERE metric = 'capture_decile_10'")
                .head()
                .getDouble(0))
        .isEqualTo(1.0);
  }

  @Test
  @Order(5)
  void labelsComeOnlyFromChurnEventsInsideTheHorizonAfterTheAsOfDate() {
    LocalDate asOf = LAST.minusDays(40);
    String a = "DATE'" + asOf + "'";
    LabelsJob.run(ctx, asOf);
    Dataset<Row> labels = ctx.store().read(ChurnTable.CHURN_LABELS).where("as_of_date = " + a);
    labels.createOrReplaceTempView("labels_now");
    Dataset<Row> churnedFromEvents =
        sql(
            "SELECT customer_id, min(event_date) AS churn_date FROM events WHERE event_type = 'cancellation_confirmation'"
                + " AND event_date > "
                + a
                + " AND event_date <= date_add("
                + a
                + ", 30) GROUP BY customer_id");
    assertSameRows(
        churnedFromEvents, sql("SELECT customer_id, churn_date FROM labels_now WHERE churned"));
    assertThat(sql("SELECT * FROM labels_now WHERE churned AND churn_date <= as_of_date").isEmpty())
        .isTrue();
    Dataset<Row> population =
        sql(
            "SELECT customer_id FROM events WHERE event_date <= "
                + a
                + " GROUP BY customer_id"
                + " HAVING sum(CASE WHEN event_type = 'cancellation_confirmation' THEN 1 ELSE 0 END) = 0");
    assertSameRows(population, sql("SELECT customer_id FROM labels_now"));
  }

  @Test
  @Order(6)
  void labelsWhoseHorizonRunsPastTheDataAreRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabelsJob.run(ctx, LAST.minusDays(10)))
        .hasMessageMatching(
            "labels as of "
                + LAST.minusDays(10)
                + ": all [1-9][0-9]* customers are censored \\(the 30-day horizon ends after the"
                + " last date in 'events', "
                + LAST
                + "\\); choose an as-of date on or before "
                + LAST.minusDays(30)
                + " or a shorter churnlake.labels.horizon-days");
  }

  @Test
  @Order(7)
  void runningNightlyTwiceForTheSameDateChangesNoTable() {
    Map<ChurnTable, Long> before = new EnumMap<>(ChurnTable.class);
    for (ChurnTable t : ChurnTable.values()) {
      before.put(t, ctx.store().version(t));
    }
    NightlyJob.Result again = NightlyJob.run(ctx, LAST);
    assertThat(again.trained()).isFalse();
    assertThat(again.ingest().files()).isZero();
    for (ChurnTable t : ChurnTable.values()) {
      if (before.get(t) < 0) {
        assertThat(ctx.store().exists(t)).as(t.tableName()).isFalse();
        continue;
      }
      if (ctx.store().version(t) == before.get(t)) {
        continue; // no commit: the table is the same snapshot
      }
      Dataset<Row> old =
          spark()
              .read()
              .format("delta")
              .option("versionAsOf", before.get(t))
              .load(ctx.store().location(t));
      // As JSON text: map columns (models.parameters, ...) cannot be grouped for comparison.
      assertSameRows(
          old.select(to_json(struct(col("*"))).as("row")),
          ctx.store().read(t).select(to_json(struct(col("*"))).as("row")));
    }
  }

  @Test
  @Order(8)
  void scoresOfAMaturedDateAreEvaluatedAgainstTheirLabelsOnce() {
    LocalDate earlier = LAST.minusDays(40);
    FeaturesJob.run(ctx, earlier);
    ScoreJob.run(ctx, earlier, java.util.Optional.empty());
    List<RealisedPerformance.Evaluated> first = RealisedPerformance.run(ctx, LAST);
    assertThat(first).hasSize(1);
    assertThat(first.get(0).asOf()).isEqualTo(earlier);
    // The realised churn rate is the labels' churn rate over the scored customers.
    LabelsJob.run(ctx, earlier);
    double rate =
        spark()
            .sql(
                "SELECT avg(CAST(l.churned AS DOUBLE)) FROM delta.`"
                    + ctx.store().location(ChurnTable.CHURN_LABELS)
                    + "` l JOIN delta.`"
                    + ctx.store().location(ChurnTable.CHURN_SCORES)
                    + "` s USING (customer_id, as_of_date) WHERE as_of_date = DATE'"
                    + earlier
                    + "' AND l.churned IS NOT NULL")
            .head()
            .getDouble(0);
    assertThat(first.get(0).metrics().get("churn_rate")).isCloseTo(rate, within(1e-12));
    assertThat(
            ctx.store()
                .read(ChurnTable.MODEL_EVALUATIONS)
                .where("kind = 'realised' AND metric = 'roc_auc'")
                .count())
        .isEqualTo(1);
    // Nothing new to evaluate: a second run writes nothing.
    assertThat(RealisedPerformance.run(ctx, LAST)).isEmpty();
  }

  @Test
  @Order(9)
  void aBacktestOriginReproducesTheModelTrainedAsOfThatDate() {
    // Two weeks earlier the calendar holds one training date with too few churners: refused.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BacktestJob.run(ctx, List.of(LAST.minusDays(14))))
        .hasMessage(
            "refusing to train: the training set (1 as-of dates) has 94 examples of which 5"
                + " churned; at least 10 churners (churnlake.train.min-positives) and at least one"
                + " non-churner are needed; use more as-of dates (train.min-history-days,"
                + " train.step-days), more customers or a longer labels.horizon-days");
    List<BacktestJob.Origin> origins = BacktestJob.run(ctx, List.of(LAST));
    assertThat(origins)
        .extracting(BacktestJob.Origin::evaluationDate)
        .containsExactly(LAST.minusDays(30));
    // Same calendar, same data, same seed: the backtest's last origin is the nightly's model.
    ModelInfo trained = registry().find("v0000").orElseThrow();
    Map<String, Double> expected = new java.util.HashMap<>(trained.metrics());
    expected.remove("non_finite_values_imputed");
    // Equal to 1e-9: BLAS sums change the last bits between two fits of one JVM (the
    // classifier's own probabilities when calibration is refused are not step values).
    assertThat(origins.get(0).metrics().keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (k, v) ->
            assertThat(origins.get(0).metrics().get(k))
                .as(k)
                .isCloseTo(v, org.assertj.core.api.Assertions.within(1e-9)));
    // The refused origin wrote nothing.
    assertSameRows(
        sql("SELECT 'backtest@" + LAST + "' AS v"),
        ctx.store()
            .read(ChurnTable.MODEL_EVALUATIONS)
            .where("kind = 'backtest'")
            .selectExpr("model_version AS v")
            .distinct());
  }

  @Test
  @Order(10)
  void aPastDateIsScoredByAModelTrainedOnOrBeforeItAndTheChampionStays() {
    // Invariant (no look-ahead): nightly or backfill for a date before the champion's training
    // date scores it with a model whose training saw no later data; that model is never promoted.
    String champion = ModelsTable.champion(ctx).orElseThrow();
    LocalDate past = LAST.minusDays(7);
    JobContext backfill = new JobContext(config("train.min-positives=3"), spark(), ctx.store());
    NightlyJob.Result r = NightlyJob.run(backfill, past);
    assertThat(r.trained()).isTrue();
    assertThat(r.trainReason())
        .isEqualTo(
            "a past date: champion "
                + champion
                + " was trained as of "
                + LAST
                + ", after "
                + past
                + ", and no model that served was trained on or before it");
    assertThat(r.model().trainedAsOf()).isEqualTo(past.toString());
    assertThat(ModelsTable.champion(ctx)).contains(champion);
    assertSameRows(
        sql(
            "SELECT '"
                + r.model().version()
                + "' AS model_version, 'candidate' AS status, DATE'"
                + past
                + "' AS trained_as_of"),
        ctx.store()
            .read(ChurnTable.MODELS)
            .where("model_version = '" + r.model().version() + "'")
            .select("model_version", "status", "trained_as_of"));
    assertSameRows(
        sql("SELECT '" + r.model().version() + "' AS model_version"),
        ctx.store()
            .read(ChurnTable.CHURN_SCORES)
            .where("as_of_date = DATE'" + past + "'")
            .select("model_version")
            .distinct());
    // The date's next run finds that model and trains nothing: the decision nightly takes for a
    // date before the champion's training date (no reason to train; that model serves it), taken
    // without running the whole flow again.
    ModelInfo championInfo = registry().find(champion).orElseThrow();
    assertThat(NightlyJob.pastDateReason(backfill, championInfo, past)).isEmpty();
    assertThat(ModelsTable.newestTrainedBy(backfill, past)).contains(r.model().version());
  }
}
