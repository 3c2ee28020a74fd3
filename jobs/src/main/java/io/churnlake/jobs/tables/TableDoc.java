package io.churnlake.jobs.tables;

import io.churnlake.common.table.ChurnTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The documentation of one churnlake table: what a row is, its key, who writes it, every column's
 * meaning (as the comment of its field in {@link #schema}) and example queries. Built only through
 * {@link Builder}, which refuses an undocumented column or a description of a column the schema
 * does not have, so the docs cannot drift from the schema they describe.
 */
public record TableDoc(
    ChurnTable table,
    String grain,
    List<String> key,
    String writtenBy,
    String about,
    StructType schema,
    String moreColumns,
    List<Example> examples) {

  /** An example query with the question it answers. */
  public record Example(String question, String sql) {}

  /** The column's documented meaning. */
  public static String comment(StructField f) {
    return f.getComment().getOrElse(() -> "");
  }

  /** Whether the table may hold columns beyond the documented ones (source attributes...). */
  public boolean open() {
    return moreColumns != null;
  }

  /**
   * How a table as written differs from this documentation (names and types; nullability aside):
   * empty when it matches. A table with {@link #moreColumns} may hold further columns.
   */
  public List<String> differences(StructType actual) {
    List<String> out = new ArrayList<>();
    Map<String, String> written = new LinkedHashMap<>();
    for (StructField f : actual.fields()) {
      written.put(f.name(), f.dataType().simpleString());
    }
    Map<String, String> documented = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      documented.put(f.name(), f.dataType().simpleString());
      String type = written.get(f.name());
      if (type == null) {
        out.add(table.tableName() + "." + f.name() + " is documented but not written");
      } else if (!type.equals(f.dataType().simpleString())) {
        out.add(
            table.tableName()
                + "."
                + f.name()
                + " is written as "
                + type
                + ", documented as "
                + f.dataType().simpleString());
      }
    }
    if (!open()) {
      for (String name : written.keySet()) {
        if (!documented.containsKey(name)) {
          out.add(table.tableName() + "." + name + " is written but not documented");
        }
      }
      if (out.isEmpty()
          && !List.copyOf(written.keySet()).equals(List.copyOf(documented.keySet()))) {
        out.add(table.tableName() + ": columns written in another order than documented");
      }
    }
    return out;
  }

  public static Builder of(ChurnTable table) {
    return new Builder(table);
  }

  /** Collects a table's documentation; {@link #build()} checks it against the schema. */
  public static final class Builder {
    private final ChurnTable table;
    private String grain;
    private List<String> key = List.of();
    private String writtenBy;
    private String about;
    private StructType schema;
    private final Map<String, String> comments = new LinkedHashMap<>();
    private String moreColumns;
    private final List<Example> examples = new ArrayList<>();

    private Builder(ChurnTable table) {
      this.table = table;
    }

    /** What one row is, e.g. "one row per customer and as-of date". */
    public Builder grain(String grain, String... key) {
      this.grain = grain;
      this.key = Arrays.asList(key);
      return this;
    }

    public Builder writtenBy(String commands) {
      this.writtenBy = commands;
      return this;
    }

    public Builder about(String about) {
      this.about = about;
      return this;
    }

    /** The schema the code writes (names, types, nullability); comments come from {@link #col}. */
    public Builder schema(StructType schema) {
      this.schema = schema;
      return this;
    }

    /** A column's meaning and unit. */
    public Builder col(String name, String comment) {
      if (comments.put(name, comment) != null) {
        throw new IllegalStateException(table.tableName() + "." + name + " described twice");
      }
      return this;
    }

    /** The table also holds columns that depend on the sources or configuration; what they are. */
    public Builder moreColumns(String what) {
      this.moreColumns = what;
      return this;
    }

    public Builder example(String question, String sql) {
      examples.add(new Example(question, sql));
      return this;
    }

    public TableDoc build() {
      String name = table.tableName();
      List<String> undocumented = new ArrayList<>();
      StructType commented = new StructType();
      for (StructField f : schema.fields()) {
        String c = comments.get(f.name());
        if (c == null || c.isBlank()) {
          undocumented.add(f.name());
        } else {
          commented = commented.add(f.name(), f.dataType(), f.nullable(), c);
        }
      }
      List<String> unknown =
          comments.keySet().stream()
              .filter(c -> !Arrays.asList(schema.fieldNames()).contains(c))
              .toList();
      if (!undocumented.isEmpty() || !unknown.isEmpty()) {
        throw new IllegalStateException(
            name
                + ": undocumented columns "
                + undocumented
                + ", descriptions of unknown "
                + unknown);
      }
      List<String> names = Arrays.asList(schema.fieldNames());
      if (!names.containsAll(key)) {
        throw new IllegalStateException(name + ": key " + key + " not among " + names);
      }
      table
          .partitionColumn()
          .filter(p -> !names.contains(p))
          .ifPresent(
              p -> {
                throw new IllegalStateException(name + ": partition column " + p + " missing");
              });
      if (grain == null || writtenBy == null || about == null || examples.size() != 3) {
        throw new IllegalStateException(
            name + ": needs a grain, the writing commands, a description and three examples");
      }
      return new TableDoc(
          table, grain, key, writtenBy, about, commented, moreColumns, List.copyOf(examples));
    }
  }
}
