package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.table.Columns;
import io.churnlake.common.testing.SparkTestBase;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a past date D is scored only by a model trained on or before D that served (champion,
 * retired, or trained for a past date), never by a candidate that lost to the champion of its day
 * and never by a model trained on later data.
 */
class ModelsTableTest extends SparkTestBase {
  static final StructType MODELS =
      new StructType()
          .add(Columns.MODEL_VERSION, DataTypes.StringType, false)
          .add("trained_as_of", DataTypes.DateType, false)
          .add("status", DataTypes.StringType, false)
          .add("status_reason", DataTypes.StringType, false);

  static Object[] model(String version, String trainedAsOf, String status, String reason) {
    return new Object[] {version, Date.valueOf(trainedAsOf), status, reason};
  }

  Dataset<Row> models() {
    return rows(
        MODELS,
        model("v0001", "2026-03-01", ModelsTable.RETIRED, "promoted: first model"),
        model("v0002", "2026-03-29", ModelsTable.CANDIDATE, "lost to v0001 on 2026-02-27"),
        model(
            "v0003",
            "2026-03-15",
            ModelsTable.CANDIDATE,
            ModelsTable.PAST_DATE_REASON + "2026-03-15 (champion v0004 was trained on later data)"),
        model("v0004", "2026-04-26", ModelsTable.CHAMPION, "promoted: beat v0001"));
  }

  @Test
  void aLosingCandidateIsNeverChosenEvenWhenItIsTheNewestTrainedBeforeTheDate() {
    // v0002 is the newest model trained by 2026-04-01, but it lost: v0003 (trained for a past
    // date) serves.
    assertThat(ModelsTable.newestTrainedBy(models(), LocalDate.parse("2026-04-01")))
        .contains("v0003");
  }

  @Test
  void aModelTrainedAfterTheDateIsNeverChosen() {
    // The champion v0004 was trained on 2026-04-26; for 2026-03-10 only v0001 was trained by then.
    assertThat(ModelsTable.newestTrainedBy(models(), LocalDate.parse("2026-03-10")))
        .contains("v0001");
    assertThat(ModelsTable.newestTrainedBy(models(), LocalDate.parse("2026-04-26")))
        .contains("v0004");
    assertThat(ModelsTable.newestTrainedBy(models(), LocalDate.parse("2026-02-28")))
        .isEqualTo(Optional.empty());
  }
}
