package io.churnlake.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the notebooks' JPype helper relies on: existing tables registered by name, results as
 * Spark's schema JSON plus one JSON object per row, and a refusal (not a silent cut) when a query
 * returns more rows than the client asked for.
 */
class TableSessionTest extends SparkTestBase {
  @TempDir static Path dir;
  private TableSession session;

  @BeforeAll
  void writeTables() {
    String warehouse = dir.resolve("warehouse").toString();
    StructType schema =
        new StructType()
            .add("segment", DataTypes.StringType, false)
            .add("as_of_date", DataTypes.DateType, false)
            .add("customers", DataTypes.LongType, false)
            .add("revenue_at_risk", DataTypes.DoubleType, true);
    new DeltaTableStore(spark(), warehouse)
        .append(
            ChurnTable.SEGMENT_SUMMARY,
            rows(
                schema,
                new Object[] {"high value, high risk", Date.valueOf("2026-07-19"), 3L, 120.5},
                new Object[] {"low value, low risk", Date.valueOf("2026-07-19"), 40L, null}));
    session =
        TableSession.on(
            ChurnConfigLoader.load(List.of(), List.of("warehouse=\"" + warehouse + "\"")), spark());
  }

  /**
   * The sql command loads only the tables its query names (each load reads a Delta log), matching
   * names as Spark resolves views: whole words, any case.
   */
  @Test
  void theSqlCommandRegistersOnlyTheTablesItsQueryNames() {
    DeltaTableStore store = new DeltaTableStore(spark(), session.warehouse());
    spark().catalog().dropTempView("segment_summary");
    TableSession.registerNamedIn(store, "SELECT 1 AS segment_summary_rows");
    assertEquals(false, spark().catalog().tableExists("segment_summary"));
    TableSession.registerNamedIn(store, "SELECT count(*) FROM Segment_Summary");
    assertEquals(true, spark().catalog().tableExists("segment_summary"));
  }

  @Test
  void listsOnlyTheTablesThatExist() {
    assertArrayEquals(new String[] {"segment_summary"}, session.tables());
  }

  @Test
  void returnsTheSchemaThenOneJsonObjectPerRowWithNullsLeftOut() {
    String[] out =
        session.query(
            "SELECT segment, as_of_date, customers, revenue_at_risk FROM segment_summary"
                + " ORDER BY customers",
            10);
    assertEquals(
        "{\"type\":\"struct\",\"fields\":["
            // Each column carries its documented meaning (the table's Delta column comment).
            + "{\"name\":\"segment\",\"type\":\"string\",\"nullable\":true,\"metadata\":"
            + "{\"comment\":\"the matrix cell, e.g. `high value, high risk`\"}},"
            + "{\"name\":\"as_of_date\",\"type\":\"date\",\"nullable\":true,\"metadata\":"
            + "{\"comment\":\"the plan's date; the partition column\"}},"
            + "{\"name\":\"customers\",\"type\":\"long\",\"nullable\":true,\"metadata\":"
            + "{\"comment\":\"customers in the cell\"}},"
            + "{\"name\":\"revenue_at_risk\",\"type\":\"double\",\"nullable\":true,"
            + "\"metadata\":{\"comment\":\"sum of P(churn) x value, in currency\"}}]}",
        out[0]);
    assertArrayEquals(
        new String[] {
          "{\"segment\":\"high value, high risk\",\"as_of_date\":\"2026-07-19\","
              + "\"customers\":3,\"revenue_at_risk\":120.5}",
          "{\"segment\":\"low value, low risk\",\"as_of_date\":\"2026-07-19\",\"customers\":40}"
        },
        java.util.Arrays.copyOfRange(out, 1, out.length));
  }

  @Test
  void refusesMoreRowsThanTheLimitInsteadOfCuttingSilently() {
    assertEquals(3, session.query("SELECT * FROM segment_summary", 2).length);
    ChurnException e =
        assertThrows(ChurnException.class, () -> session.query("SELECT * FROM segment_summary", 1));
    assertEquals(
        "query returned more than 1 rows; aggregate in SQL, add a LIMIT or pass a larger limit"
            + " (rows travel to the client's memory)",
        e.getMessage());
  }

  @Test
  void namesTheMissingTableInOneLine() {
    ChurnException e =
        assertThrows(ChurnException.class, () -> session.query("SELECT * FROM churn_scores", 1));
    assertEquals(
        "query failed: [TABLE_OR_VIEW_NOT_FOUND] The table or view `churn_scores` cannot be found."
            + " Verify the spelling and correctness of the schema and catalog.",
        e.getMessage());
  }
}
