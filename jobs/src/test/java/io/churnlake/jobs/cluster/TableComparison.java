package io.churnlake.jobs.cluster;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import scala.collection.JavaConverters;

/**
 * "Equal tables" as the cluster test means it: every churnlake table of one warehouse has the same
 * rows as in the other, integers, strings, booleans and dates identical, doubles equal to a
 * relative 1e-6 (an absolute 1e-12 near zero), run ids and timestamps left out, and each
 * warehouse's own path in strings read as {@code <warehouse>}. The run ledger and leases are
 * expected to differ and are left out.
 */
final class TableComparison {
  /**
   * Not the 1e-9 the issue names: MLlib's L-BFGS adds the partitions' gradient sums in the order
   * their tasks finish, so a fitted model's metrics differ by up to 1.7e-9 (measured) between two
   * runs of the same job; every other double matched to 1e-9 in the runs we made.
   */
  static final double RELATIVE = 1e-6;

  static final double ABSOLUTE = 1e-12;

  private TableComparison() {}

  /** Differences between the two warehouses' tables, empty when they are equal. */
  static List<String> differences(SparkSession spark, String expected, String actual) {
    DeltaTableStore want = new DeltaTableStore(spark, expected);
    DeltaTableStore got = new DeltaTableStore(spark, actual);
    List<String> out = new ArrayList<>();
    for (ChurnTable t : ChurnTable.values()) {
      if (t.operational()) {
        continue;
      }
      if (want.exists(t) != got.exists(t)) {
        out.add(
            t.tableName() + ": exists in " + (want.exists(t) ? "expected only" : "actual only"));
        continue;
      }
      if (!want.exists(t)) {
        continue;
      }
      List<List<Object>> a = rows(want.read(t), expected);
      List<List<Object>> b = rows(got.read(t), actual);
      if (a.size() != b.size()) {
        out.add(t.tableName() + ": " + a.size() + " rows expected, " + b.size() + " found");
        continue;
      }
      int shown = 0;
      for (int i = 0; i < a.size() && shown < 3; i++) {
        if (!same(a.get(i), b.get(i))) {
          out.add(t.tableName() + " row " + i + ": expected " + a.get(i) + " but was " + b.get(i));
          shown++;
        }
      }
    }
    return out;
  }

  /** A table's comparable columns (no timestamps, no run ids), normalised and sorted. */
  static List<List<Object>> rows(Dataset<Row> table, String warehouse) {
    String[] columns =
        Arrays.stream(table.schema().fields())
            .filter(f -> !(f.dataType() instanceof TimestampType))
            .map(StructField::name)
            .filter(n -> !n.endsWith("run_id"))
            .sorted()
            .toArray(String[]::new);
    String root = warehouse.endsWith("/") ? warehouse : warehouse + "/";
    List<List<Object>> rows = new ArrayList<>();
    for (Row r : table.selectExpr(columns).collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < columns.length; i++) {
        values.add(normalise(r.get(i), root));
      }
      rows.add(values);
    }
    rows.sort(Comparator.comparing(TableComparison::sortKey));
    return rows;
  }

  @SuppressWarnings("unchecked")
  private static Object normalise(Object v, String root) {
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof String s) {
      return s.replace(root, "<warehouse>/")
          .replace(root.substring(0, root.length() - 1), "<warehouse>");
    }
    if (v instanceof Row r) {
      List<Object> fields = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        fields.add(normalise(r.get(i), root));
      }
      return fields;
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      Map<String, Object> sorted = new TreeMap<>();
      JavaConverters.mapAsJavaMap((scala.collection.Map<Object, Object>) m)
          .forEach((k, x) -> sorted.put(String.valueOf(normalise(k, root)), normalise(x, root)));
      return sorted;
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      List<Object> items = new ArrayList<>();
      for (Object x : JavaConverters.seqAsJavaList((scala.collection.Seq<Object>) seq)) {
        items.add(normalise(x, root));
      }
      return items;
    }
    return v;
  }

  /** Orders rows by everything, doubles rounded so that 1e-9 noise does not reorder them. */
  private static String sortKey(Object v) {
    if (v instanceof Double d) {
      return String.format(Locale.ROOT, "%.6g", d);
    }
    if (v instanceof List<?> l) {
      StringBuilder sb = new StringBuilder("[");
      for (Object x : l) {
        sb.append(sortKey(x)).append('\u0001');
      }
      return sb.append(']').toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("{");
      m.forEach((k, x) -> sb.append(k).append('=').append(sortKey(x)).append('\u0001'));
      return sb.append('}').toString();
    }
    return String.valueOf(v);
  }

  static boolean same(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Double x && b instanceof Double y) {
      if (x.isNaN() || y.isNaN() || x.isInfinite() || y.isInfinite()) {
        return x.equals(y);
      }
      double diff = Math.abs(x - y);
      return diff <= ABSOLUTE || diff <= RELATIVE * Math.max(Math.abs(x), Math.abs(y));
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      for (Object k : x.keySet()) {
        if (!same(x.get(k), y.get(k))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }
}
