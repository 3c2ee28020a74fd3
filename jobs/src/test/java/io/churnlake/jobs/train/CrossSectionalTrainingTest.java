package io.churnlake.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ModelPlots;
import io.churnlake.jobs.model.ModelRegistry;
import io.churnlake.jobs.testing.Examples;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on a customer snapshot with a given churn flag (no history to split by date).
 * Invariants: the split is by customer (no customer on both sides), seeded (same seed, same split)
 * and stratified (each class loses the same share to evaluation); the model and its metrics say
 * they come from cross-sectional validation.
 */
class CrossSectionalTrainingTest extends SparkTestBase {
  static final StructType CUSTOMERS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("snapshot_date", DataTypes.DateType)
          .add("churned", DataTypes.BooleanType)
          .add("contract", DataTypes.StringType)
          .add("monthly_charges", DataTypes.DoubleType)
          .add("tenure_months", DataTypes.IntegerType)
          .add("source", DataTypes.StringType)
          .add("source_file", DataTypes.StringType)
          .add("ingest_run_id", DataTypes.StringType);

  @TempDir Path dir;

  /** 600 customers; month-to-month contracts churn far more often (a planted driver). */
  private Dataset<Row> snapshot() {
    Random random = new Random(5);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String contract = List.of("Month-to-month", "One year", "Two year").get(random.nextInt(3));
      double p =
          contract.equals("Month-to-month") ? 0.45 : contract.equals("One year") ? 0.1 : 0.03;
      rows.add(
          new Object[] {
            String.format("%04d-C", i),
            Date.valueOf("2026-03-31"),
            random.nextDouble() < p,
            contract,
            20 + 80 * random.nextDouble(),
            random.nextInt(72),
            "crm",
            "customers-2026-03-31.csv",
            "run"
          });
    }
    return rows(CUSTOMERS, rows.toArray(new Object[0][]));
  }

  @Test
  void theSplitIsBySeededHashStratifiedByTheLabelAndLosesNoCustomer() {
    Dataset<Row> examples =
        snapshot().selectExpr("customer_id", "CAST(churned AS DOUBLE) AS label", "contract");
    TrainingSets.Split a = TrainingSets.crossSectional(examples, "label", 0.25, 7);
    TrainingSets.Split again = TrainingSets.crossSectional(examples, "label", 0.25, 7);
    TrainingSets.Split other = TrainingSets.crossSectional(examples, "label", 0.25, 8);
    assertThat(a.validation()).isEqualTo(TrainingSets.Validation.CROSS_SECTIONAL);
    List<String> train = Examples.text(a.train().select("customer_id"));
    List<String> held = Examples.text(a.evaluation().select("customer_id"));
    assertThat(train).doesNotContainAnyElementsOf(held);
    List<String> all = new ArrayList<>(train);
    all.addAll(held);
    assertThat(all.stream().sorted().toList())
        .isEqualTo(Examples.text(examples.select("customer_id")));
    assertThat(Examples.text(again.evaluation().select("customer_id"))).isEqualTo(held);
    assertThat(Examples.text(other.evaluation().select("customer_id"))).isNotEqualTo(held);
    // Stratified: each class holds out a quarter of its customers (up to one customer).
    for (double label : new double[] {0.0, 1.0}) {
      long total = examples.where("label = " + label).count();
      long out = a.evaluation().where("label = " + label).count();
      assertThat((double) out)
          .as("class %s", label)
          .isCloseTo(0.25 * total, org.assertj.core.data.Offset.offset(1.5));
    }
  }

  @Test
  void givenLabelsTrainACrossSectionalModelThatSaysSo() throws java.io.IOException {
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(),
            List.of("warehouse=\"" + dir.resolve("warehouse") + "\"", "labels.definition=given"));
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    ctx.store().replaceWhere(ChurnTable.CUSTOMERS, snapshot(), "true");
    TrainJob.Trained trained = TrainJob.run(ctx, LocalDate.of(2026, 4, 5));
    ModelInfo m = trained.model();
    assertThat(trained.champion()).isTrue();
    assertThat(trained.decision()).isEqualTo("first model: no champion to beat");
    // 101 calibration customers: isotonic calibration fitted on each half made the other half's
    // calibration error worse, so the model keeps its classifier's probabilities and says so.
    assertThat(m.calibration()).isEqualTo("none");
    assertThat(m.calibrationDate()).isEqualTo("2026-03-31");
    assertThat(m.parameters().get("calibration_check"))
        .matches(
            "refused, it made the calibration error worse: out-of-fold ECE 0\\.\\d{4} with"
                + " isotonic calibration vs 0\\.\\d{4} without, on \\d+ rows");
    assertThat(m.validation()).isEqualTo(TrainingSets.Validation.CROSS_SECTIONAL.description());
    // The search validated on stratified folds of the training customers and says so; its chosen
    // candidate's parameters are the model's.
    assertThat(m.parameters().get("search"))
        .startsWith(
            "3 candidates, seeded stratified 2-fold over the training customers (seed 9, by label"
                + " class); chosen #");
    List<Row> search =
        ctx.store()
            .read(ChurnTable.MODEL_SEARCH)
            .where("model_version = 'v0000'")
            .orderBy("candidate")
            .collectAsList();
    assertThat(search)
        .extracting(r -> r.getMap(r.fieldIndex("parameters")).apply("reg_param"))
        .containsExactly("0.001", "0.01", "0.1");
    assertThat(search).allMatch(r -> r.getList(r.fieldIndex("fold_values")).size() == 2);
    Row chosen =
        search.stream().filter(r -> r.getBoolean(r.fieldIndex("chosen"))).findFirst().orElseThrow();
    assertThat(search.stream().filter(r -> r.getBoolean(r.fieldIndex("chosen")))).hasSize(1);
    assertThat(chosen.getMap(chosen.fieldIndex("parameters")).apply("reg_param"))
        .isEqualTo(m.parameters().get("reg_param"));
    assertThat(search.stream().mapToDouble(r -> r.getDouble(r.fieldIndex("mean"))).max())
        .hasValue(chosen.getDouble(chosen.fieldIndex("mean")));
    assertThat(m.trainingDates()).containsExactly("2026-03-31");
    assertThat(m.evaluationDate()).isEqualTo("2026-03-31");
    assertThat(m.featureColumns()).contains("monthly_charges", "tenure_months");
    // The contract drives churn: a model that learned it ranks well above chance.
    assertThat(m.metric("roc_auc")).isGreaterThan(0.7);
    assertThat(m.metrics()).doesNotContainKey("baseline_recency_roc_auc");
    // Three disjoint folds: a quarter of each class for evaluation, as many for calibration.
    assertThat(m.metric("evaluation_customers")).isBetween(140.0, 160.0);
    assertThat(m.metric("training_examples")).isBetween(290.0, 310.0);

    // The evaluation's pictures sit in the model's directory, as PNG files.
    java.nio.file.Path plots =
        java.nio.file.Path.of(
            new ModelRegistry(config.warehouse(), spark().sparkContext().hadoopConfiguration())
                .directory(m.version())
                .toUri()
                .getPath(),
            "plots");
    for (String f : ModelPlots.FILES) {
      byte[] png = java.nio.file.Files.readAllBytes(plots.resolve(f));
      assertThat(java.util.Arrays.copyOf(png, 4))
          .as(f)
          .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    }

    // Reproducible: the same table versions and seed give the same search, parameters and
    // metrics (to 1e-12: Spark's AUC sums partitions in an order that can change the last bit).
    // The retrained model ties the champion on the same rows, so it stays a candidate.
    TrainJob.Trained again = TrainJob.run(ctx, LocalDate.of(2026, 4, 5));
    assertThat(again.model().version()).isEqualTo("v0001");
    assertThat(again.model().parameters()).isEqualTo(m.parameters());
    assertThat(again.model().metrics().keySet()).isEqualTo(m.metrics().keySet());
    m.metrics()
        .forEach(
            (k, v) ->
                assertThat(again.model().metric(k))
                    .as(k)
                    .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-12)));
    assertThat(again.champion()).isFalse();
    assertThat(again.decision())
        .isEqualTo(
            String.format(
                java.util.Locale.ROOT,
                "roc_auc %.4f vs champion v0000 %.4f on 2026-03-31 (margin 0.0000): kept as"
                    + " candidate",
                m.metric("roc_auc"),
                m.metric("roc_auc")));
    assertThat(
            ctx.store()
                .read(ChurnTable.MODELS)
                .selectExpr("model_version", "status")
                .orderBy("model_version")
                .collectAsList()
                .toString())
        .isEqualTo("[[v0000,champion], [v0001,candidate]]");
  }

  @Test
  void givenLabelsWithoutACustomersTableFailNamingTheTable() {
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(),
            List.of("warehouse=\"" + dir.resolve("empty") + "\"", "labels.definition=given"));
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TrainJob.run(ctx, LocalDate.of(2026, 4, 5)))
        .isInstanceOf(io.churnlake.common.errors.ChurnException.class)
        .hasMessageContaining("table 'customers' does not exist")
        .hasMessageContaining("ingest a source of kind customers first");
  }
}
