package io.churnlake.jobs.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * maintain keeps the newest as-of dates of derived tables and every row of raw ones, compacts each
 * partition's small files into one and vacuums the files no retained version references.
 */
class MaintainJobTest extends SparkTestBase {
  @TempDir Path dir;

  static final StructType FEATURES =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("x", DataTypes.DoubleType);

  @Test
  void oldDatesArePrunedSmallFilesCompactedAndUnreferencedFilesVacuumed() throws IOException {
    String warehouse = dir.resolve("warehouse").toString();
    DeltaTableStore store = new DeltaTableStore(spark(), warehouse);
    // Three small appends per date: three files in each of four date partitions.
    for (String d : List.of("2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22")) {
      for (int i = 0; i < 3; i++) {
        store.append(
            ChurnTable.CUSTOMER_FEATURES,
            rows(FEATURES, new Object[] {"c" + i, Date.valueOf(d), i * 1.5}));
      }
    }
    JobContext ctx =
        new JobContext(
            ChurnConfigLoader.load(
                List.of(),
                List.of(
                    "warehouse=\"" + warehouse + "\"",
                    "maintain.keep-as-of-days=7",
                    "maintain.vacuum-retention-hours=0")),
            spark(),
            store);
    List<MaintainJob.TableResult> r = MaintainJob.run(ctx);
    assertThat(r)
        .containsExactly(
            new MaintainJob.TableResult(
                "customer_features", 12, 2, 6, java.time.LocalDate.of(2026, 1, 15)));
    assertThat(
            store
                .read(ChurnTable.CUSTOMER_FEATURES)
                .orderBy("as_of_date", "customer_id")
                .selectExpr("concat_ws('|', customer_id, as_of_date, x)")
                .collectAsList()
                .stream()
                .map(row -> row.getString(0))
                .toList())
        .containsExactly(
            "c0|2026-01-15|0.0",
            "c1|2026-01-15|1.5",
            "c2|2026-01-15|3.0",
            "c0|2026-01-22|0.0",
            "c1|2026-01-22|1.5",
            "c2|2026-01-22|3.0");
    // Vacuumed: only the two compacted files remain on disk.
    try (Stream<Path> files = Files.walk(Path.of(store.location(ChurnTable.CUSTOMER_FEATURES)))) {
      assertThat(
              files
                  .filter(p -> p.toString().endsWith(".parquet"))
                  .filter(p -> !p.toString().contains("_delta_log"))
                  .count())
          .isEqualTo(2);
    }
  }
}
