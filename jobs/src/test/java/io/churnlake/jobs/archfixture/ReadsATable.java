package io.churnlake.jobs.archfixture;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.TableStore;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Architecture test fixture, never run: a transform that reads a table itself, which
 * ArchitectureTest's transform rule must refuse.
 */
public final class ReadsATable {
  private final TableStore store;

  public ReadsATable(TableStore store) {
    this.store = store;
  }

  public Dataset<Row> apply(Dataset<Row> rows) {
    return rows.union(store.read(ChurnTable.EVENTS));
  }
}
