package io.churnlake.common.table;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.testing.SparkTestBase;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaTableStoreTest extends SparkTestBase {
  static final StructType SCORES =
      new StructType()
          .add("customer_id", StringType)
          .add("as_of_date", DateType)
          .add("churn_probability", DoubleType);
  static final Date D1 = Date.valueOf("2026-03-01");
  static final Date D2 = Date.valueOf("2026-03-02");

  @TempDir static Path warehouse;

  @Test
  void replaceWhereIsIdempotentAndTouchesOnlyItsPartition() {
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("idem").toString());
    Dataset<Row> day1 = rows(SCORES, new Object[] {"a", D1, 0.1}, new Object[] {"b", D1, 0.9});
    Dataset<Row> day2 = rows(SCORES, new Object[] {"a", D2, 0.2});
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'");
    store.replaceWhere(ChurnTable.CHURN_SCORES, day2, "as_of_date = DATE'2026-03-02'");
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'");
    assertSameRows(day1.union(day2), store.read(ChurnTable.CHURN_SCORES));
    assertThat(store.version(ChurnTable.CHURN_SCORES)).isEqualTo(2);
  }

  @Test
  void readingTheListedFilesGivesTheRowsAndSchemaOfTheDeltaRead() {
    // Invariant: readFiles returns exactly what read returns (rows, column order and types, the
    // partition column from the directories), at the newest version only (files a replaceWhere
    // removed are not read), and an empty table reads as empty with its schema.
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("listed").toString());
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"a", D1, 0.1}, new Object[] {"b", D1, null}),
        "as_of_date = DATE'2026-03-01'");
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"a", D2, 0.2}),
        "as_of_date = DATE'2026-03-02'");
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"c", D1, 0.3}),
        "as_of_date = DATE'2026-03-01'");
    Dataset<Row> listed = store.readFiles(ChurnTable.CHURN_SCORES);
    assertThat(listed.schema()).isEqualTo(store.read(ChurnTable.CHURN_SCORES).schema());
    assertThat(listed.columns()).containsExactly("customer_id", "as_of_date", "churn_probability");
    assertThat(listed.orderBy("customer_id", "as_of_date").collectAsList().toString())
        .isEqualTo("[[a,2026-03-02,0.2], [c,2026-03-01,0.3]]");
    assertThat(listed.where("as_of_date = DATE'2026-03-02'").collectAsList().toString())
        .isEqualTo("[[a,2026-03-02,0.2]]");

    store.delete(ChurnTable.CHURN_SCORES, "as_of_date IS NOT NULL");
    Dataset<Row> empty = store.readFiles(ChurnTable.CHURN_SCORES);
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.schema()).isEqualTo(store.read(ChurnTable.CHURN_SCORES).schema());
  }

  @Test
  void aFileIsPlainParquetOnlyUnderItsOwnPartitionDirectories() {
    java.util.Map<String, String> day = java.util.Map.of("event_date", "2026-03-01");
    List<String> byDay = List.of("event_date");
    assertThat(
            KernelTables.laidOutByPartition(
                "/w/t", "file:/w/t/event_date=2026-03-01/part-0.parquet", byDay, day))
        .isTrue();
    // Another partition's directory, a missing or extra level, another table: read through Delta.
    assertThat(
            KernelTables.laidOutByPartition(
                "/w/t", "file:/w/t/event_date=2026-03-02/part-0.parquet", byDay, day))
        .isFalse();
    assertThat(KernelTables.laidOutByPartition("/w/t", "file:/w/t/part-0.parquet", byDay, day))
        .isFalse();
    assertThat(
            KernelTables.laidOutByPartition(
                "/w/t", "file:/w/t/x/event_date=2026-03-01/part-0.parquet", byDay, day))
        .isFalse();
    assertThat(
            KernelTables.laidOutByPartition(
                "/w/t", "file:/w/other/event_date=2026-03-01/part-0.parquet", byDay, day))
        .isFalse();
    // Unpartitioned: files right under the root. Null and escaped values as Spark names them.
    assertThat(
            KernelTables.laidOutByPartition(
                "/w/t", "file:/w/t/part-0.parquet", List.of(), java.util.Map.of()))
        .isTrue();
    java.util.Map<String, String> none = new java.util.HashMap<>();
    none.put("k", null);
    assertThat(
            KernelTables.laidOutByPartition(
                "/w/t", "file:/w/t/k=__HIVE_DEFAULT_PARTITION__/p.parquet", List.of("k"), none))
        .isTrue();
    assertThat(
            KernelTables.laidOutByPartition(
                "/w/t", "file:/w/t/k=a%3Ab/p.parquet", List.of("k"), java.util.Map.of("k", "a:b")))
        .isTrue();
  }

  @Test
  void theLatestTagIsTheNewestRecentCommitsTagWithThePrefixReadFromTheLog() {
    // Invariant: latestTag answers from the log's commit files what the history API answered: the
    // newest of the recent commits whose tag starts with the prefix; untagged and other-prefixed
    // commits in between are passed over, and a missing table has none.
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("tags").toString());
    assertThat(store.latestTag(ChurnTable.CHURN_SCORES, "build ")).isEmpty();
    Dataset<Row> day1 = rows(SCORES, new Object[] {"a", D1, 0.1});
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'", "build 1");
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'", "build 2");
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'", "other 3");
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'");
    assertThat(store.latestTag(ChurnTable.CHURN_SCORES, "build ")).contains("build 2");
    assertThat(store.latestTag(ChurnTable.CHURN_SCORES, "other ")).contains("other 3");
    assertThat(store.latestTag(ChurnTable.CHURN_SCORES, "none ")).isEmpty();
  }

  @Test
  void aDeleteRecordsTheRowsItDeletedAndOneThatMatchesNothingRecordsNoCommit() {
    // Invariant: a stage's tables_written names only commits that happened, with the rows they
    // deleted (not the rows of an earlier commit, nor the rows a delete copied).
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("delete").toString());
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"a", D1, 0.1}, new Object[] {"b", D1, 0.9}),
        "as_of_date = DATE'2026-03-01'");
    try (TableActivity activity = store.track()) {
      store.delete(ChurnTable.CHURN_SCORES, "customer_id = 'zzz'");
      assertThat(activity.writes()).isEmpty();
      assertThat(store.version(ChurnTable.CHURN_SCORES)).isZero();
      store.delete(ChurnTable.CHURN_SCORES, "customer_id = 'a'");
      assertThat(activity.writes())
          .containsExactly(new TableActivity.Written("churn_scores", 1, 1, 1));
    }
    assertSameRows(rows(SCORES, new Object[] {"b", D1, 0.9}), store.read(ChurnTable.CHURN_SCORES));
  }

  @Test
  void replaceWhereRejectsRowsOutsideThePredicateAndLeavesTheTableAsItWas() {
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("reject").toString());
    Dataset<Row> day1 = rows(SCORES, new Object[] {"a", D1, 0.1});
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'");
    Dataset<Row> wrongDay = rows(SCORES, new Object[] {"z", D2, 0.5});
    assertThatThrownBy(
            () ->
                store.replaceWhere(
                    ChurnTable.CHURN_SCORES, wrongDay, "as_of_date = DATE'2026-03-01'"))
        .hasMessageContaining("DELTA_REPLACE_WHERE_MISMATCH");
    assertSameRows(day1, store.read(ChurnTable.CHURN_SCORES));
  }

  @Test
  void partitionValuesFromTheLogAreTheDatesTheTableHoldsAndTheReadIsRecorded() {
    // Invariant: the span of dates a stage works on (History.spanUpTo) is the set of partitions
    // the table holds now: a partition whose files were all removed is gone, one added is there,
    // and the version read counts among the stage's inputs (skip decisions compare them).
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("partitions").toString());
    Date d3 = Date.valueOf("2026-03-03");
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"a", D1, 0.1}, new Object[] {"b", D1, 0.9}),
        "as_of_date = DATE'2026-03-01'");
    store.append(ChurnTable.CHURN_SCORES, rows(SCORES, new Object[] {"a", D2, 0.2}));
    store.append(ChurnTable.CHURN_SCORES, rows(SCORES, new Object[] {"a", d3, 0.3}));
    assertThat(store.partitionValues(ChurnTable.CHURN_SCORES))
        .containsExactly("2026-03-01", "2026-03-02", "2026-03-03");
    store.delete(ChurnTable.CHURN_SCORES, "as_of_date = DATE'2026-03-02'");
    try (TableActivity activity = store.track()) {
      assertThat(store.partitionValues(ChurnTable.CHURN_SCORES))
          .containsExactly("2026-03-01", "2026-03-03");
      assertThat(activity.reads()).containsExactly(new TableActivity.Read("churn_scores", 3));
    }
    // The same dates as the rows read through Spark.
    assertSameRows(
        rows(new StructType().add("as_of_date", DateType), new Object[] {D1}, new Object[] {d3}),
        store.read(ChurnTable.CHURN_SCORES).select("as_of_date").distinct());
  }

  @Test
  void sizeInBytesIsTheBytesOfTheCurrentVersionsFilesFromTheLog() throws Exception {
    // Invariant: the size that decides a stage's code generation (spark.codegen = auto) is the
    // data of the table as it is now: files a later commit removed no longer count.
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("size").toString());
    assertThat(store.sizeInBytes(ChurnTable.CHURN_SCORES)).isZero();
    // A table another run is creating (its log directory made, no commit yet) has no size yet;
    // a run starting beside that one failed on it (ExampleSourcesTogetherTest, two ingests).
    java.nio.file.Files.createDirectories(
        warehouse.resolve("size").resolve("churn_scores").resolve("_delta_log"));
    assertThat(store.sizeInBytes(ChurnTable.CHURN_SCORES)).isZero();
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"a", D1, 0.1}, new Object[] {"b", D1, 0.9}),
        "as_of_date = DATE'2026-03-01'");
    store.append(ChurnTable.CHURN_SCORES, rows(SCORES, new Object[] {"a", D2, 0.2}));
    long both = store.sizeInBytes(ChurnTable.CHURN_SCORES);
    assertThat(both).isEqualTo(bytesOfFilesRead(store)).isPositive();
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"c", D1, 0.5}),
        "as_of_date = DATE'2026-03-01'");
    long after = store.sizeInBytes(ChurnTable.CHURN_SCORES);
    assertThat(after).isEqualTo(bytesOfFilesRead(store));
    // The removed file of 2026-03-01 stays on disk until a vacuum, but no longer counts.
    long onDisk;
    try (var files = java.nio.file.Files.walk(warehouse.resolve("size").resolve("churn_scores"))) {
      onDisk =
          files
              .filter(
                  f -> f.toString().endsWith(".parquet") && !f.toString().contains("_delta_log"))
              .mapToLong(f -> f.toFile().length())
              .sum();
    }
    assertThat(after).isLessThan(onDisk);
  }

  @Test
  void rowCountIsTheRowsOfTheCurrentVersionFromTheLogsStatistics() {
    // Invariant: the rows the demo reports per table are the rows a reader of the current version
    // sees: rows of files a later commit replaced or deleted no longer count.
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("rowcount").toString());
    assertThat(store.rowCount(ChurnTable.CHURN_SCORES)).isZero();
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"a", D1, 0.1}, new Object[] {"b", D1, 0.9}),
        "as_of_date = DATE'2026-03-01'");
    store.append(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"a", D2, 0.2}, new Object[] {"b", D2, 0.3}));
    assertThat(store.rowCount(ChurnTable.CHURN_SCORES)).isEqualTo(4);
    store.replaceWhere(
        ChurnTable.CHURN_SCORES,
        rows(SCORES, new Object[] {"c", D1, 0.5}),
        "as_of_date = DATE'2026-03-01'");
    store.delete(ChurnTable.CHURN_SCORES, "customer_id = 'b'");
    // Left: c on D1, a on D2.
    assertThat(store.rowCount(ChurnTable.CHURN_SCORES))
        .isEqualTo(store.read(ChurnTable.CHURN_SCORES).count())
        .isEqualTo(2);
    assertThat(KernelTables.numRecords("{\"numRecords\":7,\"minValues\":{}}")).isEqualTo(7);
    assertThat(KernelTables.numRecords("{\"minValues\":{}}")).isEqualTo(-1);
  }

  /** The bytes of the files Spark reads for the table's current version. */
  private static long bytesOfFilesRead(TableStore store) {
    long bytes = 0;
    for (String uri : store.read(ChurnTable.CHURN_SCORES).inputFiles()) {
      bytes += new java.io.File(java.net.URI.create(uri)).length();
    }
    return bytes;
  }

  @Test
  void readingAMissingTableNamesTableAndLocation() {
    TableStore store = new DeltaTableStore(spark(), warehouse.resolve("empty").toString());
    assertThat(store.exists(ChurnTable.RISK_SEGMENTS)).isFalse();
    assertThat(store.version(ChurnTable.RISK_SEGMENTS)).isEqualTo(-1);
    assertThatThrownBy(() -> store.read(ChurnTable.RISK_SEGMENTS))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "table 'risk_segments' does not exist at '"
                + warehouse.resolve("empty")
                + "/risk_segments'; run the stage that writes it first");
  }

  @Test
  void tablesAreRegisteredInTheCatalogDatabaseAndANameThatPointsElsewhereIsRefused() {
    // Invariant: with catalog.database set, SQL users read the warehouse's tables by name, and a
    // registration never silently points a name at another warehouse.
    String here = warehouse.resolve("catalogued").toString();
    DeltaTableStore store = new DeltaTableStore(spark(), here, "churn_test");
    Dataset<Row> day1 = rows(SCORES, new Object[] {"a", D1, 0.1}, new Object[] {"b", D1, 0.9});
    store.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'");
    assertSameRows(day1, spark().table("churn_test.churn_scores"));
    // A second write, and a new store on the same warehouse registering what exists: no change.
    store.append(ChurnTable.CHURN_SCORES, rows(SCORES, new Object[] {"c", D2, 0.5}));
    new DeltaTableStore(spark(), here, "churn_test").registerExisting();
    assertSameRows(store.read(ChurnTable.CHURN_SCORES), spark().table("churn_test.churn_scores"));
    assertThat(spark().table("churn_test.churn_scores").count()).isEqualTo(3);

    String other = warehouse.resolve("other").toString();
    DeltaTableStore elsewhere = new DeltaTableStore(spark(), other, "churn_test");
    assertThatThrownBy(
            () ->
                elsewhere.replaceWhere(
                    ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'"))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "catalog table 'churn_test.churn_scores' exists at 'file:"
                + here
                + "/churn_scores', not at this warehouse's 'file:"
                + other
                + "/churn_scores'; drop it (DROP TABLE churn_test.churn_scores) or set"
                + " catalog.database to another database");
    // No database: nothing registered.
    new DeltaTableStore(spark(), warehouse.resolve("plain").toString())
        .append(ChurnTable.CLV_MODELS, spark().range(1).toDF());
    assertThat(spark().catalog().tableExists("churn_test", "clv_models")).isFalse();
    // catalog.schema (a Unity Catalog name): registered in that catalog's schema, and found again.
    String unity = warehouse.resolve("unity").toString();
    DeltaTableStore catalogued = new DeltaTableStore(spark(), unity, "spark_catalog.churn_uc");
    catalogued.replaceWhere(ChurnTable.CHURN_SCORES, day1, "as_of_date = DATE'2026-03-01'");
    assertSameRows(day1, spark().table("spark_catalog.churn_uc.churn_scores"));
    new DeltaTableStore(spark(), unity, "spark_catalog.churn_uc").registerExisting();
    assertSameRows(day1, spark().table("churn_uc.churn_scores"));
  }

  @Test
  void aWarehouseThatCannotBeWrittenIsNamed() throws Exception {
    java.io.File file = warehouse.resolve("a-file").toFile();
    java.nio.file.Files.writeString(file.toPath(), "not a directory");
    String path = file.getPath() + "/warehouse";
    assertThatThrownBy(() -> new DeltaTableStore(spark(), path).checkWritable())
        .isInstanceOfSatisfying(
            ChurnException.class,
            e -> assertThat(e.exitCode()).isEqualTo(io.churnlake.common.errors.ExitCode.USAGE))
        .hasMessageStartingWith("cannot write the warehouse '" + path + "' (")
        .hasMessageEndingWith(
            "); set warehouse (--set warehouse=DIR or a --config file) to a directory this user"
                + " can create and write");
    new DeltaTableStore(spark(), warehouse.resolve("writable").toString()).checkWritable();
    assertThat(warehouse.resolve("writable").toFile().list()).isEmpty();
  }

  @Test
  void quarantineKeepsFileStatisticsOnTheColumnsItsPurgeAndForgetFilterOn() {
    // Invariant: the nightly purge (quarantined_at, the eighth column) skips files by their
    // statistics instead of reading the table; the session default indexes only three columns.
    String where = warehouse.resolve("stats").toString();
    TableStore store = new DeltaTableStore(spark(), where);
    store.append(
        ChurnTable.QUARANTINE,
        spark()
            .sql(
                "SELECT 'app' AS source, 'f.json' AS source_file, 7L AS source_offset,"
                    + " 'malformed_json' AS reason, '{' AS record, 'c1' AS customer_id,"
                    + " 'r1' AS ingest_run_id, TIMESTAMP'2026-03-01 10:00:00' AS quarantined_at"));
    Row stats =
        spark()
            .read()
            .json(where + "/quarantine/_delta_log/00000000000000000000.json")
            .where("add IS NOT NULL")
            .selectExpr("add.stats")
            .head();
    assertThat(stats.getString(0))
        .isEqualTo(
            "{\"numRecords\":1,\"minValues\":{\"source\":\"app\",\"source_file\":\"f.json\","
                + "\"customer_id\":\"c1\",\"quarantined_at\":\"2026-03-01T10:00:00.000Z\"},"
                + "\"maxValues\":{\"source\":\"app\",\"source_file\":\"f.json\","
                + "\"customer_id\":\"c1\",\"quarantined_at\":\"2026-03-01T10:00:00.000Z\"},"
                + "\"nullCount\":{\"source\":0,\"source_file\":0,\"customer_id\":0,"
                + "\"quarantined_at\":0}}");
  }
}
