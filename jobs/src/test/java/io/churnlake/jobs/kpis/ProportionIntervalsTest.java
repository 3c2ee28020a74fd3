package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.testing.SparkTestBase;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the campaign intervals are Wilson's and Newcombe's, checked against the worked
 * examples of Newcombe (1998), and keep a width where the Wald interval has none (0 of n, n of n).
 */
class ProportionIntervalsTest extends SparkTestBase {
  static final StructType COUNTS =
      new StructType()
          .add("x1", DataTypes.LongType)
          .add("n1", DataTypes.LongType)
          .add("x2", DataTypes.LongType)
          .add("n2", DataTypes.LongType);

  private List<Row> bounds(Object[]... counts) {
    Dataset<Row> in = rows(COUNTS, counts);
    ProportionIntervals.Bounds w = ProportionIntervals.wilson(col("x1"), col("n1"));
    ProportionIntervals.Bounds d =
        ProportionIntervals.newcombe(col("x1"), col("n1"), col("x2"), col("n2"));
    return in.orderBy("x1", "n1", "x2", "n2")
        .select(w.lower(), w.upper(), d.lower(), d.upper())
        .collectAsList();
  }

  @Test
  void wilsonAndNewcombeMatchThePublishedExamples() {
    List<Row> r =
        bounds(
            new Object[] {56L, 70L, 48L, 80L},
            new Object[] {5L, 56L, 0L, 29L},
            new Object[] {81L, 263L, 1L, 1L});
    // Newcombe (1998), differences, method 10: 56/70 - 48/80 and 5/56 - 0/29.
    assertThat(r.get(1).getDouble(2)).isCloseTo(0.0524, within(5e-5));
    assertThat(r.get(1).getDouble(3)).isCloseTo(0.3339, within(5e-5));
    assertThat(r.get(0).getDouble(2)).isCloseTo(-0.0381, within(5e-5));
    assertThat(r.get(0).getDouble(3)).isCloseTo(0.1926, within(5e-5));
    // Newcombe (1998), single proportion, Wilson's score interval: 81/263.
    assertThat(r.get(2).getDouble(0)).isCloseTo(0.2553, within(5e-5));
    assertThat(r.get(2).getDouble(1)).isCloseTo(0.3662, within(5e-5));
  }

  @Test
  void noneOrAllOfASmallGroupStillHasAnInterval() {
    List<Row> r = bounds(new Object[] {0L, 10L, 10L, 10L}, new Object[] {10L, 10L, 0L, 10L});
    // 0 of 10: [0, 0.2775]; 10 of 10: [0.7225, 1] (Wald: a point at 0 and at 1).
    assertThat(r.get(0).getDouble(0)).isCloseTo(0.0, within(1e-12));
    assertThat(r.get(0).getDouble(1)).isCloseTo(0.2775, within(5e-5));
    assertThat(r.get(1).getDouble(0)).isCloseTo(0.7225, within(5e-5));
    assertThat(r.get(1).getDouble(1)).isCloseTo(1.0, within(1e-12));
    // 0/10 - 10/10 = -1: the interval reaches up from -1, never below it.
    assertThat(r.get(0).getDouble(2)).isCloseTo(-1.0, within(1e-12));
    assertThat(r.get(0).getDouble(3)).isCloseTo(-1 + Math.hypot(0.2775, 0.2775), within(1e-4));
  }
}
