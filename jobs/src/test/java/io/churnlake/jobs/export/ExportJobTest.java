package io.churnlake.jobs.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.errors.ExitCode;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.SegmentColumns;
import java.io.File;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export job. Invariants: only targeted customers of the date (and of the asked segments) are
 * written, best expected net value first, in one file with flat driver columns; no customer-table
 * column unless configured, and then the snapshot as of the date; an existing path is refused
 * unless overwrite is asked.
 */
class ExportJobTest extends SparkTestBase {
  static final LocalDate D = LocalDate.of(2026, 3, 31);
  @TempDir static Path dir;
  static String warehouse;

  static Row segmentRow(
      String id, LocalDate date, String segment, double net, String targeting, Row... drivers) {
    return RowFactory.create(
        id,
        Date.valueOf(date),
        0.4,
        "high",
        100.0,
        segment.startsWith("high") ? "high" : "low",
        segment,
        "agent-call",
        net,
        targeting,
        Arrays.asList((Object[]) drivers),
        "v0001",
        "run-7");
  }

  static Row driver(String feature, String reason) {
    return RowFactory.create(feature, 1.0, 0.5, reason, "friction");
  }

  @BeforeAll
  void tables() {
    warehouse = dir.resolve("wh").toString();
    DeltaTableStore store = new DeltaTableStore(spark(), warehouse);
    String hh = "high value, high risk";
    String lh = "low value, high risk";
    List<Row> plan =
        List.of(
            segmentRow("a", D, hh, 50.0, "targeted", driver("f1", "r1"), driver("f2", "r2")),
            segmentRow("b", D, hh, 80.0, "targeted", driver("f3", "r3")),
            segmentRow("c", D, hh, 90.0, "control", driver("f1", "r1")),
            segmentRow("d", D, lh, 5.0, "targeted"),
            segmentRow("e", D, lh, -1.0, "none"),
            segmentRow("a", D.minusDays(7), hh, 99.0, "targeted"));
    store.replaceWhere(
        ChurnTable.RISK_SEGMENTS,
        spark().createDataFrame(plan, SegmentColumns.RISK_SEGMENTS),
        "true");
    StructType customers =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("snapshot_date", DataTypes.DateType)
            .add("email", DataTypes.StringType)
            .add("source_file", DataTypes.StringType);
    store.replaceWhere(
        ChurnTable.CUSTOMERS,
        rows(
            customers,
            new Object[] {"a", Date.valueOf(D.minusDays(3)), "a-old@example.com", "f"},
            new Object[] {"a", Date.valueOf(D.plusDays(1)), "a-new@example.com", "f"},
            new Object[] {"b", Date.valueOf(D), "b@example.com", "f"}),
        "true");
  }

  JobContext ctx(String... overrides) {
    List<String> all =
        new java.util.ArrayList<>(List.of("warehouse=\"" + warehouse + "\"", "score.drivers=2"));
    all.addAll(List.of(overrides));
    ChurnConfig c = ChurnConfigLoader.load(List.of(), all);
    return new JobContext(c, spark(), new DeltaTableStore(spark(), warehouse));
  }

  Dataset<Row> readCsv(String path) {
    return spark().read().option("header", "true").csv(path);
  }

  @Test
  void targetedCustomersOfTheDateInOneFileBestFirstWithFlatDrivers() {
    String path = dir.resolve("all").toString();
    ExportJob.Result r = ExportJob.run(ctx(), D, List.of(), "csv", path, false);
    assertThat(r.customers()).isEqualTo(3);
    File[] parts = new File(path).listFiles((d, n) -> n.startsWith("part-") && n.endsWith(".csv"));
    assertThat(parts).hasSize(1);
    Dataset<Row> out = readCsv(path);
    assertThat(out.columns())
        .containsExactly(
            "customer_id",
            "as_of_date",
            "segment",
            "action",
            "churn_probability",
            "value",
            "expected_net_value",
            "driver_1_feature",
            "driver_1_reason",
            "driver_1_category",
            "driver_2_feature",
            "driver_2_reason",
            "driver_2_category",
            "model_version",
            "run_id");
    assertThat(out.collectAsList().stream().map(Row::toString).toList())
        .containsExactly(
            "[b,2026-03-31,high value, high risk,agent-call,0.4,100.0,80.0,f3,r3,friction,null,null,"
                + "null,v0001,run-7]",
            "[a,2026-03-31,high value, high risk,agent-call,0.4,100.0,50.0,f1,r1,friction,f2,r2,"
                + "friction,v0001,run-7]",
            "[d,2026-03-31,low value, high risk,agent-call,0.4,100.0,5.0,null,null,null,null,null,"
                + "null,v0001,run-7]");
  }

  @Test
  void segmentsFilterAndPersonalColumnsOnlyWhenConfigured() {
    String path = dir.resolve("hh").toString();
    ExportJob.run(
        ctx("export.personal-columns=[email]"),
        D,
        List.of("high-value-high-risk"),
        "parquet",
        path,
        false);
    Dataset<Row> out = spark().read().parquet(path);
    assertThat(out.columns()).endsWith("email");
    assertThat(
            out.select("customer_id", "email").collectAsList().stream().map(Row::toString).toList())
        .containsExactly("[b,b@example.com]", "[a,a-old@example.com]");
    assertThatThrownBy(
            () ->
                ExportJob.run(
                    ctx("export.personal-columns=[phone]"),
                    D,
                    List.of(),
                    "csv",
                    dir.resolve("phone").toString(),
                    false))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining("names column 'phone', which table 'customers' does not have");
    assertThatThrownBy(() -> ExportJob.segmentName("top-value-high-risk"))
        .hasMessageContaining("--segment");
  }

  @Test
  void anExistingPathIsRefusedUnlessOverwriteIsAsked() {
    String path = dir.resolve("twice").toString();
    ExportJob.run(ctx(), D, List.of(), "csv", path, false);
    assertThatThrownBy(() -> ExportJob.run(ctx(), D, List.of(), "csv", path, false))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining("a path that does not exist yet (or add --overwrite)")
        .extracting(e -> ((ChurnException) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
    ExportJob.run(ctx(), D, List.of("low-value-high-risk"), "csv", path, true);
    assertThat(readCsv(path).select("customer_id").collectAsList().stream().map(Row::toString))
        .containsExactly("[d]");
    assertThat(new File(path).getParentFile().list((d, n) -> n.contains(".tmp-"))).isEmpty();
    assertThatThrownBy(
            () -> ExportJob.run(ctx(), D.plusDays(1), List.of(), "csv", path + "-x", false))
        .hasMessageContaining("table 'risk_segments' has no rows for as-of date 2026-04-01");
  }
}
