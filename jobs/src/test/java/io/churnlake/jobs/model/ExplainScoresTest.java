package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.testing.SparkTestBase;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reasons behind each score. Invariant: for every customer and every model family, the bias
 * plus the sum of the feature contributions equals the model's raw margin (to 1e-9), and the margin
 * is the one MLlib turns into the probability; the drivers are the largest positive contributions
 * with the customer's own values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainScoresTest extends SparkTestBase {
  static final StructType FEATURES =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, false)
          .add("days_since_last_activity", DataTypes.IntegerType)
          .add("session_trend_14d", DataTypes.DoubleType)
          .add("days_since_last_purchase", DataTypes.IntegerType)
          .add("plan", DataTypes.StringType);

  Dataset<Row> features;
  Dataset<Row> labelled;

  @BeforeAll
  void data() {
    Random random = new Random(11);
    List<Object[]> rows = new ArrayList<>();
    List<Object[]> withLabel = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int recency = random.nextInt(30);
      double trend = random.nextGaussian() * 0.5;
      Integer purchase = random.nextInt(4) == 0 ? null : random.nextInt(90);
      String plan = List.of("free", "paid", "trial").get(random.nextInt(3));
      double logit =
          -2
              + 0.12 * recency
              - 1.5 * trend
              + (plan.equals("free") ? 0.8 : 0)
              + 0.01 * (purchase == null ? 0 : purchase);
      double label = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1.0 : 0.0;
      Object[] r = {
        String.format("c%03d", i), Date.valueOf("2026-05-01"), recency, trend, purchase, plan
      };
      rows.add(r);
      Object[] l = java.util.Arrays.copyOf(r, r.length + 1);
      l[r.length] = label;
      withLabel.add(l);
    }
    features = rows(FEATURES, rows.toArray(new Object[0][]));
    features.createOrReplaceTempView("features_view");
    labelled =
        rows(
            FEATURES.add("label", DataTypes.DoubleType, false), withLabel.toArray(new Object[0][]));
  }

  private ChurnConfig config(String algorithm) {
    return ChurnConfigLoader.load(
        List.of(),
        List.of(
            "train.algorithm=" + algorithm,
            "train.class-weight=none",
            "train.gbt.max-iter=15",
            "train.random-forest.num-trees=15",
            "train.random-forest.max-depth=5"));
  }

  private static final List<String> NUMERIC =
      List.of("days_since_last_activity", "session_trend_14d", "days_since_last_purchase");

  private ModelInfo info(ChurnConfig c) {
    return new ModelInfo(
        "v0001",
        c.train().algorithm().id(),
        "2026-05-01",
        List.of("2026-05-01"),
        "2026-05-01",
        30,
        NUMERIC,
        0,
        "2026-05-01T00:00:00Z",
        Map.of(),
        "test",
        List.of("plan"),
        List.of(),
        "none",
        null,
        "explicit",
        Map.of(),
        Map.of(),
        Map.of("days_since_last_activity", 14.5),
        Map.of(),
        Map.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"logistic", "gbt", "random-forest"})
  void contributionsPlusBiasEqualTheRawMarginForEveryCustomer(String algorithm) {
    ChurnConfig c = config(algorithm);
    PipelineModel model = ChurnPipelines.build(c.train(), NUMERIC, List.of("plan")).fit(labelled);
    Dataset<Row> explained = new ScoreCustomers(model, info(c), 3).explained(features);
    explained.createOrReplaceTempView("explained");
    Row worst =
        spark()
            .sql(
                "SELECT count(*),"
                    + " max(abs(bias + aggregate(contributions, 0D, (a, x) -> a + x) - raw_score)),"
                    + " max(size(contributions)),"
                    + " count_if(transform(drivers, d -> d.contribution)"
                    + " <> slice(sort_array(filter(contributions, x -> x > 0), false), 1, 3))"
                    + " FROM explained")
            .head();
    assertThat(worst.getLong(0)).isEqualTo(400);
    assertThat(worst.getDouble(1)).isLessThan(1e-9);
    // One contribution per source column: plan's one-hot slots add up to one.
    assertThat(worst.getInt(2)).isEqualTo(4);
    assertThat(worst.getLong(3)).isZero();
    assertThat(new ScoreCustomers(model, info(c), 3).featureNames(features))
        .containsExactly(
            "days_since_last_activity", "session_trend_14d", "days_since_last_purchase", "plan");

    // The margin is the one MLlib turns into its probability.
    String probability =
        switch (algorithm) {
          case "gbt" -> "1 / (1 + exp(-2 * raw_score))";
          case "random-forest" -> "raw_score / 15";
          default -> "1 / (1 + exp(-raw_score))";
        };
    assertThat(
            spark()
                .sql("SELECT max(abs(churn_probability - " + probability + ")) FROM explained")
                .head()
                .getDouble(0))
        .isLessThan(1e-9);

    // Drivers carry the customer's own values.
    Row driverValues =
        spark()
            .sql(
                "SELECT count_if(d.value <> f.days_since_last_activity) FROM"
                    + " (SELECT customer_id, explode(drivers) AS d FROM explained) e"
                    + " JOIN features_view f USING (customer_id)"
                    + " WHERE d.feature = 'days_since_last_activity'")
            .head();
    assertThat(driverValues.getLong(0)).isZero();
  }

  /**
   * Invariant: a model saved to the registry and loaded back (what a later score run does) scores
   * and explains every customer exactly as the fitted one did (the default model and a tree
   * ensemble; random forests share the tree ensembles' persistence).
   */
  @ParameterizedTest
  @ValueSource(strings = {"logistic", "gbt"})
  void aModelSavedToTheRegistryAndLoadedBackScoresIdentically(
      String algorithm, @org.junit.jupiter.api.io.TempDir java.nio.file.Path warehouse) {
    ChurnConfig c = config(algorithm);
    PipelineModel model = ChurnPipelines.build(c.train(), NUMERIC, List.of("plan")).fit(labelled);
    ModelRegistry registry =
        new ModelRegistry(warehouse.toString(), spark().sparkContext().hadoopConfiguration());
    registry.save(model, info(c));
    PipelineModel loaded = registry.load(info(c));
    String[] shown = {"customer_id", "churn_probability", "raw_score", "contributions", "drivers"};
    List<Row> fitted =
        new ScoreCustomers(model, info(c), 3)
            .explained(features)
            .selectExpr(shown)
            .orderBy("customer_id")
            .collectAsList();
    List<Row> reloaded =
        new ScoreCustomers(loaded, info(c), 3)
            .explained(features)
            .selectExpr(shown)
            .orderBy("customer_id")
            .collectAsList();
    // Identical up to the last bits of a double: MLlib sums the trees' margins through a BLAS dot
    // product whose lane order is unspecified (SIMD), so the same model can differ by an ulp
    // between two calls of one JVM. Everything else (customers, drivers, values, reasons) exact.
    assertThat(reloaded).hasSameSizeAs(fitted);
    for (int i = 0; i < fitted.size(); i++) {
      Row f = fitted.get(i);
      Row r = reloaded.get(i);
      assertThat(r.getString(0)).isEqualTo(f.getString(0));
      assertThat(r.getDouble(1)).isCloseTo(f.getDouble(1), within(1e-12));
      assertThat(r.getDouble(2)).isCloseTo(f.getDouble(2), within(1e-12));
      List<Double> fc = f.getList(3);
      List<Double> rc = r.getList(3);
      assertThat(rc).hasSameSizeAs(fc);
      for (int k = 0; k < fc.size(); k++) {
        assertThat(rc.get(k)).isCloseTo(fc.get(k), within(1e-12));
      }
      List<Row> fd = f.getList(4);
      List<Row> rd = r.getList(4);
      assertThat(rd).hasSameSizeAs(fd);
      for (int k = 0; k < fd.size(); k++) {
        assertThat(rd.get(k).getString(0)).isEqualTo(fd.get(k).getString(0));
        assertThat(rd.get(k).get(1)).isEqualTo(fd.get(k).get(1));
        assertThat(rd.get(k).getDouble(2)).isCloseTo(fd.get(k).getDouble(2), within(1e-12));
        assertThat(rd.get(k).getString(3)).isEqualTo(fd.get(k).getString(3));
      }
    }
  }

  @Test
  void aFeatureTableThatDoesNotFitTheModelIsRefusedNamingTheColumns() {
    ChurnConfig c = config("logistic");
    PipelineModel model = ChurnPipelines.build(c.train(), NUMERIC, List.of("plan")).fit(labelled);
    Dataset<Row> changed =
        features
            .drop("session_trend_14d")
            .withColumn("support_calls_30d", features.col("days_since_last_activity"));
    assertThatThrownBy(() -> new ScoreCustomers(model, info(c), 3).explained(changed))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "table 'customer_features' does not fit model v0001: missing columns the model needs"
                + " [session_trend_14d]; columns the model does not know [support_calls_30d];"
                + " rebuild the features with the model's configuration or train a new model");
  }

  /**
   * Invariant: each driver carries the category its signal is configured under (any window or
   * per-session variant of the signal), "other" when no category lists it.
   */
  @Test
  void eachDriverCarriesTheCategoryOfItsSignal() {
    ChurnConfig c = config("logistic");
    PipelineModel model = ChurnPipelines.build(c.train(), NUMERIC, List.of("plan")).fit(labelled);
    Map<String, List<String>> categories =
        Map.of(
            "disengagement", List.of("days_since_last_activity", "session_trend"),
            "plan-change", List.of("plan"));
    List<Row> drivers =
        new ScoreCustomers(model, info(c), 3, true, categories)
            .explained(features)
            .selectExpr("explode(drivers) AS d")
            .selectExpr("d.feature", "d.category")
            .distinct()
            .collectAsList();
    assertThat(drivers).isNotEmpty();
    for (Row d : drivers) {
      String signal = ExplainScores.signal(d.getString(0));
      String expected =
          categories.entrySet().stream()
              .filter(e -> e.getValue().contains(signal))
              .map(Map.Entry::getKey)
              .findFirst()
              .orElse(ExplainScores.OTHER);
      assertThat(d.getString(1)).as(d.getString(0)).isEqualTo(expected);
    }
    assertThat(drivers.stream().map(d -> d.getString(1)).distinct().count())
        .as("more than one category among the drivers")
        .isGreaterThan(1);
  }

  @Test
  void eachSignalIsOneDriverWhateverItsWindowsAndOnlyRiskRaisingOnesCount() {
    // Invariant: a customer's drivers name distinct signals (thumbs_down in three windows was
    // three of the three reasons), largest contribution first, only those that raise the risk.
    String[] names = {
      "thumbs_down_per_session_30d",
      "thumbs_down_per_session_90d",
      "thumbs_down_30d",
      "help_per_session_30d",
      "days_since_last_activity",
      "sessions_prev_14d",
      "sessions_30d"
    };
    double[] c = {0.9, 0.8, 0.7, 0.3, 0.5, 0.2, -0.4};
    assertThat(ExplainScores.topDrivers(names, c, 3)).containsExactly(0, 4, 3);
    assertThat(ExplainScores.topDrivers(names, c, 10)).containsExactly(0, 4, 3, 5);
    assertThat(ExplainScores.signal("thumbs_down_per_session_90d")).isEqualTo("thumbs_down");
    assertThat(ExplainScores.signal("session_trend_14d")).isEqualTo("session_trend");
    assertThat(ExplainScores.signal("tenure_days")).isEqualTo("tenure_days");
  }

  /**
   * Reasons a retention agent can read: plain words from the feature's name, the customer's value
   * and what a typical customer (the training mean) has; a name outside the conventions is shown as
   * it is.
   */
  @Test
  void reasonsReadAsSentences() {
    assertThat(ExplainScores.reason("session_trend_14d", -0.6, 0.1))
        .isEqualTo("sessions fell 60% vs the previous 14 days");
    assertThat(ExplainScores.reason("days_since_last_activity", 12, 2.5))
        .isEqualTo("no activity for 12 days; a typical customer has 2.500");
    assertThat(ExplainScores.reason("thumbs_down_30d", 5, 1.2))
        .isEqualTo("5 thumbs down in the last 30 days; a typical customer has 1.200");
    assertThat(ExplainScores.reason("help_per_session_90d", 0.5, 0.125))
        .isEqualTo("0.500 help per session in the last 90 days; a typical customer has 0.125");
    assertThat(ExplainScores.reason("negative_events_7d", 4, 1))
        .isEqualTo("4 friction events in the last 7 days; a typical customer has 1");
    assertThat(ExplainScores.reason("negative_per_session_30d", 2, 0.5))
        .isEqualTo(
            "2 friction events per session in the last 30 days; a typical customer has" + " 0.500");
    assertThat(ExplainScores.reason("net_spend_30d", 12.5, 80))
        .isEqualTo("spent 12.5 in the last 30 days; a typical customer has 80");
    assertThat(ExplainScores.reason("avg_session_minutes_7d", 3.25, 12))
        .isEqualTo(
            "sessions of 3.250 minutes on average in the last 7 days; a typical customer"
                + " has 12");
    assertThat(ExplainScores.reason("sessions_prev_14d", 6, 4.5))
        .isEqualTo("6 sessions in the 14 days before the last 14; a typical customer has 4.500");
    assertThat(ExplainScores.reason("events_total", 40, 310.5))
        .isEqualTo("40 interactions in all; a typical customer has 310.5");
    assertThat(ExplainScores.reason("is_paid", 0, 0.61))
        .isEqualTo("paid: no; 61% of customers are so");
    assertThat(ExplainScores.reason("session_slope_8w", -1.5, 0.1))
        .isEqualTo("session_slope_8w: -1.500; a typical customer has 0.100");
    assertThat(ExplainScores.reason("monthly_charges", 70.3, Double.NaN))
        .isEqualTo("monthly_charges: 70.3");
    assertThat(ExplainScores.reason("plan", "free", Double.NaN)).isEqualTo("plan is 'free'");
    assertThat(ExplainScores.reason("days_since_last_purchase", null, 20))
        .isEqualTo("no purchase yet");
    assertThat(ExplainScores.reason("tenure_months", null, 20))
        .isEqualTo("tenure_months: none yet");
  }
}
