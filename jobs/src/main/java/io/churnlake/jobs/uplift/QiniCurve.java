package io.churnlake.jobs.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Qini curve of an uplift score on randomised rows (Radcliffe 2007), for churn: contact the
 * customers with the highest scores first; after the top share φ, the customers the action kept are
 * estimated as {@code Q(φ) = C_c(φ) x N_t(φ) / N_c(φ) - C_t(φ)}, where N_t, N_c are the treated and
 * control customers among them and C_t, C_c their churners (the control's churn rate applied to the
 * treated, minus the treated's churners). Q is given per treated customer of the whole set (Q /
 * N_t(1)), so sets of different sizes compare. Random targeting keeps Q(1) x φ; the Qini
 * coefficient is the area between the curve and that line (trapezoids over the points), positive
 * when the score puts the customers the action keeps first. Scores are cut at {@code bins}
 * approximate quantiles (one pass) and counted per bin in one aggregation: {@code bins} rows reach
 * the driver, whatever the number of customers. A tied score group stays in one bin, so a point's
 * share is exact.
 */
public final class QiniCurve {
  private QiniCurve() {}

  /** One point: the share of customers contacted and the customers kept per treated customer. */
  public record Point(double share, double kept) {}

  /** The curve from (0, 0), and its coefficient. */
  public record Result(List<Point> points, double coefficient) {
    /** Q(1): what contacting everyone keeps, per treated customer (the average effect). */
    public double overall() {
      return points.get(points.size() - 1).kept();
    }
  }

  /**
   * @param rows randomised customers
   * @param score higher = more likely to be kept by the action
   * @param treated boolean column: true when the customer was targeted, false for control
   * @param churned 0/1 (or boolean) column: the customer churned within the horizon
   */
  public static Result of(
      Dataset<Row> rows, String score, String treated, String churned, int bins) {
    Dataset<Row> s =
        rows.select(
            col(score).cast("double").as("s"),
            col(treated).cast("boolean").as("t"),
            col(churned).cast("double").as("y"));
    long[][] counts = new long[bins][4];
    for (Row r :
        s.groupBy(bin(s, bins).as("bin"))
            .agg(
                sum(when(col("t"), 1L).otherwise(0L)),
                sum(when(col("t"), col("y")).otherwise(0.0)),
                sum(when(col("t"), 0L).otherwise(1L)),
                sum(when(col("t"), 0.0).otherwise(col("y"))),
                count(lit(1)))
            .collectAsList()) {
      counts[r.getInt(0)] =
          new long[] {
            r.getLong(1), Math.round(r.getDouble(2)), r.getLong(3), Math.round(r.getDouble(4))
          };
    }
    return fromCounts(counts);
  }

  /**
   * The expected Qini curve where each customer's true effect is known (generated data): after the
   * top share φ by {@code score}, {@code Q(φ)} = the true effects (P(churn | not contacted) -
   * P(churn | contacted)) summed over the customers in it, per customer of the set; the coefficient
   * as for {@link #of}. It is what {@link #of}'s curve estimates from outcomes, without their
   * noise: on a wave of a couple of thousand randomised customers the realised curve of one and the
   * same ranking moves by as much as its own size with which tied customers fall in which bin.
   *
   * @param effect the true effect column
   */
  public static Result expected(Dataset<Row> rows, String score, String effect, int bins) {
    Dataset<Row> s =
        rows.select(col(score).cast("double").as("s"), col(effect).cast("double").as("e"));
    long[] counts = new long[bins];
    double[] effects = new double[bins];
    for (Row r :
        s.groupBy(bin(s, bins).as("bin")).agg(count(lit(1)), sum(col("e"))).collectAsList()) {
      counts[r.getInt(0)] = r.getLong(1);
      effects[r.getInt(0)] = r.isNullAt(2) ? 0 : r.getDouble(2);
    }
    return fromEffects(counts, effects);
  }

  /**
   * Bin 0 holds the highest scores of {@code s}: the cut points (approximate quantiles) a score is
   * not above.
   */
  private static Column bin(Dataset<Row> s, int bins) {
    double[] levels = new double[bins - 1];
    for (int i = 0; i < levels.length; i++) {
      levels[i] = (i + 1.0) / bins;
    }
    double[] cuts = s.stat().approxQuantile("s", levels, 0.0001);
    Column bin = lit(0);
    for (double c : cuts) {
      bin = bin.plus(when(col("s").gt(c), 0).otherwise(1));
    }
    return bin;
  }

  /** The expected curve from per-bin customers and summed true effects, highest scores first. */
  static Result fromEffects(long[] counts, double[] effects) {
    double total = 0;
    for (long n : counts) {
      total += n;
    }
    List<Point> points = new ArrayList<>(List.of(new Point(0, 0)));
    double n = 0;
    double kept = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        continue;
      }
      n += counts[i];
      kept += effects[i];
      points.add(new Point(n / total, kept / total));
    }
    return new Result(points, area(points));
  }

  /**
   * The curve from per-bin counts, highest scores first: {treated, treated churners, control,
   * control churners}.
   */
  static Result fromCounts(long[][] bins) {
    double total = 0;
    double treatedTotal = 0;
    for (long[] b : bins) {
      total += b[0] + b[2];
      treatedTotal += b[0];
    }
    List<Point> points = new ArrayList<>(List.of(new Point(0, 0)));
    double nt = 0;
    double ct = 0;
    double nc = 0;
    double cc = 0;
    for (long[] b : bins) {
      if (b[0] + b[2] == 0) {
        continue;
      }
      nt += b[0];
      ct += b[1];
      nc += b[2];
      cc += b[3];
      // Without control customers yet there is no estimate of what the treated would have done:
      // nobody is counted as kept.
      double kept = nc == 0 || treatedTotal == 0 ? 0 : (cc * nt / nc - ct) / treatedTotal;
      points.add(new Point((nt + nc) / total, kept));
    }
    return new Result(points, area(points));
  }

  /** The trapezoid area between the curve and the straight line from (0, 0) to its last point. */
  private static double area(List<Point> points) {
    double overall = points.get(points.size() - 1).kept();
    double area = 0;
    for (int i = 1; i < points.size(); i++) {
      Point a = points.get(i - 1);
      Point b = points.get(i);
      double above = (a.kept() - overall * a.share() + b.kept() - overall * b.share()) / 2;
      area += above * (b.share() - a.share());
    }
    return area;
  }
}
