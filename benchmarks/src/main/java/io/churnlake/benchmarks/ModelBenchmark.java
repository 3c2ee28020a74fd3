package io.churnlake.benchmarks;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.spark.ChurnSpark;
import io.churnlake.common.table.Columns;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.model.ChurnPipelines;
import io.churnlake.jobs.model.EvaluateChurnModel;
import io.churnlake.jobs.model.ExplainScores;
import io.churnlake.jobs.model.ModelInfo;
import io.churnlake.jobs.model.ScoreCustomers;
import io.churnlake.jobs.train.FitChurnModel;
import io.churnlake.jobs.train.TrainJob;
import io.churnlake.jobs.train.TrainingCalendar;
import io.churnlake.jobs.train.TrainingRecords;
import io.churnlake.jobs.train.TrainingSets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Benchmark of training and scoring at scale (run by {@code bench/models.sh}; not a test): a
 * synthetic {@code customer_features}-shaped table of N customers x (training dates + 2) weekly
 * as-of dates with F numeric features (a quarter of them drive a planted churn probability, the
 * rest are noise, a fifth are skewed counts), written to Parquet first so generation is not timed.
 * Then the same code as {@code train} ({@link TrainJob#fit}: class counts and means, non-finite
 * check, drift reference, the pipeline, isotonic calibration on the next date) on the training
 * dates, and the same code as {@code score} ({@link ScoreCustomers}: probabilities, contributions
 * and the top 3 drivers per customer, rank percentile) on a separate snapshot of S customers,
 * written to Parquet. Prints wall times and rows per second per core.
 *
 * <p>Arguments: work-dir customers training-dates features score-customers [--set key=value]...
 */
public final class ModelBenchmark {
  private static final LocalDate FIRST = LocalDate.of(2026, 1, 5);

  private ModelBenchmark() {}

  public static void main(String[] args) {
    String work = args[0];
    int customers = Integer.parseInt(args[1]);
    int trainingDates = Integer.parseInt(args[2]);
    int features = Integer.parseInt(args[3]);
    long scoreCustomers = Long.parseLong(args[4]);
    List<String> overrides = new ArrayList<>();
    overrides.add("warehouse=\"" + work + "/warehouse\"");
    overrides.add("train.search.mode=none");
    for (int i = 5; i + 1 < args.length; i += 2) {
      if (args[i].equals("--set")) {
        overrides.add(args[i + 1]);
      }
    }
    ChurnConfig config = ChurnConfigLoader.load(List.of(), overrides);
    SparkSession spark = ChurnSpark.start(config.spark());
    JobContext ctx = new JobContext(config, spark, new DeltaTableStore(spark, config.warehouse()));
    int cores = spark.sparkContext().defaultParallelism();

    long start = System.nanoTime();
    synthetic(spark, (long) customers * (trainingDates + 2), customers, features, 1, true)
        .write()
        .mode("overwrite")
        .parquet(work + "/examples");
    synthetic(spark, scoreCustomers, scoreCustomers, features, 2, false)
        .write()
        .mode("overwrite")
        .parquet(work + "/snapshot");
    double generated = seconds(start);
    Dataset<Row> examples = spark.read().parquet(work + "/examples");
    Dataset<Row> snapshot = spark.read().parquet(work + "/snapshot");

    List<LocalDate> dates = new ArrayList<>();
    for (int i = 0; i < trainingDates + 2; i++) {
      dates.add(FIRST.plusDays(7L * i));
    }
    TrainingCalendar calendar =
        new TrainingCalendar(
            dates.subList(0, trainingDates),
            Optional.of(dates.get(trainingDates)),
            dates.get(trainingDates + 1),
            List.of());
    TrainingSets.Split split = TrainingSets.timeBased(examples, calendar);
    long t0 = System.nanoTime();
    FitChurnModel.Fitted fitted =
        FitChurnModel.fit(ctx, snapshot.schema(), split, calendar.trainingDates(), 30);
    double trainSeconds = seconds(t0);
    long trainRows = (long) customers * trainingDates;

    ModelInfo info =
        TrainingRecords.info(
            config,
            "bench",
            calendar.evaluationDate(),
            calendar.trainingDates(),
            calendar.calibrationDate(),
            calendar.evaluationDate(),
            calendar.adjusted(),
            30,
            fitted,
            -1,
            TrainingSets.Validation.TIME_BASED,
            java.util.Map.of());
    ScoreCustomers scorer = new ScoreCustomers(fitted.model(), info, 3);
    double auc =
        EvaluateChurnModel.rocAuc(
            scorer
                .explained(split.evaluation().drop(ChurnPipelines.LABEL))
                .join(
                    split.evaluation().select(Columns.CUSTOMER_ID, ChurnPipelines.LABEL),
                    Columns.CUSTOMER_ID),
            ExplainScores.RAW_SCORE);

    boolean trees =
        config.train().algorithm() != io.churnlake.common.config.ChurnConfig.AlgorithmName.LOGISTIC;
    if (trees) {
      // A warm-up scoring (not counted): the first pays code generation and class loading.
      score(new ScoreCustomers(fitted.model(), info, 3, false), snapshot, work + "/warm_up");
    }
    double scoreSeconds = score(scorer, snapshot, work + "/churn_scores");
    long withDrivers =
        spark.read().parquet(work + "/churn_scores").where("size(drivers) = 3").count();
    // A tree ensemble's peer: the same scoring with Saabas path contributions instead of TreeSHAP.
    double saabasSeconds =
        trees
            ? score(
                new ScoreCustomers(fitted.model(), info, 3, false),
                snapshot,
                work + "/churn_scores_saabas")
            : Double.NaN;

    System.out.printf(
        Locale.ROOT,
        "data: %,d training rows (%,d customers x %d weekly dates) + 2 held-out dates, %d"
            + " features; generated and written in %.0f s; %d cores%n",
        trainRows,
        customers,
        trainingDates,
        features,
        generated,
        cores);
    System.out.printf(
        Locale.ROOT,
        "train %s (%s, calibration %s): %.0f s wall, %,.0f training rows/s, %,.0f rows/s per"
            + " core; held-out ROC AUC %.3f%n",
        config.train().algorithm().id(),
        TrainingRecords.parameters(config.train()),
        info.calibration(),
        trainSeconds,
        trainRows / trainSeconds,
        trainRows / trainSeconds / cores,
        auc);
    System.out.printf(
        Locale.ROOT,
        "score with drivers: %,d customers in %.0f s wall, %,.0f rows/s, %,.0f rows/s per core"
            + " (%,d with 3 drivers)%n",
        scoreCustomers,
        scoreSeconds,
        scoreCustomers / scoreSeconds,
        scoreCustomers / scoreSeconds / cores,
        withDrivers);
    if (trees) {
      System.out.printf(
          Locale.ROOT,
          "score with Saabas contributions (the peer of exact TreeSHAP): %.0f s wall, %,.0f rows/s"
              + " per core; TreeSHAP takes %.2fx its time%n",
          saabasSeconds,
          scoreCustomers / saabasSeconds / cores,
          scoreSeconds / saabasSeconds);
      if (!(scoreSeconds > 0 && saabasSeconds > 0)) {
        throw new IllegalStateException("a scoring time is missing: no ratio");
      }
    }
    spark.stop();
  }

  /** Scores and explains the snapshot and writes churn_scores rows; the seconds it took. */
  private static double score(ScoreCustomers scorer, Dataset<Row> snapshot, String path) {
    long t1 = System.nanoTime();
    Dataset<Row> explained = scorer.explained(snapshot).persist(StorageLevel.MEMORY_AND_DISK());
    ScoreCustomers.scores(explained).write().mode("overwrite").parquet(path);
    explained.unpersist();
    return seconds(t1);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /**
   * Rows of customer x weekly date: f_00 .. f_(F-1), a fifth of them skewed counts; the churn
   * probability is a logistic function of the first quarter (alternating signs).
   */
  static Dataset<Row> synthetic(
      SparkSession spark, long rows, long customers, int features, long seed, boolean label) {
    Dataset<Row> d =
        spark
            .range(0, rows, 1, Math.max(2, (int) (rows / 250_000)))
            .select(
                format_string("c%09d", col("id").mod(customers)).as(Columns.CUSTOMER_ID),
                date_add(
                        lit(java.sql.Date.valueOf(FIRST)),
                        col("id").divide(customers).cast("int").multiply(7))
                    .as(Columns.AS_OF_DATE));
    Column z = lit(-2.5);
    for (int i = 0; i < features; i++) {
      String name = String.format(Locale.ROOT, "f_%02d", i);
      Column x = randn(seed * 1000 + i);
      d = d.withColumn(name, i % 5 == 4 ? floor(exp(x)).cast("double") : x);
      if (i < features / 4) {
        z = z.plus(col(name).multiply(i % 2 == 0 ? 0.6 : -0.4));
      }
    }
    if (label) {
      Column p = lit(1.0).divide(lit(1.0).plus(exp(z.unary_$minus())));
      d =
          d.withColumn(
              ChurnPipelines.LABEL, when(rand(seed * 1000 + 999).lt(p), 1.0).otherwise(0.0));
    }
    return d;
  }
}
