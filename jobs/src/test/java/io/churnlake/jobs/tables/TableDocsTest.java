package io.churnlake.jobs.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.testing.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/tables.md is generated from the code and cannot go stale: it equals what {@code churnlake
 * tables} prints, every table churnlake owns is in it with every column described, and every
 * example query runs against tables of the documented schemas. (That the documented schemas are the
 * written ones is checked on the tables the nightly tests write.)
 */
class TableDocsTest extends SparkTestBase {
  static final Path DOC = Examples.DIR.getParent().getParent().resolve("docs/tables.md");

  @Test
  void docsTablesMdIsWhatTheCatalogRenders() throws IOException {
    assertThat(Files.readString(DOC))
        .as("docs/tables.md is stale: regenerate it with ./churnlake tables > docs/tables.md")
        .isEqualTo(RenderTableDocs.markdown(TableCatalog.all()));
  }

  @Test
  void everyTableIsDocumentedOnceInTheOrderOfChurnTable() {
    assertThat(TableCatalog.all().stream().map(TableDoc::table).toList())
        .containsExactly(ChurnTable.values());
    for (TableDoc d : TableCatalog.all()) {
      assertThat(d.schema().fields())
          .as(d.table().tableName())
          .allSatisfy(f -> assertThat(TableDoc.comment(f)).isNotBlank());
    }
  }

  /**
   * Invariant: a catalog browser shows the documentation. A table created by the store carries each
   * documented column's meaning as its Delta column comment (DESCRIBE TABLE shows it), and a later
   * write without comments keeps them.
   */
  @Test
  void tablesAreCreatedWithTheirColumnsDocumentedAsDeltaComments(@TempDir Path dir) {
    DeltaTableStore store = new DeltaTableStore(spark(), dir.toString());
    TableDoc doc = TableCatalog.of(ChurnTable.SEGMENT_SUMMARY);
    StructType plain = new StructType();
    for (StructField f : doc.schema().fields()) {
      plain = plain.add(f.name(), f.dataType(), f.nullable());
    }
    store.append(ChurnTable.SEGMENT_SUMMARY, spark().createDataFrame(List.<Row>of(), plain));
    store.append(ChurnTable.SEGMENT_SUMMARY, spark().createDataFrame(List.<Row>of(), plain));
    List<String> described = new ArrayList<>();
    for (Row r :
        spark()
            .sql("DESCRIBE TABLE delta.`" + store.location(ChurnTable.SEGMENT_SUMMARY) + "`")
            .collectAsList()) {
      if (!r.getString(0).isEmpty() && !r.getString(0).startsWith("#")) {
        described.add(r.getString(0) + ": " + r.getString(2));
      }
    }
    List<String> documented = new ArrayList<>();
    for (StructField f : doc.schema().fields()) {
      documented.add(f.name() + ": " + TableDoc.comment(f));
    }
    assertThat(described).containsAll(documented);
    assertThat(documented).contains("segment: the matrix cell, e.g. `high value, high risk`");
  }

  @Test
  void everyExampleQueryRunsAgainstTablesOfTheDocumentedSchemas() {
    for (TableDoc d : TableCatalog.all()) {
      StructType schema = d.schema();
      if (d.table() == ChurnTable.CUSTOMER_FEATURES) {
        // A configuration-dependent feature the examples use (docs/customer_features.md).
        schema = schema.add("days_since_last_activity", DataTypes.IntegerType);
      }
      spark()
          .createDataFrame(List.<Row>of(), schema)
          .createOrReplaceTempView(d.table().tableName());
    }
    List<String> failing = new ArrayList<>();
    for (TableDoc d : TableCatalog.all()) {
      for (TableDoc.Example e : d.examples()) {
        try {
          spark().sql(e.sql()).collectAsList();
        } catch (Exception ex) {
          failing.add(d.table().tableName() + " '" + e.question() + "': " + ex.getMessage());
        }
      }
    }
    assertThat(failing).isEmpty();
  }

  @Test
  void aColumnWithoutDescriptionOrADescriptionOfNoColumnIsRefused() {
    StructType schema =
        new StructType().add("customer_id", DataTypes.StringType).add("x", DataTypes.DoubleType);
    assertThatThrownBy(() -> builder(schema).col("customer_id", "the customer").build())
        .hasMessage("churn_labels: undocumented columns [x], descriptions of unknown []");
    assertThatThrownBy(
            () ->
                builder(schema)
                    .col("customer_id", "the customer")
                    .col("x", "a figure")
                    .col("y", "gone")
                    .build())
        .hasMessage("churn_labels: undocumented columns [], descriptions of unknown [y]");
  }

  @Test
  void differencesNameMissingExtraAndRetypedColumns() {
    TableDoc doc = TableCatalog.of(ChurnTable.CHURN_LABELS);
    StructType written =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("as_of_date", DataTypes.DateType)
            .add("horizon_days", DataTypes.LongType)
            .add("churned", DataTypes.BooleanType)
            .add("label_definition", DataTypes.StringType)
            .add("extra", DataTypes.StringType);
    assertThat(doc.differences(written))
        .containsExactly(
            "churn_labels.horizon_days is written as bigint, documented as int",
            "churn_labels.churn_date is documented but not written",
            "churn_labels.extra is written but not documented");
    assertThat(doc.differences(doc.schema())).isEmpty();
    // A table whose columns depend on the sources accepts more columns, not fewer.
    TableDoc events = TableCatalog.of(ChurnTable.EVENTS);
    assertThat(events.differences(events.schema().add("page", DataTypes.StringType))).isEmpty();
    StructType withoutAmount =
        new StructType(
            Arrays.stream(events.schema().fields())
                .filter(f -> !f.name().equals("amount"))
                .toArray(org.apache.spark.sql.types.StructField[]::new));
    assertThat(events.differences(withoutAmount))
        .containsExactly("events.amount is documented but not written");
  }

  @Test
  void queriesAreLaidOutOneTopLevelClausePerLine() {
    assertThat(
            RenderTableDocs.layout(
                "SELECT a FROM t WHERE d = (SELECT max(d) FROM t) AND s = 'x FROM y'"
                    + " GROUP BY a ORDER BY a LIMIT 3"))
        .isEqualTo(
            "SELECT a\nFROM t\nWHERE d = (SELECT max(d) FROM t) AND s = 'x FROM y'\nGROUP BY a"
                + "\nORDER BY a\nLIMIT 3");
  }

  private static TableDoc.Builder builder(StructType schema) {
    return TableDoc.of(ChurnTable.CHURN_LABELS)
        .grain("one row per customer", "customer_id")
        .writtenBy("`labels`")
        .about("labels")
        .schema(schema)
        .example("a", "SELECT 1")
        .example("b", "SELECT 2")
        .example("c", "SELECT 3");
  }
}
