package io.churnlake.jobs.runs;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a few rows built on the driver to an existing Delta table with Delta Kernel, in this JVM:
 * one Parquet file and one commit, no Spark job. The run ledger writes two rows per stage (about 25
 * appends a night); through Spark each append planned a write job, ran a task and replayed the log
 * after its commit (0.3-1 s on a warm session, 36 s for the first one of a run waiting on a busy
 * cluster's executors). A Kernel commit is a blind append: a concurrent commit of another run is
 * rebased onto, as Spark's optimistic concurrency does for appends.
 *
 * <p>Kernel cannot add columns: when the table's columns are not the rows' columns (a ledger
 * written by an older version), or the table needs a writer feature Kernel lacks, {@link #append}
 * returns empty and the caller appends with Spark, which evolves the schema.
 */
final class KernelAppend {
  private static final Logger LOG = LoggerFactory.getLogger(KernelAppend.class);
  private static final int ATTEMPTS = 5;

  /** One lock per table location: commits to one table from this JVM go one at a time. */
  private static final java.util.concurrent.ConcurrentMap<String, Object> COMMIT_LOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private KernelAppend() {}

  /**
   * Appends {@code rows} (Spark rows of {@code schema}) to the Delta table at {@code location} in
   * one commit and returns its version; empty when the table does not exist or Kernel cannot write
   * it (the reason is logged), so that the caller writes with Spark.
   */
  static OptionalLong append(
      Configuration hadoop,
      String location,
      org.apache.spark.sql.types.StructType schema,
      List<org.apache.spark.sql.Row> rows) {
    Engine engine = DefaultEngine.create(hadoop);
    Table table = Table.forPath(engine, location);
    for (int attempt = 1; ; attempt++) {
      Transaction txn;
      StructType tableSchema;
      try {
        Snapshot snapshot = table.getLatestSnapshot(engine);
        tableSchema = snapshot.getSchema(engine);
        String difference = difference(tableSchema, schema);
        if (difference != null) {
          LOG.info("{}: appending with Spark: {}", location, difference);
          return OptionalLong.empty();
        }
        txn = table.createTransactionBuilder(engine, "churnlake", Operation.WRITE).build(engine);
      } catch (TableNotFoundException e) {
        return OptionalLong.empty();
      } catch (KernelException | UnsupportedOperationException e) {
        LOG.info("{}: appending with Spark: {}", location, e.getMessage());
        return OptionalLong.empty();
      }
      try {
        TransactionCommitResult result = commit(engine, txn, tableSchema, schema, rows, location);
        if (result.isReadyForCheckpoint()) {
          checkpoint(engine, table, result.getVersion());
        }
        return OptionalLong.of(result.getVersion());
      } catch (ConcurrentWriteException e) {
        // A concurrent commit Kernel cannot rebase onto (a schema or protocol change): again.
        if (attempt == ATTEMPTS) {
          throw new IllegalStateException(
              location + ": " + ATTEMPTS + " appends lost to concurrent commits", e);
        }
      }
    }
  }

  private static TransactionCommitResult commit(
      Engine engine,
      Transaction txn,
      StructType tableSchema,
      org.apache.spark.sql.types.StructType schema,
      List<org.apache.spark.sql.Row> rows,
      String location)
      throws ConcurrentWriteException {
    Row state = txn.getTransactionState(engine);
    ColumnarBatch batch = batch(tableSchema, schema, rows);
    CloseableIterator<FilteredColumnarBatch> data =
        Utils.singletonCloseableIterator(
            new FilteredColumnarBatch(batch, java.util.Optional.empty()));
    try (CloseableIterator<FilteredColumnarBatch> physical =
        Transaction.transformLogicalData(engine, state, data, Map.of())) {
      var context = Transaction.getWriteContext(engine, state, Map.of());
      // Kernel 3.3 names no statistics columns (its files would record only numRecords): the
      // top-level primitive columns are named here, so that readers skip files by as_of_date,
      // run_id or status as they do for files Spark wrote (min and max from the Parquet footer).
      List<io.delta.kernel.expressions.Column> statistics =
          context.getStatisticsColumns().isEmpty()
              ? statisticsColumns(tableSchema)
              : context.getStatisticsColumns();
      CloseableIterator<DataFileStatus> files =
          engine
              .getParquetHandler()
              .writeParquetFiles(context.getTargetDirectory(), physical, statistics)
              .map(KernelAppend::withFullStatistics);
      CloseableIterable<Row> actions =
          CloseableIterable.inMemoryIterable(
              Transaction.generateAppendActions(engine, state, files, context));
      // One commit at a time per table in this JVM: Delta's log store for local files checks that
      // a version is free and then renames onto it, which two threads can both pass (the second
      // rename replacing the first commit, a reader meeting a commit file and a checksum that do
      // not match). Each waiting commit still meets the other's version and rebases onto it.
      synchronized (COMMIT_LOCKS.computeIfAbsent(location, k -> new Object())) {
        return txn.commit(engine, actions);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing to " + txn, e);
    }
  }

  /**
   * The file with statistics that serialise their minimum, maximum and null count too: Kernel 3.3
   * collects them from the Parquet footer but writes only numRecords into the add action.
   */
  private static DataFileStatus withFullStatistics(DataFileStatus file) {
    return new DataFileStatus(
        file.getPath(),
        file.getSize(),
        file.getModificationTime(),
        file.getStatistics().map(FullStatistics::new));
  }

  /**
   * Delta's statistics JSON ({@code numRecords}, {@code minValues}, {@code maxValues}, {@code
   * nullCount}) for the columns whose values are exact in it: strings of at most 32 characters
   * (Delta truncates longer ones), dates, integers and finite doubles. Timestamps are left out
   * (Delta writes them truncated to milliseconds with an adjusted maximum); a column left out only
   * means no file is skipped by it.
   */
  static final class FullStatistics extends io.delta.kernel.utils.DataFileStatistics {
    FullStatistics(io.delta.kernel.utils.DataFileStatistics s) {
      super(s.getNumRecords(), s.getMinValues(), s.getMaxValues(), s.getNullCounts());
    }

    @Override
    public String serializeAsJson() {
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode root = json.createObjectNode();
      root.put("numRecords", getNumRecords());
      com.fasterxml.jackson.databind.node.ObjectNode min = root.putObject("minValues");
      com.fasterxml.jackson.databind.node.ObjectNode max = root.putObject("maxValues");
      com.fasterxml.jackson.databind.node.ObjectNode nulls = root.putObject("nullCount");
      for (var e : getMinValues().entrySet()) {
        io.delta.kernel.expressions.Literal hi = getMaxValues().get(e.getKey());
        String name = String.join(".", e.getKey().getNames());
        if (hi != null && exact(e.getValue()) && exact(hi)) {
          put(min, name, e.getValue());
          put(max, name, hi);
        }
      }
      for (var e : getNullCounts().entrySet()) {
        nulls.put(String.join(".", e.getKey().getNames()), e.getValue());
      }
      try {
        return json.writeValueAsString(root);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    private static boolean exact(io.delta.kernel.expressions.Literal v) {
      Object x = v.getValue();
      DataType t = v.getDataType();
      if (x == null) {
        return false;
      } else if (t instanceof StringType) {
        return ((String) x).length() <= 32;
      } else if (t instanceof DoubleType) {
        return Double.isFinite((Double) x);
      }
      return t instanceof DateType
          || t instanceof IntegerType
          || t instanceof LongType
          || t instanceof BooleanType;
    }

    private static void put(
        com.fasterxml.jackson.databind.node.ObjectNode node,
        String name,
        io.delta.kernel.expressions.Literal v) {
      Object x = v.getValue();
      DataType t = v.getDataType();
      if (t instanceof StringType) {
        node.put(name, (String) x);
      } else if (t instanceof DateType) {
        node.put(name, LocalDate.ofEpochDay((Integer) x).toString());
      } else if (t instanceof IntegerType) {
        node.put(name, (Integer) x);
      } else if (t instanceof LongType) {
        node.put(name, (Long) x);
      } else if (t instanceof DoubleType) {
        node.put(name, (Double) x);
      } else if (t instanceof BooleanType) {
        node.put(name, (Boolean) x);
      }
    }
  }

  /** The table's top-level columns of primitive types (not arrays, maps or structs). */
  static List<io.delta.kernel.expressions.Column> statisticsColumns(StructType schema) {
    List<io.delta.kernel.expressions.Column> columns = new ArrayList<>();
    for (StructField f : schema.fields()) {
      DataType t = f.getDataType();
      if (!(t instanceof ArrayType
          || t instanceof StructType
          || t instanceof io.delta.kernel.types.MapType)) {
        columns.add(new io.delta.kernel.expressions.Column(f.getName()));
      }
    }
    return columns;
  }

  private static void checkpoint(Engine engine, Table table, long version) {
    try {
      table.checkpoint(engine, version);
    } catch (io.delta.kernel.exceptions.CheckpointAlreadyExistsException e) {
      // Another writer checkpointed this version: nothing to do.
    } catch (IOException | RuntimeException e) {
      // A missing checkpoint only makes the next read replay more commits.
      LOG.warn("checkpoint of version {} failed: {}", version, e.getMessage());
    }
  }

  /**
   * Null when the table has exactly the rows' columns (by name, of the same types, in any order);
   * otherwise what differs.
   */
  static String difference(StructType table, org.apache.spark.sql.types.StructType rows) {
    List<String> tableColumns = new ArrayList<>();
    for (StructField f : table.fields()) {
      tableColumns.add(f.getName() + ":" + typeName(f.getDataType()));
    }
    List<String> rowColumns = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField f : rows.fields()) {
      rowColumns.add(f.name() + ":" + f.dataType().simpleString());
    }
    List<String> a = new ArrayList<>(tableColumns);
    List<String> b = new ArrayList<>(rowColumns);
    a.sort(null);
    b.sort(null);
    return a.equals(b) ? null : "table columns " + tableColumns + ", rows " + rowColumns;
  }

  /** A Kernel type in Spark's simpleString form, for comparing schemas. */
  private static String typeName(DataType t) {
    if (t instanceof StringType) {
      return "string";
    } else if (t instanceof DateType) {
      return "date";
    } else if (t instanceof TimestampType) {
      return "timestamp";
    } else if (t instanceof IntegerType) {
      return "int";
    } else if (t instanceof LongType) {
      return "bigint";
    } else if (t instanceof DoubleType) {
      return "double";
    } else if (t instanceof BooleanType) {
      return "boolean";
    } else if (t instanceof ArrayType a) {
      return "array<" + typeName(a.getElementType()) + ">";
    } else if (t instanceof StructType s) {
      List<String> fields = new ArrayList<>();
      for (StructField f : s.fields()) {
        fields.add(f.getName() + ":" + typeName(f.getDataType()));
      }
      return "struct<" + String.join(",", fields) + ">";
    }
    return t.toString();
  }

  /** The rows as one batch of the table's schema, columns taken by name. */
  static ColumnarBatch batch(
      StructType tableSchema,
      org.apache.spark.sql.types.StructType schema,
      List<org.apache.spark.sql.Row> rows) {
    List<ColumnVector> columns = new ArrayList<>();
    for (StructField f : tableSchema.fields()) {
      int i = schema.fieldIndex(f.getName());
      List<Object> values = new ArrayList<>(rows.size());
      for (org.apache.spark.sql.Row r : rows) {
        values.add(r.get(i));
      }
      columns.add(new Values(f.getDataType(), values));
    }
    return new ColumnarBatch() {
      @Override
      public StructType getSchema() {
        return tableSchema;
      }

      @Override
      public ColumnVector getColumnVector(int ordinal) {
        return columns.get(ordinal);
      }

      @Override
      public int getSize() {
        return rows.size();
      }
    };
  }

  /**
   * A column over Java values as Spark rows hold them: String, Integer, Long, Double, Boolean,
   * java.sql.Date or LocalDate (Kernel: days since the epoch), java.sql.Timestamp (Kernel:
   * microseconds since the epoch, UTC), Object[] or List for arrays, Row for structs.
   */
  static final class Values implements ColumnVector {
    private final DataType type;
    private final List<Object> values;

    Values(DataType type, List<Object> values) {
      this.type = type;
      this.values = values;
    }

    @Override
    public DataType getDataType() {
      return type;
    }

    @Override
    public int getSize() {
      return values.size();
    }

    @Override
    public void close() {}

    @Override
    public boolean isNullAt(int row) {
      return values.get(row) == null;
    }

    @Override
    public boolean getBoolean(int row) {
      return (Boolean) values.get(row);
    }

    @Override
    public int getInt(int row) {
      Object v = values.get(row);
      if (v instanceof Date d) {
        return (int) d.toLocalDate().toEpochDay();
      } else if (v instanceof LocalDate d) {
        return (int) d.toEpochDay();
      }
      return (Integer) v;
    }

    @Override
    public long getLong(int row) {
      Object v = values.get(row);
      if (v instanceof Timestamp t) {
        return Math.addExact(
            Math.multiplyExact(Math.floorDiv(t.getTime(), 1000L), 1_000_000L),
            t.getNanos() / 1_000L);
      }
      return ((Number) v).longValue();
    }

    @Override
    public double getDouble(int row) {
      return (Double) values.get(row);
    }

    @Override
    public String getString(int row) {
      return (String) values.get(row);
    }

    @Override
    public ArrayValue getArray(int row) {
      Object v = values.get(row);
      List<Object> elements;
      if (v instanceof Object[] array) {
        elements = Arrays.asList(array);
      } else if (v instanceof List<?> list) {
        elements = new ArrayList<>(list);
      } else {
        throw new IllegalArgumentException("an array column holds " + v.getClass().getName());
      }
      ColumnVector vector = new Values(((ArrayType) type).getElementType(), elements);
      return new ArrayValue() {
        @Override
        public int getSize() {
          return elements.size();
        }

        @Override
        public ColumnVector getElements() {
          return vector;
        }
      };
    }

    @Override
    public ColumnVector getChild(int ordinal) {
      StructType struct = (StructType) type;
      String name = struct.at(ordinal).getName();
      List<Object> child = new ArrayList<>(values.size());
      for (Object v : values) {
        org.apache.spark.sql.Row r = (org.apache.spark.sql.Row) v;
        // By name when the row carries its schema, else by position (the types were compared).
        child.add(r == null ? null : r.get(r.schema() == null ? ordinal : r.fieldIndex(name)));
      }
      return new Values(struct.at(ordinal).getDataType(), child);
    }
  }
}
