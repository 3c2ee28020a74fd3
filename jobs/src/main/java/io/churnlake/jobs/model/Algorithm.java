package io.churnlake.jobs.model;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfig.TrainSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;

/**
 * A churn classifier: its MLlib estimator, the features it reads, its search grid and the
 * hyper-parameters recorded for it. The one place an algorithm is chosen ({@link #of}); adding one
 * is a constant in {@link ChurnConfig.AlgorithmName} and one class here.
 */
public interface Algorithm {

  /** The algorithm {@code train.algorithm} names. */
  static Algorithm of(ChurnConfig.AlgorithmName name) {
    return switch (name) {
      case GBT -> new GradientBoostedTrees();
      case LOGISTIC -> new Logistic();
      case RANDOM_FOREST -> new RandomForest();
    };
  }

  /** The algorithm the settings name. */
  static Algorithm of(TrainSettings t) {
    return of(t.algorithm());
  }

  /**
   * Whether the features are standardised (mean 0, variance 1) before the estimator: the estimator
   * then reads {@code features}, else the assembled {@code features_raw}.
   */
  boolean standardises();

  /**
   * The estimator with the settings' hyper-parameters, weighted by {@code weightColumn} ("": none).
   */
  PipelineStage estimator(TrainSettings t, String weightColumn);

  /**
   * The hyper-parameters a search varies, as recorded for each candidate in {@code model_search}.
   */
  Map<String, String> searched(TrainSettings t);

  /** Every hyper-parameter of the settings, as recorded in {@code models}. */
  Map<String, String> parameters(TrainSettings t);

  /** The settings of every combination of the grid's lists, in order (duplicates possible). */
  List<TrainSettings> grid(TrainSettings t);

  /** Gradient-boosted trees on the raw assembled features. */
  final class GradientBoostedTrees implements Algorithm {
    @Override
    public boolean standardises() {
      return false;
    }

    @Override
    public PipelineStage estimator(TrainSettings t, String weightColumn) {
      return new GBTClassifier()
          .setLabelCol(ChurnPipelines.LABEL)
          .setFeaturesCol("features_raw")
          .setMaxIter(t.gbt().maxIter())
          .setMaxDepth(t.gbt().maxDepth())
          .setStepSize(t.gbt().stepSize())
          .setSubsamplingRate(t.gbt().subsamplingRate())
          .setWeightCol(weightColumn)
          .setSeed(t.seed());
    }

    @Override
    public Map<String, String> searched(TrainSettings t) {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("max_iter", String.valueOf(t.gbt().maxIter()));
      p.put("max_depth", String.valueOf(t.gbt().maxDepth()));
      p.put("step_size", String.valueOf(t.gbt().stepSize()));
      return p;
    }

    @Override
    public Map<String, String> parameters(TrainSettings t) {
      Map<String, String> p = searched(t);
      p.put("subsampling_rate", String.valueOf(t.gbt().subsamplingRate()));
      return p;
    }

    @Override
    public List<TrainSettings> grid(TrainSettings t) {
      ChurnConfig.GbtGrid g = t.search().gbt();
      List<TrainSettings> all = new ArrayList<>();
      for (int iter : g.maxIter()) {
        for (int depth : g.maxDepth()) {
          for (double step : g.stepSize()) {
            all.add(
                t.withGbt(
                    new ChurnConfig.GbtSettings(iter, depth, step, t.gbt().subsamplingRate())));
          }
        }
      }
      return all;
    }
  }

  /** Elastic-net logistic regression on standardised features. */
  final class Logistic implements Algorithm {
    @Override
    public boolean standardises() {
      return true;
    }

    @Override
    public PipelineStage estimator(TrainSettings t, String weightColumn) {
      return new LogisticRegression()
          .setLabelCol(ChurnPipelines.LABEL)
          .setFeaturesCol("features")
          .setRegParam(t.logistic().regParam())
          .setElasticNetParam(t.logistic().elasticNet())
          .setMaxIter(t.logistic().maxIter())
          .setWeightCol(weightColumn);
    }

    @Override
    public Map<String, String> searched(TrainSettings t) {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("reg_param", String.valueOf(t.logistic().regParam()));
      p.put("elastic_net", String.valueOf(t.logistic().elasticNet()));
      return p;
    }

    @Override
    public Map<String, String> parameters(TrainSettings t) {
      Map<String, String> p = searched(t);
      p.put("max_iter", String.valueOf(t.logistic().maxIter()));
      return p;
    }

    @Override
    public List<TrainSettings> grid(TrainSettings t) {
      ChurnConfig.LogisticGrid g = t.search().logistic();
      List<TrainSettings> all = new ArrayList<>();
      for (double reg : g.regParam()) {
        for (double en : g.elasticNet()) {
          all.add(
              t.withLogistic(new ChurnConfig.LogisticSettings(reg, en, t.logistic().maxIter())));
        }
      }
      return all;
    }
  }

  /** A random forest on the raw assembled features. */
  final class RandomForest implements Algorithm {
    @Override
    public boolean standardises() {
      return false;
    }

    @Override
    public PipelineStage estimator(TrainSettings t, String weightColumn) {
      return new RandomForestClassifier()
          .setLabelCol(ChurnPipelines.LABEL)
          .setFeaturesCol("features_raw")
          .setNumTrees(t.randomForest().numTrees())
          .setMaxDepth(t.randomForest().maxDepth())
          .setSubsamplingRate(t.randomForest().subsamplingRate())
          .setWeightCol(weightColumn)
          .setSeed(t.seed());
    }

    @Override
    public Map<String, String> searched(TrainSettings t) {
      Map<String, String> p = new LinkedHashMap<>();
      p.put("num_trees", String.valueOf(t.randomForest().numTrees()));
      p.put("max_depth", String.valueOf(t.randomForest().maxDepth()));
      return p;
    }

    @Override
    public Map<String, String> parameters(TrainSettings t) {
      Map<String, String> p = searched(t);
      p.put("subsampling_rate", String.valueOf(t.randomForest().subsamplingRate()));
      return p;
    }

    @Override
    public List<TrainSettings> grid(TrainSettings t) {
      ChurnConfig.RandomForestGrid g = t.search().randomForest();
      List<TrainSettings> all = new ArrayList<>();
      for (int trees : g.numTrees()) {
        for (int depth : g.maxDepth()) {
          all.add(
              t.withRandomForest(
                  new ChurnConfig.RandomForestSettings(
                      trees, depth, t.randomForest().subsamplingRate())));
        }
      }
      return all;
    }
  }
}
