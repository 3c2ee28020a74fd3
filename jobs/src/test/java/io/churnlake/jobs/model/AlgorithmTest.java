package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import java.util.List;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.junit.jupiter.api.Test;

/**
 * The algorithm type without Spark: the configured name chooses the estimator, the features it
 * reads, the grid a search walks and the parameters recorded, each in one class.
 */
class AlgorithmTest {
  private static ChurnConfig.TrainSettings settings(String... overrides) {
    return ChurnConfigLoader.load(List.of(), List.of(overrides)).train();
  }

  @Test
  void eachNameBuildsItsEstimatorWithTheConfiguredParameters() {
    // Invariant: the estimator trained is the one recorded (the models table's algorithm and
    // parameters describe the model that was fitted), for every configurable name.
    ChurnConfig.TrainSettings gbt =
        settings("train.algorithm=gbt", "train.gbt.max-iter=7", "train.gbt.max-depth=2");
    GBTClassifier g = (GBTClassifier) Algorithm.of(gbt).estimator(gbt, "w");
    assertThat(List.of(g.getMaxIter(), g.getMaxDepth())).containsExactly(7, 2);
    assertThat(g.getFeaturesCol()).isEqualTo("features_raw");
    assertThat(g.getWeightCol()).isEqualTo("w");
    assertThat(Algorithm.of(gbt).parameters(gbt))
        .containsExactly(
            java.util.Map.entry("max_iter", "7"),
            java.util.Map.entry("max_depth", "2"),
            java.util.Map.entry("step_size", String.valueOf(gbt.gbt().stepSize())),
            java.util.Map.entry("subsampling_rate", String.valueOf(gbt.gbt().subsamplingRate())));

    ChurnConfig.TrainSettings logistic =
        settings("train.algorithm=logistic", "train.logistic.reg-param=0.25");
    LogisticRegression l = (LogisticRegression) Algorithm.of(logistic).estimator(logistic, "");
    assertThat(l.getRegParam()).isEqualTo(0.25);
    assertThat(l.getFeaturesCol()).isEqualTo("features");
    assertThat(Algorithm.of(logistic).standardises()).isTrue();
    assertThat(Algorithm.of(logistic).parameters(logistic).keySet())
        .containsExactly("reg_param", "elastic_net", "max_iter");

    ChurnConfig.TrainSettings forest =
        settings("train.algorithm=random-forest", "train.random-forest.num-trees=11");
    RandomForestClassifier r = (RandomForestClassifier) Algorithm.of(forest).estimator(forest, "");
    assertThat(r.getNumTrees()).isEqualTo(11);
    assertThat(r.getFeaturesCol()).isEqualTo("features_raw");
    assertThat(Algorithm.of(forest).standardises()).isFalse();
    assertThat(Algorithm.of(forest).searched(forest).keySet())
        .containsExactly("num_trees", "max_depth");

    // Each configurable name its own estimator, spelled in the config as the models table records.
    assertThat(
            java.util.Arrays.stream(ChurnConfig.AlgorithmName.values())
                .map(n -> Algorithm.of(n).estimator(settings("train.algorithm=" + n.id()), "")))
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("GBTClassifier", "LogisticRegression", "RandomForestClassifier");
  }

  @Test
  void theGridIsEveryCombinationInOrderKeepingTheUnsearchedParameters() {
    ChurnConfig.TrainSettings t =
        settings(
            "train.algorithm=random-forest",
            "train.random-forest.subsampling-rate=0.5",
            "train.search.random-forest.num-trees=[10, 20]",
            "train.search.random-forest.max-depth=[3, 5, 7]");
    assertThat(Algorithm.of(t).grid(t))
        .extracting(
            s ->
                s.randomForest().numTrees()
                    + "/"
                    + s.randomForest().maxDepth()
                    + "/"
                    + s.randomForest().subsamplingRate())
        .containsExactly("10/3/0.5", "10/5/0.5", "10/7/0.5", "20/3/0.5", "20/5/0.5", "20/7/0.5");
  }

  @Test
  void anUnknownNameIsRefusedAtTheConfigBoundaryListingTheNames() {
    assertThatThrownBy(() -> settings("train.algorithm=xgboost"))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining("train.algorithm")
        .hasMessageContaining("xgboost")
        .hasMessageContaining("gbt, logistic, random-forest");
  }
}
