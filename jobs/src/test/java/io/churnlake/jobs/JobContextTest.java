package io.churnlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.table.TableStore;
import io.churnlake.common.testing.SparkTestBase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: a stage's queries generate Java code exactly when {@code spark.codegen} says so:
 * always ({@code on}), never ({@code off}), or ({@code auto}) when the history tables together with
 * the bytes a stage is about to load reach {@code spark.codegen-from-mb}.
 */
class JobContextTest extends SparkTestBase {
  private static final long MIB = 1024L * 1024L;

  @TempDir static Path warehouse;

  private JobContext context(String... settings) {
    List<String> all = new ArrayList<>(List.of(settings));
    all.add("warehouse=\"" + warehouse + "\"");
    return new JobContext(
        ChurnConfigLoader.load(List.of(), all),
        spark(),
        new DeltaTableStore(spark(), warehouse.toString()));
  }

  /** Whole-stage code generation and the expression factory, as a stage's queries see them. */
  private String codegenInStage(JobContext ctx) {
    return ctx.stage(
        "probe",
        () ->
            spark().conf().get("spark.sql.codegen.wholeStage")
                + " "
                + spark().conf().get("spark.sql.codegen.factoryMode"));
  }

  @Test
  void aStageGeneratesCodeWhenTheModeOrTheSizeOfItsDataSaysSo() {
    TableStore store = new DeltaTableStore(spark(), warehouse.toString());
    store.append(
        ChurnTable.CUSTOMERS,
        rows(
            new StructType()
                .add("customer_id", DataTypes.StringType)
                .add("snapshot_date", DataTypes.DateType),
            new Object[] {"c1", java.sql.Date.valueOf("2026-03-01")},
            new Object[] {"c2", java.sql.Date.valueOf("2026-03-01")}));
    long history = store.sizeInBytes(ChurnTable.CUSTOMERS);
    assertThat(history).isPositive();
    Map<String, String> before =
        Map.of(
            "spark.sql.codegen.wholeStage",
            "false",
            "spark.sql.codegen.factoryMode",
            "CODEGEN_ONLY");
    withSqlConf(
        before,
        () -> {
          assertThat(codegenInStage(context("spark.codegen=on"))).isEqualTo("true FALLBACK");
          assertThat(codegenInStage(context("spark.codegen=off"))).isEqualTo("false NO_CODEGEN");
          // auto: a few hundred bytes of history are below 1 MiB ...
          JobContext auto = context("spark.codegen=auto", "spark.codegen-from-mb=1");
          assertThat(codegenInStage(auto)).isEqualTo("false NO_CODEGEN");
          // ... and files to load count together with the history tables, up to the byte.
          assertThat(auto.generateCodeFor("load", MIB - history - 1)).isFalse();
          assertThat(auto.generateCodeFor("load", MIB - history)).isTrue();
          assertThat(spark().conf().get("spark.sql.codegen.wholeStage")).isEqualTo("true");
          // 0 MiB: every stage generates code.
          assertThat(codegenInStage(context("spark.codegen-from-mb=0"))).isEqualTo("true FALLBACK");
        });
  }

  @Test
  void aStageFailingOnARecordsValueNamesTheErrorButNotTheValueInItsMessageOrTheLedger() {
    // Invariant: no record content in an error message or a pipeline_runs row. Spark quotes the
    // value a cast fails on; the stage's one-line message and its ledger row keep the error class,
    // the types and the column, and leave the value out.
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("leak").toString());
    JobContext ctx =
        new JobContext(
            ChurnConfigLoader.load(List.of(), List.of()),
            spark(),
            store,
            "run-leak",
            new io.churnlake.jobs.runs.PipelineRuns(
                spark(), store, "run-leak", "score", java.time.LocalDate.of(2026, 7, 19)));
    String personal = "alice.smith@example.com";
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                withSqlConf(
                    Map.of("spark.sql.ansi.enabled", "true"),
                    () ->
                        ctx.stage(
                            "leak",
                            () ->
                                spark()
                                    .createDataFrame(
                                        List.of(org.apache.spark.sql.RowFactory.create(personal)),
                                        new StructType().add("email", DataTypes.StringType))
                                    .selectExpr("CAST(email AS INT) AS n")
                                    .collectAsList())));
    assertThat(thrown)
        .isInstanceOf(io.churnlake.common.errors.ChurnException.class)
        .hasMessageStartingWith("stage 'leak' failed: ")
        .hasMessageContaining("CAST_INVALID_INPUT")
        .hasMessageContaining("'<value left out>'")
        .hasMessageContaining("\"STRING\"")
        .hasMessageNotContaining(personal);
    List<org.apache.spark.sql.Row> ledger =
        ctx.store()
            .read(ChurnTable.PIPELINE_RUNS)
            .where("stage = 'leak'")
            .orderBy("status")
            .select("status", "error")
            .collectAsList();
    assertThat(ledger)
        .extracting(r -> r.getString(0), r -> r.getString(1))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("failed", thrown.getMessage()),
            org.assertj.core.groups.Tuple.tuple("running", null));
    // Spark's own advice keeps the setting it names.
    assertThat(thrown).hasMessageContaining("\"spark.sql.ansi.enabled\" to \"false\"");
  }
}
