package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.score.ScoreJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Population stability: decile bins of the reference, a bin for missing values, and the PSI of a
 * snapshot's shares against the reference's, checked against a hand computation.
 */
class FeatureDriftTest extends SparkTestBase {
  static final StructType ROWS =
      new StructType().add("x", DataTypes.DoubleType).add("n", DataTypes.IntegerType);

  private Dataset<Row> values(int from, int to, int nulls) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      rows.add(new Object[] {(double) i, i % 2});
    }
    for (int i = 0; i < nulls; i++) {
      rows.add(new Object[] {i % 2 == 0 ? null : Double.NaN, 1});
    }
    return rows(ROWS, rows.toArray(new Object[0][]));
  }

  @Test
  void agesAndLifetimeTotalsAreNotMonitoredTheirWindowsAre() {
    // Invariant: drift cannot fire by construction. A snapshot whose tenure and lifetime totals
    // all grew (as every later date's do) while its windowed features kept their distribution
    // reports no drift; a shifted windowed feature still does.
    Dataset<Row> training =
        spark()
            .range(1, 101)
            .selectExpr(
                "cast(id AS double) AS tenure_days",
                "cast(id * 3 AS double) AS sessions_total",
                "cast(id % 10 AS double) AS sessions_30d",
                "cast(id % 7 AS double) AS events_30d");
    List<String> features = List.of("tenure_days", "sessions_total", "sessions_30d", "events_30d");
    Map<String, List<Double>> cuts = FeatureDrift.cuts(training, features);
    io.churnlake.jobs.model.ModelInfo info =
        new io.churnlake.jobs.model.ModelInfo(
            "v0001",
            "logistic",
            "2026-03-01",
            List.of("2026-02-01"),
            "2026-02-15",
            30,
            features,
            0L,
            "now",
            Map.of(),
            "time",
            List.of(),
            List.of(),
            "isotonic",
            "2026-02-01",
            "explicit",
            Map.of(),
            Map.of(),
            Map.of(),
            cuts,
            FeatureDrift.shares(training, cuts));
    Dataset<Row> later =
        spark()
            .range(1, 101)
            .selectExpr(
                "cast(id + 400 AS double) AS tenure_days",
                "cast(id * 3 + 2000 AS double) AS sessions_total",
                "cast(id % 10 AS double) AS sessions_30d",
                "cast(id % 7 + 20 AS double) AS events_30d");
    Map<String, Double> psi = ScoreJob.drift(info, later);
    assertThat(psi.keySet()).containsExactly("sessions_30d", "events_30d");
    assertThat(psi.get("sessions_30d")).isCloseTo(0.0, within(1e-12));
    assertThat(psi.get("events_30d")).isGreaterThan(0.25);
    assertThat(FeatureDrift.monitored("orders_total")).isFalse();
    assertThat(FeatureDrift.monitored("days_since_last_activity")).isTrue();
    assertThat(FeatureDrift.monitored("days_since_last_purchase")).isTrue();
    // Ages from a one-off event move with the calendar: not monitored.
    for (String age :
        List.of(
            "tenure_days",
            "days_since_plan_change",
            "days_since_first_purchase",
            "days_since_snapshot")) {
      assertThat(FeatureDrift.monitored(age)).as(age).isFalse();
    }
  }

  @Test
  void binsAreTheReferenceDecilesPlusAMissingBin() {
    Dataset<Row> reference = values(1, 100, 0);
    Map<String, List<Double>> cuts = FeatureDrift.cuts(reference, List.of("x", "n"));
    assertThat(cuts.get("x")).containsExactly(10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0);
    // A 0/1 feature has two distinct cut points at most: its bins are the values.
    assertThat(cuts.get("n")).containsExactly(0.0, 1.0);
    Map<String, List<Double>> shares = FeatureDrift.shares(reference, cuts);
    assertThat(shares.get("x")).hasSize(11).containsOnly(0.1, 0.0);
    assertThat(shares.get("x").get(10)).isZero();
    assertThat(FeatureDrift.psi(shares.get("x"), shares.get("x"))).isZero();
  }

  @Test
  void cutPointsDoNotDependOnHowTheRowsArePartitioned() {
    // Invariant: a model's drift reference is the same in local mode and on a cluster.
    Dataset<Row> many =
        spark()
            .range(30_000)
            .selectExpr(
                "cast(pmod(id * 7919, 10007) as double) / 3 AS x", "cast(id % 5 as int) AS n");
    Map<String, List<Double>> one = FeatureDrift.cuts(many.repartition(1), List.of("x", "n"));
    assertThat(FeatureDrift.cuts(many.repartition(7), List.of("x", "n"))).isEqualTo(one);
    assertThat(FeatureDrift.cuts(many.repartition(3, many.col("n")), List.of("x", "n")))
        .isEqualTo(one);
    assertThat(one.get("n")).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
  }

  @Test
  void psiOfAShiftedSnapshotMatchesAHandComputation() {
    Map<String, List<Double>> cuts = FeatureDrift.cuts(values(1, 100, 0), List.of("x"));
    List<Double> expected = FeatureDrift.shares(values(1, 100, 0), cuts).get("x");
    // 51..150 plus 20 missing (null and NaN): half the rows above the top cut, none below 50.
    List<Double> actual = FeatureDrift.shares(values(51, 150, 20), cuts).get("x");
    double[] a = new double[11];
    a[5] = 10 / 120.0; // 51..60
    a[6] = 10 / 120.0;
    a[7] = 10 / 120.0;
    a[8] = 10 / 120.0;
    a[9] = 60 / 120.0; // 91..150
    a[10] = 20 / 120.0; // missing
    for (int b = 0; b < 11; b++) {
      assertThat(actual.get(b)).as("bin " + b).isCloseTo(a[b], within(1e-12));
    }
    double psi = 0;
    for (int b = 0; b < 11; b++) {
      double e = Math.max(b < 10 ? 0.1 : 0.0, 1e-4);
      double x = Math.max(a[b], 1e-4);
      psi += (x - e) * Math.log(x / e);
    }
    assertThat(FeatureDrift.psi(expected, actual)).isCloseTo(psi, within(1e-12)).isGreaterThan(1);
  }
}
