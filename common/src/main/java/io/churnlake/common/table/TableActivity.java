package io.churnlake.common.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * What one stage did to the tables, recorded by the {@link TableStore} while the activity is open:
 * the version of each table it read (the first read of that table) and, per table it wrote, the
 * last version it committed and the rows its commits wrote (Delta's {@code numOutputRows}). The run
 * ledger stores it per stage, so a reader can tell exactly which table versions a result came from.
 * Operational tables (the run ledger, the leases) are not recorded.
 */
public final class TableActivity implements AutoCloseable {
  /** A table read at a version. */
  public record Read(String table, long version) {}

  /** A table written: the last version committed, rows written by all commits, commits made. */
  public record Written(String table, long version, long rows, int commits) {}

  private final Map<String, Long> reads = new LinkedHashMap<>();
  private final Map<String, Written> writes = new LinkedHashMap<>();
  private final Consumer<TableActivity> onClose;

  /** An activity that {@code onClose} stops feeding (the store removes it from its listeners). */
  public TableActivity(Consumer<TableActivity> onClose) {
    this.onClose = onClose;
  }

  /** An activity nothing feeds (stores that track nothing). */
  public static TableActivity none() {
    return new TableActivity(a -> {});
  }

  /** A read of a table this stage already wrote is a read-back of its own output, not an input. */
  synchronized void read(ChurnTable table, long version) {
    if (!table.operational() && !writes.containsKey(table.tableName())) {
      reads.putIfAbsent(table.tableName(), version);
    }
  }

  synchronized void wrote(ChurnTable table, long version, long rows) {
    if (!table.operational()) {
      writes.merge(
          table.tableName(),
          new Written(table.tableName(), version, rows, 1),
          (a, b) ->
              new Written(
                  a.table(),
                  Math.max(a.version(), b.version()),
                  a.rows() + b.rows(),
                  a.commits() + 1));
    }
  }

  /** Tables read, in the order first read. */
  public synchronized List<Read> reads() {
    List<Read> out = new ArrayList<>();
    reads.forEach((t, v) -> out.add(new Read(t, v)));
    return out;
  }

  /** Tables written, in the order first written. */
  public synchronized List<Written> writes() {
    return List.copyOf(writes.values());
  }

  /** Rows written to all tables. */
  public synchronized long rowsWritten() {
    return writes.values().stream().mapToLong(Written::rows).sum();
  }

  /** {@code events@3,customers@2}: each table read at its version ("-" when none). */
  public String readSummary() {
    List<Read> r = reads();
    return r.isEmpty()
        ? "-"
        : r.stream().map(x -> x.table() + "@" + x.version()).collect(Collectors.joining(","));
  }

  /** {@code customer_features@5+2000}: each table written, its last version and rows written. */
  public String writeSummary() {
    List<Written> w = writes();
    return w.isEmpty()
        ? "-"
        : w.stream()
            .map(x -> x.table() + "@" + x.version() + "+" + x.rows())
            .collect(Collectors.joining(","));
  }

  @Override
  public void close() {
    onClose.accept(this);
  }
}
