package io.churnlake.jobs.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.table.Columns;
import io.churnlake.jobs.model.ChurnPipelines;
import java.sql.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Splits labelled examples (features joined with labels, one row per customer and as-of date) into
 * a training and an evaluation set, and says which kind of validation the split gives, so every
 * report can name it. Pure transforms.
 *
 * <ul>
 *   <li>Time-based (dated labels): training rows are the training as-of dates, evaluation rows the
 *       evaluation date, a full horizon later ({@link TrainingCalendar}); never a random split
 *       across dates.
 *   <li>Cross-sectional (one snapshot with a given flag, no history): a seeded split of customers,
 *       stratified by the label: within each class the same share of customers, those with the
 *       lowest seeded hash of their id, is held out. The class thresholds come from one
 *       approximate-percentile aggregation, so no class is ever gathered in one task.
 * </ul>
 */
public final class TrainingSets {
  private TrainingSets() {}

  /** How a split validates a model; written with its metrics. */
  public enum Validation {
    TIME_BASED("time-based: trained on earlier as-of dates, evaluated on a later one"),
    CROSS_SECTIONAL(
        "cross-sectional: one snapshot, seeded split of customers stratified by the given label");

    private final String description;

    Validation(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  /**
   * Training, calibration (when asked for) and evaluation rows, and the kind of validation they
   * give. The three never share a row.
   */
  public record Split(
      Dataset<Row> train,
      Optional<Dataset<Row>> calibration,
      Dataset<Row> evaluation,
      Validation validation) {}

  /** Rows of the calendar's training dates to train on, of its evaluation date to evaluate. */
  public static Split timeBased(Dataset<Row> examples, TrainingCalendar calendar) {
    Column asOf = col(Columns.AS_OF_DATE);
    return new Split(
        examples.where(asOf.isin(calendar.trainingDates().stream().map(Date::valueOf).toArray())),
        calendar.calibrationDate().map(c -> examples.where(asOf.equalTo(Date.valueOf(c)))),
        examples.where(asOf.equalTo(Date.valueOf(calendar.evaluationDate()))),
        Validation.TIME_BASED);
  }

  /**
   * Holds out {@code evaluationShare} of the customers of each label class, chosen by a hash of the
   * customer id and {@code seed} (the same seed gives the same split).
   *
   * @param label the 0/1 label column
   */
  public static Split crossSectional(
      Dataset<Row> examples, String label, double evaluationShare, long seed) {
    return crossSectional(examples, label, evaluationShare, seed, false);
  }

  /**
   * As {@link #crossSectional(Dataset, String, double, long)}; with {@code calibrate}, a second
   * fold of the same size (stratified the same way, with seed + 1) is held out of the training rows
   * for calibration.
   */
  public static Split crossSectional(
      Dataset<Row> examples, String label, double evaluationShare, long seed, boolean calibrate) {
    Split first = holdOut(examples, label, evaluationShare, seed);
    if (!calibrate) {
      return first;
    }
    Split second = holdOut(first.train(), label, evaluationShare / (1 - evaluationShare), seed + 1);
    return new Split(
        second.train(), Optional.of(second.evaluation()), first.evaluation(), first.validation());
  }

  private static Split holdOut(
      Dataset<Row> examples, String label, double evaluationShare, long seed) {
    Column hash = xxhash64(col(Columns.CUSTOMER_ID), lit(seed));
    Dataset<Row> hashed = examples.withColumn(HASH, hash);
    // One row per class: bounded by the number of classes, not by customers.
    Map<Double, Long> threshold = new HashMap<>();
    for (Row r :
        hashed
            .groupBy(label)
            .agg(percentile_approx(col(HASH), lit(evaluationShare), lit(100000)))
            .collectAsList()) {
      threshold.put(r.getDouble(0), r.getLong(1));
    }
    Column held = lit(false);
    for (Map.Entry<Double, Long> t : threshold.entrySet()) {
      held = held.or(col(label).equalTo(t.getKey()).and(col(HASH).leq(t.getValue())));
    }
    Dataset<Row> marked = hashed.withColumn(HELD_OUT, held).drop(HASH);
    return new Split(
        marked.where(col(HELD_OUT).unary_$bang()).drop(HELD_OUT),
        Optional.empty(),
        marked.where(col(HELD_OUT)).drop(HELD_OUT),
        Validation.CROSS_SECTIONAL);
  }

  private static final String HASH = "_split_hash";
  private static final String HELD_OUT = "_held_out";

  /** Features joined with the labelled customers (unlabelled ones dropped), label as 0/1. */
  static Dataset<Row> examples(Dataset<Row> features, Dataset<Row> labels) {
    return features
        .join(
            labels
                .where(col(Columns.CHURNED).isNotNull())
                .select(Columns.CUSTOMER_ID, Columns.AS_OF_DATE, Columns.CHURNED),
            new String[] {Columns.CUSTOMER_ID, Columns.AS_OF_DATE})
        .withColumn(ChurnPipelines.LABEL, col(Columns.CHURNED).cast("double"))
        .drop(Columns.CHURNED)
        .transform(TrainingSets::compact);
  }

  /** Rows per partition of the training examples (see {@link #compact}). */
  static final long ROWS_PER_PARTITION = 100_000;

  /**
   * The rows cached in partitions of about {@link #ROWS_PER_PARTITION} rows (at least 2, never more
   * than they had). Every fit passes over its examples dozens of times (an L-BFGS iteration, a tree
   * level, an indexer's count), and each pass pays per task, and for more than a few partitions a
   * tree-aggregation shuffle: 10,000 customers in 8 partitions spent about 0.45 s per iteration.
   * Only the number of partitions changes; large sets keep the join's.
   */
  static Dataset<Row> compact(Dataset<Row> rows) {
    Dataset<Row> cached = rows.persist(StorageLevel.MEMORY_AND_DISK());
    long count = cached.count();
    int now = cached.rdd().getNumPartitions();
    int wanted =
        (int) Math.max(2, Math.min(now, (count + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION));
    if (wanted >= now) {
      return cached;
    }
    Dataset<Row> fewer = cached.coalesce(wanted).persist(StorageLevel.MEMORY_AND_DISK());
    fewer.count(); // built before the wider cache is dropped
    cached.unpersist();
    return fewer;
  }
}
