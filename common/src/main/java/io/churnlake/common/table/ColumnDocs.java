package io.churnlake.common.table;

import java.util.Map;
import java.util.ServiceLoader;

/**
 * The documented meaning of each table's columns, written into Delta as column comments when a
 * table is created (or its schema rewritten), so that a catalog browser or {@code DESCRIBE TABLE}
 * shows the documentation instead of bare columns. The descriptions live with the table definitions
 * above this module; they are found through {@link ServiceLoader}, and without an implementation on
 * the classpath no column gets a comment.
 */
public interface ColumnDocs {
  /** Column name to its one-line meaning; empty for a table without documentation. */
  Map<String, String> comments(ChurnTable table);

  /** The implementation on the classpath, or one that documents nothing. */
  static ColumnDocs load() {
    return ServiceLoader.load(ColumnDocs.class, ColumnDocs.class.getClassLoader())
        .findFirst()
        .orElse(table -> Map.of());
  }
}
