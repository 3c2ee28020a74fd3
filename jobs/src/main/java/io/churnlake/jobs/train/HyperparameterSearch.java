package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.Algorithm;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.EvaluateChurnModel;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hyper-parameter search ({@code train.search}): candidate parameter sets of the configured
 * algorithm, each fitted and validated on folds of the training rows only (the calibration and
 * evaluation rows are never seen), ranked by the mean of the configured metric over the folds.
 *
 * <ul>
 *   <li>Time-based examples: rolling origins. The latest training date is the first origin, each
 *       further one the latest training date at least a horizon before the previous; at an origin a
 *       candidate trains on the training dates at least a horizon before it (their label windows
 *       end before it starts) and is validated on the origin's rows. Never a random split across
 *       dates.
 *   <li>Cross-sectional examples (one snapshot): seeded stratified k-fold over the training
 *       customers: within each label class customers are ordered by a seeded hash of their id and
 *       cut into k equal parts by k - 1 approximate percentiles (one aggregation).
 * </ul>
 *
 * Candidates run {@code parallelism} at a time as concurrent Spark jobs from driver threads.
 */
public final class HyperparameterSearch {
  private static final Logger LOG = LoggerFactory.getLogger(HyperparameterSearch.class);
  private static final String SCORE = "_search_score";
  private static final String FOLD = "_fold";

  private HyperparameterSearch() {}

  /** Rows to fit on and rows to validate on, and what the fold is called in reports. */
  public record Fold(String name, Dataset<Row> train, Dataset<Row> validation) {}

  /**
   * The folds of a training set and the kind of validation they give (named in every report), or
   * why there are none.
   */
  public record Plan(List<Fold> folds, String validation) {}

  /** One candidate: its settings, its parameters as recorded, its metric on each fold. */
  public record Candidate(
      int index,
      ChurnConfig.TrainSettings settings,
      Map<String, String> parameters,
      List<Double> foldValues) {
    /** Mean over the folds. */
    public double mean() {
      return foldValues.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
  }

  /**
   * What the search chose. {@code candidates} is empty when no search ran ({@code skipped} then
   * says why, unless the mode is none).
   */
  public record Result(
      ChurnConfig.TrainSettings chosen,
      List<Candidate> candidates,
      int chosenIndex,
      String metric,
      String validation,
      List<String> folds,
      Optional<String> skipped) {

    /** One line for logs, the CLI and the models table. */
    public String summary() {
      if (candidates.isEmpty()) {
        return skipped.map(s -> "no search: " + s).orElse("no search (train.search.mode = none)");
      }
      return String.format(
          Locale.ROOT,
          "%d candidates, %s; chosen #%d (%s) with mean %s %.4f",
          candidates.size(),
          validation,
          chosenIndex,
          candidates.get(chosenIndex).parameters().entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining(", ")),
          metric,
          candidates.get(chosenIndex).mean());
    }
  }

  /**
   * The candidate settings of {@code t.search()} for {@code t.algorithm()}: every combination of
   * the grid's lists in order (the first max-models) for "grid", max-models distinct combinations
   * drawn with the seed for "random", only {@code t} itself for "none". Pure.
   */
  public static List<ChurnConfig.TrainSettings> candidates(ChurnConfig.TrainSettings t) {
    ChurnConfig.SearchSettings s = t.search();
    List<ChurnConfig.TrainSettings> all = new ArrayList<>();
    if (s.mode() == ChurnConfig.SearchMode.NONE) {
      return List.of(t);
    }
    all.addAll(Algorithm.of(t).grid(t));
    List<ChurnConfig.TrainSettings> distinct = all.stream().distinct().collect(Collectors.toList());
    if (s.mode() == ChurnConfig.SearchMode.RANDOM) {
      Collections.shuffle(distinct, new Random(t.seed()));
    }
    return List.copyOf(distinct.subList(0, Math.min(s.maxModels(), distinct.size())));
  }

  /**
   * Rolling origins over training dates (ascending): the latest date, then repeatedly the latest
   * date at least {@code horizon} days before the previous origin, up to {@code folds} origins,
   * keeping only origins with at least one training date a horizon or more before them. Pure.
   */
  public static List<LocalDate> origins(List<LocalDate> trainingDates, int horizon, int folds) {
    List<LocalDate> out = new ArrayList<>();
    if (trainingDates.isEmpty()) {
      return out;
    }
    LocalDate origin = trainingDates.get(trainingDates.size() - 1);
    while (out.size() < folds) {
      LocalDate latestTrain = origin.minusDays(horizon);
      if (trainingDates.stream().noneMatch(d -> !d.isAfter(latestTrain))) {
        break;
      }
      out.add(origin);
      LocalDate before = origin.minusDays(horizon);
      Optional<LocalDate> next =
          trainingDates.stream().filter(d -> !d.isAfter(before)).reduce((a, b) -> b);
      if (next.isEmpty()) {
        break;
      }
      origin = next.get();
    }
    return out;
  }

  /** Rolling-origin folds of time-based training rows. */
  public static Plan rollingOrigin(
      Dataset<Row> train, List<LocalDate> trainingDates, int horizon, int folds) {
    List<LocalDate> origins = origins(trainingDates, horizon, folds);
    Column asOf = col(Columns.AS_OF_DATE);
    List<Fold> out = new ArrayList<>();
    for (LocalDate o : origins) {
      out.add(
          new Fold(
              o.toString(),
              train.where(asOf.leq(Date.valueOf(o.minusDays(horizon)))),
              train.where(asOf.equalTo(Date.valueOf(o)))));
    }
    String validation =
        origins.isEmpty()
            ? "rolling-origin: no training date has another a horizon ("
                + horizon
                + " days) or more before it ("
                + trainingDates.size()
                + " training dates)"
            : "rolling-origin over "
                + origins.size()
                + " origin(s) "
                + origins.stream().map(LocalDate::toString).collect(Collectors.joining(", "))
                + ", each trained on the dates a horizon or more before it";
    return new Plan(out, validation);
  }

  /**
   * Seeded stratified k-fold: fold i validates on the i-th hash slice of each label class and
   * trains on the others.
   */
  public static Plan stratifiedKFold(Dataset<Row> rows, String label, int k, long seed) {
    Column hash = xxhash64(col(Columns.CUSTOMER_ID), lit(seed));
    double[] shares = new double[k - 1];
    for (int i = 1; i < k; i++) {
      shares[i - 1] = (double) i / k;
    }
    // One row per class with its k - 1 cut points: bounded by classes, not customers.
    Map<Double, List<Long>> cuts = new LinkedHashMap<>();
    for (Row r :
        rows.groupBy(label)
            .agg(percentile_approx(hash, lit(shares), lit(100000)))
            .collectAsList()) {
      cuts.put(r.getDouble(0), r.getList(1));
    }
    Column fold = lit(0);
    for (Map.Entry<Double, List<Long>> e : cuts.entrySet()) {
      Column slice = lit(0);
      for (long cut : e.getValue()) {
        slice = slice.plus(when(hash.gt(cut), 1).otherwise(0));
      }
      fold = when(col(label).equalTo(e.getKey()), slice).otherwise(fold);
    }
    Dataset<Row> marked = rows.withColumn(FOLD, fold);
    List<Fold> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(
          new Fold(
              "fold " + (i + 1) + "/" + k,
              marked.where(col(FOLD).notEqual(i)).drop(FOLD),
              marked.where(col(FOLD).equalTo(i)).drop(FOLD)));
    }
    return new Plan(
        out,
        "seeded stratified "
            + k
            + "-fold over the training customers (seed "
            + seed
            + ", by label class)");
  }

  /**
   * Runs the search: each candidate fitted on every usable fold (at least min-positives churners
   * and both classes in its training rows, both classes in its validation rows) and ranked by the
   * mean metric; ties go to the earlier candidate. With mode none, or no usable fold, the
   * configured settings are returned and {@code skipped} says why.
   */
  public static Result run(
      ChurnConfig.TrainSettings t, Plan plan, List<String> numeric, List<String> categorical) {
    ChurnConfig.SearchSettings s = t.search();
    if (s.mode() == ChurnConfig.SearchMode.NONE) {
      return new Result(
          t, List.of(), -1, s.metric().id(), plan.validation(), List.of(), Optional.empty());
    }
    List<String> refused = new ArrayList<>();
    List<Fold> usable = usableFolds(t, plan, refused);
    if (!refused.isEmpty()) {
      LOG.warn(
          "train: search folds left out (need {} churners to train, both classes to validate): {}",
          t.minPositives(),
          refused);
    }
    if (usable.isEmpty()) {
      String why =
          plan.folds().isEmpty()
              ? plan.validation()
              : "no fold has enough churners to train and validate: " + refused;
      LOG.warn(
          "train: hyper-parameter search skipped, training the configured parameters: {}", why);
      return new Result(
          t, List.of(), -1, s.metric().id(), plan.validation(), List.of(), Optional.of(why));
    }
    List<Fold> prepared = new ArrayList<>();
    try {
      prepared.addAll(prepare(t, usable, numeric, categorical));
      String validation =
          usable.size() == plan.folds().size()
              ? plan.validation()
              : plan.validation()
                  + "; used "
                  + usable.stream().map(Fold::name).collect(Collectors.joining(", "));
      Result r = rank(t, prepared, validation);
      LOG.info("train: hyper-parameter search: {}", r.summary());
      return r;
    } finally {
      java.util.stream.Stream.concat(usable.stream(), prepared.stream())
          .forEach(
              f -> {
                f.train().unpersist();
                f.validation().unpersist();
              });
    }
  }

  /**
   * The plan's folds with at least min-positives churners and both classes in their training rows
   * and both classes in their validation rows, weighted and cached; the others are described in
   * {@code refused}.
   */
  private static List<Fold> usableFolds(
      ChurnConfig.TrainSettings t, Plan plan, List<String> refused) {
    List<Fold> usable = new ArrayList<>();
    for (Fold f : plan.folds()) {
      Row tr = f.train().agg(count("*"), sum(ChurnPipelines.LABEL)).head();
      Row va = f.validation().agg(count("*"), sum(ChurnPipelines.LABEL)).head();
      long n = tr.getLong(0);
      long pos = tr.isNullAt(1) ? 0 : (long) tr.getDouble(1);
      long vn = va.getLong(0);
      long vpos = va.isNullAt(1) ? 0 : (long) va.getDouble(1);
      if (pos < t.minPositives() || pos == n || vpos == 0 || vpos == vn) {
        refused.add(
            String.format(
                Locale.ROOT,
                "%s (training %d rows, %d churners; validation %d rows, %d churners)",
                f.name(),
                n,
                pos,
                vn,
                vpos));
        continue;
      }
      usable.add(
          new Fold(
              f.name(),
              FitChurnModel.weighted(f.train(), t.classWeight(), n, pos)
                  .persist(StorageLevel.MEMORY_AND_DISK()),
              f.validation().persist(StorageLevel.MEMORY_AND_DISK())));
    }
    return usable;
  }

  /**
   * Every candidate shares the stages before the classifier: they are fitted once per fold and the
   * candidates fit their classifiers on the cached, transformed rows (the same models as fitting
   * each candidate's whole pipeline, without refitting indexers and scalers per candidate).
   */
  private static List<Fold> prepare(
      ChurnConfig.TrainSettings t,
      List<Fold> usable,
      List<String> numeric,
      List<String> categorical) {
    List<Fold> prepared = new ArrayList<>();
    for (Fold f : usable) {
      PipelineModel pre = ChurnPipelines.preprocessing(t, numeric, categorical).fit(f.train());
      prepared.add(
          new Fold(
              f.name(),
              modelInputs(pre.transform(f.train())).persist(StorageLevel.MEMORY_AND_DISK()),
              modelInputs(pre.transform(f.validation())).persist(StorageLevel.MEMORY_AND_DISK())));
    }
    return prepared;
  }

  /** Each candidate validated on the prepared folds (in parallel), the best mean first chosen. */
  private static Result rank(ChurnConfig.TrainSettings t, List<Fold> prepared, String validation) {
    ChurnConfig.SearchSettings s = t.search();
    List<ChurnConfig.TrainSettings> candidates = candidates(t);
    ExecutorService pool = Executors.newFixedThreadPool(s.parallelism());
    try {
      List<Future<List<Double>>> futures = new ArrayList<>();
      for (ChurnConfig.TrainSettings c : candidates) {
        futures.add(pool.submit(() -> validate(c, prepared, s.metric())));
      }
      List<Candidate> out = new ArrayList<>();
      int best = 0;
      for (int i = 0; i < candidates.size(); i++) {
        Candidate c =
            new Candidate(i, candidates.get(i), searched(candidates.get(i)), get(futures.get(i)));
        out.add(c);
        if (c.mean() > out.get(best).mean()) {
          best = i;
        }
      }
      return new Result(
          candidates.get(best),
          out,
          best,
          s.metric().id(),
          validation,
          prepared.stream().map(Fold::name).toList(),
          Optional.empty());
    } finally {
      pool.shutdownNow();
    }
  }

  /** The columns a classifier reads from {@link ChurnPipelines#preprocessing}'s output. */
  private static Dataset<Row> modelInputs(Dataset<Row> transformed) {
    List<String> have = List.of(transformed.columns());
    return transformed.select(
        java.util.stream.Stream.of(
                ChurnPipelines.LABEL, ChurnPipelines.WEIGHT, "features_raw", "features")
            .filter(have::contains)
            .map(c -> col(c))
            .toArray(Column[]::new));
  }

  /** A candidate's metric on each fold, its classifier fitted on the fold's prepared rows. */
  private static List<Double> validate(
      ChurnConfig.TrainSettings c, List<Fold> folds, ChurnConfig.ModelMetric metric) {
    List<Double> values = new ArrayList<>();
    for (Fold f : folds) {
      PipelineModel m =
          new Pipeline()
              .setStages(new PipelineStage[] {ChurnPipelines.classifier(c)})
              .fit(f.train());
      Dataset<Row> scored =
          m.transform(f.validation())
              .select(
                  functions.vector_to_array(col("probability"), "float64").getItem(1).as(SCORE),
                  col(ChurnPipelines.LABEL));
      values.add(
          metric == ChurnConfig.ModelMetric.PR_AUC
              ? EvaluateChurnModel.prAuc(scored, SCORE)
              : EvaluateChurnModel.rocAuc(scored, SCORE));
    }
    return values;
  }

  private static <T> T get(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("hyper-parameter search interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The parameters a search varies, as recorded for a candidate. */
  static Map<String, String> searched(ChurnConfig.TrainSettings t) {
    return Algorithm.of(t).searched(t);
  }
}
