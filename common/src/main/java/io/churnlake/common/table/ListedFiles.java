package io.churnlake.common.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.FileStatusCache;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.InMemoryFileIndex;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * A Spark relation over Parquet files whose list, sizes and times are already known (from a Delta
 * log read by Kernel): Spark's file index is handed the files as listed, so it makes no file system
 * call per file and runs no listing job; the partition columns come from the directory names below
 * {@code root}, typed by the schema.
 */
final class ListedFiles {
  private static final long BLOCK_SIZE = 128L * 1024 * 1024;

  private ListedFiles() {}

  /** The rows of {@code files}, under {@code root}, with {@code schema}'s columns in its order. */
  static Dataset<Row> read(
      SparkSession spark, String root, StructType schema, List<KernelTables.DataFile> files) {
    Map<Path, FileStatus[]> listed = new HashMap<>();
    List<Path> paths = new ArrayList<>();
    for (KernelTables.DataFile f : files) {
      Path p = new Path(f.path());
      paths.add(p);
      listed.put(
          p,
          new FileStatus[] {
            new FileStatus(f.size(), false, 1, BLOCK_SIZE, f.modificationTime(), p)
          });
    }
    InMemoryFileIndex index =
        new InMemoryFileIndex(
            spark,
            JavaConverters.asScalaBuffer(paths).toSeq(),
            new scala.collection.immutable.Map.Map1<>("basePath", root),
            Option.apply(schema),
            new Listed(listed),
            Option.empty(),
            Option.empty());
    StructType partitions = index.partitionSchema();
    StructType data = new StructType();
    for (StructField f : schema.fields()) {
      if (!Arrays.asList(partitions.fieldNames()).contains(f.name())) {
        data = data.add(f);
      }
    }
    HadoopFsRelation relation =
        new HadoopFsRelation(
            index,
            partitions,
            data,
            Option.empty(),
            new ParquetFileFormat(),
            scala.collection.immutable.Map$.MODULE$.<String, String>empty(),
            spark);
    return spark
        .baseRelationToDataFrame(relation)
        .select(Arrays.stream(schema.fieldNames()).map(functions::col).toArray(Column[]::new));
  }

  /** Answers the file index's listing from the files given; records nothing. */
  private static final class Listed extends FileStatusCache {
    private final Map<Path, FileStatus[]> files;

    Listed(Map<Path, FileStatus[]> files) {
      this.files = files;
    }

    @Override
    public Option<FileStatus[]> getLeafFiles(Path path) {
      return Option.apply(files.get(path));
    }

    @Override
    public void putLeafFiles(Path path, FileStatus[] leafFiles) {}

    @Override
    public void invalidateAll() {}
  }
}
