package io.churnlake.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.EvaluateChurnModel;
import io.churnlake.jobs.testing.Examples;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Hyper-parameter search. Invariants: a rolling-origin fold never trains on a date whose label
 * window reaches its validation date (training dates are at least a horizon before the origin) and
 * validates on exactly the origin's rows; stratified k-fold validation folds partition the
 * customers with each class spread evenly; the candidate list is the grid in order (or a seeded,
 * distinct draw from it) capped at max-models; each candidate's figure is that of the same pipeline
 * fitted on the fold's training rows alone; the chosen candidate has the best mean; parallel fits
 * give the same figures as serial ones; with no usable fold the configured parameters are trained
 * and the reason is said.
 */
class HyperparameterSearchTest extends SparkTestBase {
  static final StructType EXAMPLES =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("signal", DataTypes.DoubleType)
          .add("noise", DataTypes.DoubleType)
          .add("label", DataTypes.DoubleType);

  static final LocalDate FIRST = LocalDate.of(2026, 1, 5);

  /** 13 weekly dates, 2026-01-05 to 2026-03-30. */
  static List<LocalDate> weekly() {
    List<LocalDate> dates = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      dates.add(FIRST.plusDays(7L * i));
    }
    return dates;
  }

  /** 120 customers per date; churn is likelier with a higher signal. */
  private Dataset<Row> examples(List<LocalDate> dates) {
    Random random = new Random(11);
    List<Object[]> rows = new ArrayList<>();
    for (LocalDate d : dates) {
      for (int i = 0; i < 120; i++) {
        double signal = random.nextGaussian();
        double p = 1 / (1 + Math.exp(-(2 * signal - 1.5)));
        rows.add(
            new Object[] {
              String.format("c%03d", i),
              Date.valueOf(d),
              signal,
              random.nextGaussian(),
              random.nextDouble() < p ? 1.0 : 0.0
            });
      }
    }
    return rows(EXAMPLES, rows.toArray(new Object[0][]));
  }

  private static ChurnConfig.TrainSettings settings(String... overrides) {
    List<String> all = new ArrayList<>(List.of(overrides));
    return ChurnConfigLoader.load(List.of(), all).train();
  }

  @Test
  void rollingOriginsAreTheLatestTrainingDatesAHorizonApart() {
    assertThat(HyperparameterSearch.origins(weekly(), 30, 1))
        .containsExactly(LocalDate.of(2026, 3, 30));
    // A third origin (2026-01-19) would have no training date a horizon before it.
    assertThat(HyperparameterSearch.origins(weekly(), 30, 3))
        .containsExactly(LocalDate.of(2026, 3, 30), LocalDate.of(2026, 2, 23));
    assertThat(HyperparameterSearch.origins(weekly(), 40, 5))
        .containsExactly(LocalDate.of(2026, 3, 30), LocalDate.of(2026, 2, 16));
    assertThat(HyperparameterSearch.origins(weekly().subList(0, 4), 30, 2)).isEmpty();
    assertThat(HyperparameterSearch.origins(List.of(), 30, 2)).isEmpty();
  }

  @Test
  void aRollingOriginFoldTrainsOnlyOnDatesAHorizonBeforeItsValidationDate() {
    Dataset<Row> examples = examples(weekly());
    HyperparameterSearch.Plan plan = HyperparameterSearch.rollingOrigin(examples, weekly(), 30, 2);
    assertThat(plan.folds())
        .extracting(HyperparameterSearch.Fold::name)
        .containsExactly("2026-03-30", "2026-02-23");
    assertThat(plan.validation())
        .isEqualTo(
            "rolling-origin over 2 origin(s) 2026-03-30, 2026-02-23, each trained on the dates a"
                + " horizon or more before it");
    for (HyperparameterSearch.Fold f : plan.folds()) {
      LocalDate origin = LocalDate.parse(f.name());
      List<String> trainDates = Examples.text(f.train().select("as_of_date").distinct());
      List<String> expected = new ArrayList<>();
      for (LocalDate d : weekly()) {
        if (!d.isAfter(origin.minusDays(30))) {
          expected.add("[" + d + "]");
        }
      }
      assertThat(trainDates).containsExactlyElementsOf(expected);
      assertThat(Examples.text(f.validation()))
          .isEqualTo(Examples.text(examples.where("as_of_date = DATE'" + origin + "'")));
    }
    HyperparameterSearch.Plan none =
        HyperparameterSearch.rollingOrigin(examples, weekly().subList(0, 4), 30, 2);
    assertThat(none.folds()).isEmpty();
    assertThat(none.validation())
        .isEqualTo(
            "rolling-origin: no training date has another a horizon (30 days) or more before it"
                + " (4 training dates)");
  }

  @Test
  void stratifiedFoldsPartitionTheCustomersAndSpreadEachClassEvenly() {
    Dataset<Row> rows =
        examples(List.of(FIRST))
            .withColumn(
                "customer_id",
                org.apache.spark.sql.functions.concat(
                    org.apache.spark.sql.functions.col("customer_id"),
                    org.apache.spark.sql.functions.lit("-x")));
    HyperparameterSearch.Plan plan = HyperparameterSearch.stratifiedKFold(rows, "label", 3, 9);
    assertThat(plan.folds())
        .extracting(HyperparameterSearch.Fold::name)
        .containsExactly("fold 1/3", "fold 2/3", "fold 3/3");
    List<String> all = Examples.text(rows);
    List<String> validated = new ArrayList<>();
    long churners = rows.where("label = 1").count();
    long others = rows.count() - churners;
    for (HyperparameterSearch.Fold f : plan.folds()) {
      List<String> v = Examples.text(f.validation());
      List<String> t = Examples.text(f.train());
      assertThat(t).doesNotContainAnyElementsOf(v);
      List<String> both = new ArrayList<>(t);
      both.addAll(v);
      assertThat(both.stream().sorted().toList()).isEqualTo(all);
      validated.addAll(v);
      long vChurners = f.validation().where("label = 1").count();
      long vOthers = f.validation().count() - vChurners;
      assertThat((double) vChurners)
          .isCloseTo(churners / 3.0, org.assertj.core.data.Offset.offset(1.0));
      assertThat((double) vOthers)
          .isCloseTo(others / 3.0, org.assertj.core.data.Offset.offset(1.0));
    }
    assertThat(validated.stream().sorted().toList()).isEqualTo(all);
    // Seeded: the same seed gives the same folds, another seed others.
    HyperparameterSearch.Plan again = HyperparameterSearch.stratifiedKFold(rows, "label", 3, 9);
    HyperparameterSearch.Plan other = HyperparameterSearch.stratifiedKFold(rows, "label", 3, 10);
    assertThat(Examples.text(again.folds().get(0).validation()))
        .isEqualTo(Examples.text(plan.folds().get(0).validation()));
    assertThat(Examples.text(other.folds().get(0).validation()))
        .isNotEqualTo(Examples.text(plan.folds().get(0).validation()));
  }

  @Test
  void candidatesAreTheGridInOrderOrASeededDistinctDrawCappedAtMaxModels() {
    ChurnConfig.TrainSettings grid =
        settings(
            "train.algorithm=logistic",
            "train.search.mode=grid",
            "train.search.max-models=4",
            "train.search.logistic.reg-param=[0.001, 0.01, 0.1]",
            "train.search.logistic.elastic-net=[0.0, 0.5]");
    assertThat(HyperparameterSearch.candidates(grid))
        .extracting(t -> t.logistic().regParam() + "/" + t.logistic().elasticNet())
        .containsExactly("0.001/0.0", "0.001/0.5", "0.01/0.0", "0.01/0.5");
    ChurnConfig.TrainSettings random =
        settings(
            "train.algorithm=gbt",
            "train.search.mode=random",
            "train.search.max-models=3",
            "train.search.gbt.max-iter=[20, 40]",
            "train.search.gbt.max-depth=[3, 4, 5]",
            "train.search.gbt.step-size=[0.1]");
    List<ChurnConfig.TrainSettings> drawn = HyperparameterSearch.candidates(random);
    assertThat(drawn).hasSize(3).doesNotHaveDuplicates();
    assertThat(drawn).isEqualTo(HyperparameterSearch.candidates(random));
    Set<String> gridValues = new HashSet<>();
    for (int it : List.of(20, 40)) {
      for (int depth : List.of(3, 4, 5)) {
        gridValues.add(it + "/" + depth + "/0.1");
      }
    }
    assertThat(drawn)
        .extracting(t -> t.gbt().maxIter() + "/" + t.gbt().maxDepth() + "/" + t.gbt().stepSize())
        .allMatch(gridValues::contains);
    // Parameters the grid does not list keep their configured values.
    assertThat(drawn).allMatch(t -> t.gbt().subsamplingRate() == random.gbt().subsamplingRate());
    ChurnConfig.TrainSettings none = settings("train.search.mode=none");
    assertThat(HyperparameterSearch.candidates(none)).containsExactly(none);
  }

  @Test
  void eachCandidateIsValidatedOnFoldsItNeverTrainedOnAndTheBestMeanIsChosen() {
    Dataset<Row> examples = examples(weekly());
    List<String> numeric = List.of("signal", "noise");
    ChurnConfig.TrainSettings t =
        settings(
            "train.algorithm=logistic",
            "train.search.mode=grid",
            "train.search.parallelism=2",
            "train.search.logistic.reg-param=[0.001, 3.0]",
            "train.search.logistic.elastic-net=[1.0]");
    HyperparameterSearch.Plan plan = HyperparameterSearch.rollingOrigin(examples, weekly(), 30, 2);
    HyperparameterSearch.Result r = HyperparameterSearch.run(t, plan, numeric, List.of());
    assertThat(r.candidates()).hasSize(2);
    assertThat(r.folds()).containsExactly("2026-03-30", "2026-02-23");
    assertThat(r.skipped()).isEmpty();
    for (HyperparameterSearch.Candidate c : r.candidates()) {
      assertThat(c.foldValues()).hasSize(2);
      for (int i = 0; i < 2; i++) {
        HyperparameterSearch.Fold f = plan.folds().get(i);
        PipelineModel m = ChurnPipelines.build(c.settings(), numeric, List.of()).fit(f.train());
        Dataset<Row> scored =
            m.transform(f.validation())
                .select(
                    functions
                        .vector_to_array(
                            org.apache.spark.sql.functions.col("probability"), "float64")
                        .getItem(1)
                        .as("s"),
                    org.apache.spark.sql.functions.col("label"));
        assertThat(c.foldValues().get(i))
            .isCloseTo(
                EvaluateChurnModel.rocAuc(scored, "s"), org.assertj.core.data.Offset.offset(1e-12));
      }
    }
    int best = r.candidates().get(0).mean() >= r.candidates().get(1).mean() ? 0 : 1;
    assertThat(r.chosenIndex()).isEqualTo(best);
    assertThat(r.chosen()).isEqualTo(r.candidates().get(best).settings());
    // An L1 penalty of 3 on standardised features leaves no coefficient: a constant score.
    assertThat(r.candidates().get(1).mean()).isEqualTo(0.5);
    assertThat(r.chosenIndex()).isZero();
    assertThat(r.summary())
        .startsWith(
            "2 candidates, rolling-origin over 2 origin(s) 2026-03-30, 2026-02-23, each trained on"
                + " the dates a horizon or more before it; chosen #0 (reg_param=0.001,"
                + " elastic_net=1.0) with mean roc_auc 0.");
    // One candidate at a time gives the same figures.
    ChurnConfig.TrainSettings serial =
        settings(
            "train.algorithm=logistic",
            "train.search.mode=grid",
            "train.search.parallelism=1",
            "train.search.logistic.reg-param=[0.001, 3.0]",
            "train.search.logistic.elastic-net=[1.0]");
    // Up to the order in which Spark adds partition sums (seen: 1 ulp when the cached folds were
    // recomputed), as the per-fold check above.
    List<HyperparameterSearch.Candidate> serialCandidates =
        HyperparameterSearch.run(serial, plan, numeric, List.of()).candidates();
    assertThat(serialCandidates).hasSameSizeAs(r.candidates());
    for (int c = 0; c < serialCandidates.size(); c++) {
      List<Double> expected = r.candidates().get(c).foldValues();
      List<Double> actual = serialCandidates.get(c).foldValues();
      assertThat(actual).hasSameSizeAs(expected);
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.get(i))
            .isCloseTo(expected.get(i), org.assertj.core.data.Offset.offset(1e-12));
      }
    }
  }

  @Test
  void withoutAUsableFoldTheConfiguredParametersAreTrainedAndTheReasonIsSaid() {
    Dataset<Row> examples = examples(weekly().subList(0, 4));
    ChurnConfig.TrainSettings t = settings("train.algorithm=logistic", "train.search.mode=grid");
    HyperparameterSearch.Result r =
        HyperparameterSearch.run(
            t,
            HyperparameterSearch.rollingOrigin(examples, weekly().subList(0, 4), 30, 2),
            List.of("signal", "noise"),
            List.of());
    assertThat(r.chosen()).isEqualTo(t);
    assertThat(r.candidates()).isEmpty();
    assertThat(r.summary())
        .isEqualTo(
            "no search: rolling-origin: no training date has another a horizon (30 days) or more"
                + " before it (4 training dates)");
    // Folds whose training rows have too few churners are left out, and said so.
    ChurnConfig.TrainSettings strict =
        settings(
            "train.algorithm=logistic", "train.search.mode=grid", "train.min-positives=100000");
    HyperparameterSearch.Result refused =
        HyperparameterSearch.run(
            strict,
            HyperparameterSearch.rollingOrigin(examples(weekly()), weekly(), 30, 1),
            List.of("signal", "noise"),
            List.of());
    assertThat(refused.candidates()).isEmpty();
    assertThat(refused.skipped().orElseThrow())
        .startsWith("no fold has enough churners to train and validate: [2026-03-30 (training ");
  }
}
