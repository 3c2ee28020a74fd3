package io.churnlake.jobs.tables;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.ColumnDocs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.types.StructField;

/**
 * The column comments Delta tables are created with: each documented column's meaning from {@link
 * TableCatalog} (what docs/tables.md shows; every table is documented, TableDocsTest). Registered
 * as the {@link ColumnDocs} service.
 */
public final class TableColumnDocs implements ColumnDocs {
  private static final Map<ChurnTable, Map<String, String>> CACHE = new ConcurrentHashMap<>();

  @Override
  public Map<String, String> comments(ChurnTable table) {
    return CACHE.computeIfAbsent(table, TableColumnDocs::of);
  }

  private static Map<String, String> of(ChurnTable table) {
    Map<String, String> out = new LinkedHashMap<>();
    for (StructField f : TableCatalog.of(table).schema().fields()) {
      String comment = TableDoc.comment(f);
      if (!comment.isEmpty()) {
        out.put(f.name(), comment);
      }
    }
    return Map.copyOf(out);
  }
}
