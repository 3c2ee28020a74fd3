package io.churnlake.common.config;

import com.typesafe.config.Config;

/** The configuration sections of the models: train (with its search) and clv. */
final class ModelSections extends ConfigValues {
  ModelSections(Config c) {
    super(c);
  }

  ChurnConfig.TrainSettings train() {
    ChurnConfig.AlgorithmName algorithm =
        choice("train.algorithm", ChurnConfig.AlgorithmName.class);
    return new ChurnConfig.TrainSettings(
        algorithm,
        intAtLeast("train.min-history-days", 1),
        intAtLeast("train.step-days", 1),
        intAtLeast("train.retrain-interval-days", 1),
        longValue("train.seed"),
        new ChurnConfig.GbtSettings(
            intAtLeast("train.gbt.max-iter", 1),
            intAtLeast("train.gbt.max-depth", 1),
            positive("train.gbt.step-size"),
            fraction("train.gbt.subsampling-rate")),
        new ChurnConfig.LogisticSettings(
            nonNegative("train.logistic.reg-param"),
            fraction("train.logistic.elastic-net"),
            intAtLeast("train.logistic.max-iter", 1)),
        fraction("train.cross-sectional.evaluation-share"),
        new ChurnConfig.RandomForestSettings(
            intAtLeast("train.random-forest.num-trees", 1),
            intAtLeast("train.random-forest.max-depth", 1),
            fraction("train.random-forest.subsampling-rate")),
        choice("train.class-weight", ChurnConfig.ClassWeight.class),
        choice("train.calibration", ChurnConfig.Calibration.class),
        fraction("train.evaluation.top-share"),
        intAtLeast("train.min-positives", 1),
        new ChurnConfig.PromotionSettings(
            choice("train.promotion.metric", ChurnConfig.ModelMetric.class),
            nonNegative("train.promotion.margin")),
        choice("train.non-finite", ChurnConfig.NonFinite.class),
        new ChurnConfig.RetrainSettings(
            fraction("train.retrain-on.auc-drop"),
            get(
                "train.retrain-on.drift",
                () -> c.getBoolean("train.retrain-on.drift"),
                "true or false")),
        search());
  }

  ChurnConfig.SearchSettings search() {
    String p = "train.search.";
    return new ChurnConfig.SearchSettings(
        choice(p + "mode", ChurnConfig.SearchMode.class),
        intAtLeast(p + "max-models", 1),
        intAtLeast(p + "parallelism", 1),
        intAtLeast(p + "folds", 2),
        choice(p + "metric", ChurnConfig.ModelMetric.class),
        new ChurnConfig.GbtGrid(
            positiveInts(p + "gbt.max-iter"),
            positiveInts(p + "gbt.max-depth"),
            doubles(p + "gbt.step-size", 0, false, 1)),
        new ChurnConfig.RandomForestGrid(
            positiveInts(p + "random-forest.num-trees"),
            positiveInts(p + "random-forest.max-depth")),
        new ChurnConfig.LogisticGrid(
            doubles(p + "logistic.reg-param", 0, true, Double.POSITIVE_INFINITY),
            doubles(p + "logistic.elastic-net", 0, true, 1)));
  }

  ChurnConfig.ClvSettings clv() {
    return new ChurnConfig.ClvSettings(
        choice("clv.model", ChurnConfig.ClvModel.class),
        intAtLeast("clv.horizon-months", 1),
        fraction("clv.monthly-discount-rate"),
        fraction("clv.margin"),
        intAtLeast("clv.expected-purchases-days", 1),
        intAtLeast("clv.min-customers", 2),
        intAtLeast("clv.max-groups", 1),
        intAtLeast("clv.spend-significant-digits", 1),
        get(
            "clv.accept-unconverged",
            () -> c.getBoolean("clv.accept-unconverged"),
            "true or false"),
        get("clv.nightly", () -> c.getBoolean("clv.nightly"), "true or false"),
        currency());
  }

  /** clv.currency: a short label (a code such as EUR or a symbol), 1 to 8 characters. */
  private String currency() {
    String value = string("clv.currency").strip();
    if (value.length() > 8) {
      throw io.churnlake.common.errors.ChurnErrors.badConfigValue(
          ChurnConfigLoader.ROOT + ".clv.currency",
          value,
          "a currency code or symbol of 1 to 8 characters");
    }
    return value;
  }
}
