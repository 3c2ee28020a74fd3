package io.churnlake.jobs.model;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Population stability of numeric features between a reference (a model's training rows) and a
 * scored snapshot. Each feature is cut into bins at the reference's deciles (distinct cut points,
 * from one approximate-quantile pass over all features), plus one bin for missing values (null,
 * NaN, infinite); the shares of rows per bin come from one aggregation over (feature, bin) pairs.
 * PSI = sum over bins of (actual - expected) x ln(actual / expected), shares floored at {@value
 * #FLOOR} so an empty bin does not make it infinite. Usual reading: below 0.1 stable, 0.1 to 0.25 a
 * moderate shift, above 0.25 a significant one. Ages and lifetime totals are not monitored ({@link
 * #monitored}).
 */
public final class FeatureDrift {
  static final double FLOOR = 1e-4;

  /** Rows the decile cut points are computed from, at most (a hash sample of larger inputs). */
  static final long SAMPLE_ROWS = 20_000;

  private FeatureDrift() {}

  /**
   * Ages measured from a one-off event: they grow with the calendar (and with the log's length,
   * since an event before the log starts is invisible), so their distribution moves by
   * construction. Recency of a recurring behaviour ({@code days_since_last_activity}, {@code
   * days_since_last_purchase}) does not and is monitored.
   */
  static final java.util.Set<String> AGES =
      java.util.Set.of(
          "tenure_days",
          "days_since_plan_change",
          "days_since_first_purchase",
          "days_since_snapshot");

  /**
   * Whether a feature's drift means something. An age ({@link #AGES}: tenure, days since the last
   * plan change, the first purchase or the attributes' snapshot) or a lifetime total ({@code
   * sessions_total}, {@code orders_total}, ...) grows with every day by construction, so a later
   * snapshot always "drifts" from the training rows, which span earlier dates: such an alarm would
   * ring every night and hide real drift. Their windowed counterparts ({@code sessions_30d}) are
   * monitored. (Found by bench/drift.sh: on an unchanged log, days_since_plan_change crossed the
   * threshold 15 nights after training.)
   */
  public static boolean monitored(String feature) {
    return !(AGES.contains(feature) || feature.endsWith("_total"));
  }

  /** Per feature, the distinct decile cut points of {@code rows} (finite values only). */
  public static Map<String, List<Double>> cuts(Dataset<Row> rows, List<String> features) {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    if (features.isEmpty()) {
      return out;
    }
    double[] levels = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    Dataset<Row> finite = rows;
    for (String f : features) {
      if (rows.schema().apply(f).dataType() != org.apache.spark.sql.types.DataTypes.DoubleType) {
        continue;
      }
      // approxQuantile skips nulls; NaN and infinities become nulls so they are skipped too.
      finite =
          finite.withColumn(
              f,
              when(
                      functions
                          .isnan(col(f).cast("double"))
                          .or(
                              functions
                                  .abs(col(f).cast("double"))
                                  .equalTo(Double.POSITIVE_INFINITY)),
                      lit(null))
                  .otherwise(col(f).cast("double")));
    }
    // Cut points must not depend on how the rows are partitioned (local mode and a cluster give
    // the same model): Greenwald-Khanna summaries merged in task-completion order do. So: a
    // deterministic hash sample of at most SAMPLE_ROWS rows (all of them when fewer), sorted,
    // summarised in one partition (bounded work, whatever the number of customers).
    Column[] columns = features.stream().map(functions::col).toArray(Column[]::new);
    Dataset<Row> sample = finite.select(columns);
    long n = sample.count();
    if (n > SAMPLE_ROWS) {
      long keep = Math.max(1, (long) (1_000_000.0 * SAMPLE_ROWS / n));
      sample =
          sample.where(functions.pmod(functions.xxhash64(columns), lit(1_000_000)).lt(lit(keep)));
    }
    double[][] q =
        sample
            .orderBy(columns)
            .coalesce(1)
            .stat()
            .approxQuantile(features.toArray(new String[0]), levels, 0.001);
    for (int i = 0; i < features.size(); i++) {
      TreeSet<Double> distinct = new TreeSet<>();
      for (double v : q[i]) {
        distinct.add(v);
      }
      out.put(features.get(i), new ArrayList<>(distinct));
    }
    return out;
  }

  /**
   * Per feature, the share of rows in each bin: bins 0..k for k cut points (bin b holds values
   * above b cut points), then the missing bin.
   */
  public static Map<String, List<Double>> shares(
      Dataset<Row> rows, Map<String, List<Double>> cuts) {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    if (cuts.isEmpty()) {
      return out;
    }
    List<String> features = new ArrayList<>(cuts.keySet());
    // Long format first (feature index, value): the bin is then one small expression over the
    // feature's cut points, whatever the number of features (a wide CASE per feature would exceed
    // the JVM's method size and make Spark fall back from generated code).
    List<Column> pairs = new ArrayList<>();
    double[][] cutArrays = new double[features.size()][];
    for (int i = 0; i < features.size(); i++) {
      pairs.add(struct(lit(i).as("f"), col(features.get(i)).cast("double").as("x")));
      cutArrays[i] = cuts.get(features.get(i)).stream().mapToDouble(Double::doubleValue).toArray();
    }
    Column x = col("p.x");
    Column featureCuts = functions.element_at(lit(cutArrays), col("p.f").plus(1));
    Column missing =
        x.isNull().or(functions.isnan(x)).or(functions.abs(x).equalTo(Double.POSITIVE_INFINITY));
    Column bin =
        when(missing, functions.size(featureCuts).plus(1))
            .otherwise(functions.size(functions.filter(featureCuts, c -> x.gt(c))));
    List<Row> counts =
        rows.select(explode(array(pairs.toArray(new Column[0]))).as("p"))
            .groupBy(col("p.f"), bin.as("b"))
            .count()
            .collectAsList();
    long[][] n = new long[features.size()][];
    for (int i = 0; i < features.size(); i++) {
      n[i] = new long[cuts.get(features.get(i)).size() + 2];
    }
    for (Row r : counts) {
      n[r.getInt(0)][r.getInt(1)] = r.getLong(2);
    }
    for (int i = 0; i < features.size(); i++) {
      long total = 0;
      for (long v : n[i]) {
        total += v;
      }
      List<Double> s = new ArrayList<>();
      for (long v : n[i]) {
        s.add(total == 0 ? 0.0 : (double) v / total);
      }
      out.put(features.get(i), s);
    }
    return out;
  }

  /** The population stability index of one feature's bin shares against the reference's. */
  public static double psi(List<Double> expected, List<Double> actual) {
    double psi = 0;
    for (int b = 0; b < expected.size(); b++) {
      double e = Math.max(expected.get(b), FLOOR);
      double a = Math.max(actual.get(b), FLOOR);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }
}
