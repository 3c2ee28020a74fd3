package io.churnlake.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on a transaction log with inactivity labels (no event log, no churn event): the same
 * time-based calendar as explicit labels. Invariants: the model says which labels and validation
 * produced it, was evaluated on D - horizon with training dates ending before the calibration
 * date's window, reads purchase features (no activity family without events), records the
 * transactions table's version, and beats chance on customers whose buying planted the signal.
 */
class InactivityTrainingTest extends SparkTestBase {
  static final StructType TRANSACTIONS =
      new StructType()
          .add("order_id", DataTypes.StringType)
          .add("customer_id", DataTypes.StringType)
          .add("event_time", DataTypes.TimestampType)
          .add("event_date", DataTypes.DateType)
          .add("product_id", DataTypes.StringType)
          .add("quantity", DataTypes.DoubleType)
          .add("unit_price", DataTypes.DoubleType)
          .add("amount", DataTypes.DoubleType)
          .add("line_type", DataTypes.StringType);

  static final LocalDate START = LocalDate.of(2026, 1, 1);
  static final int DAYS = 220;

  @TempDir Path dir;

  /**
   * 500 customers buying at their own rate (one every 3 to 15 days); each stops buying for good at
   * a random day, after first buying less often (the planted signal).
   */
  private List<Object[]> lines() {
    Random random = new Random(4);
    List<Object[]> lines = new ArrayList<>();
    for (int c = 0; c < 500; c++) {
      double gap = 3 + 12 * random.nextDouble();
      int stop = random.nextDouble() < 0.6 ? 40 + random.nextInt(DAYS) : DAYS + 1;
      int order = 0;
      for (double day = random.nextDouble() * gap; day < Math.min(stop, DAYS); ) {
        LocalDate d = START.plusDays((long) day);
        double amount = 5 + 50 * random.nextDouble();
        lines.add(
            new Object[] {
              "o" + c + "-" + order++,
              String.format("c%03d", c),
              Timestamp.valueOf(d.atTime(10, 0)),
              Date.valueOf(d),
              "p1",
              1.0,
              amount,
              amount,
              "purchase"
            });
        // The last 30 days before stopping: buying half as often.
        day += gap * (day > stop - 30 ? 2 : 1) * (0.5 + random.nextDouble());
      }
    }
    return lines;
  }

  @Test
  void aTransactionLogWithInactivityLabelsTrainsOnTheTimeBasedCalendar() {
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(),
            List.of(
                "warehouse=\"" + dir.resolve("warehouse") + "\"",
                "labels.definition=inactivity",
                "train.min-history-days=60",
                "train.step-days=14"));
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    ctx.store()
        .replaceWhere(
            ChurnTable.TRANSACTIONS, rows(TRANSACTIONS, lines().toArray(new Object[0][])), "true");
    LocalDate last = START.plusDays(DAYS - 1);
    TrainJob.Trained trained = TrainJob.run(ctx, last);
    ModelInfo m = trained.model();
    assertThat(m.labelDefinition()).isEqualTo("inactivity");
    assertThat(m.validation()).isEqualTo(TrainingSets.Validation.TIME_BASED.description());
    assertThat(m.evaluationDate()).isEqualTo(last.minusDays(30).toString());
    assertThat(m.calibrationDate()).isEqualTo(last.minusDays(60).toString());
    // Training dates step back by 14 days from D - 90 to 60 days after the first purchase.
    assertThat(m.trainingDates())
        .containsExactly("2026-03-15", "2026-03-29", "2026-04-12", "2026-04-26", "2026-05-10");
    assertThat(m.featureColumns()).contains("days_since_last_purchase", "orders_total");
    assertThat(m.featureColumns()).noneMatch(f -> f.startsWith("sessions_"));
    assertThat(m.tableVersions()).containsOnlyKeys("transactions");
    assertThat(m.eventsTableVersion()).isEqualTo(ctx.store().version(ChurnTable.TRANSACTIONS));
    assertThat(m.metric("roc_auc")).isGreaterThan(0.6);
    assertThat(m.metrics()).containsKey("baseline_recency_roc_auc");
  }
}
