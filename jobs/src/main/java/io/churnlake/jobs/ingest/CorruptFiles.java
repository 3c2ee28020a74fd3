package io.churnlake.jobs.ingest;

import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.TableSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Compressed files of a batch that cannot be decompressed to their end (a truncated {@code .gz}, a
 * damaged block). Reading one inside the batch would fail the whole source with the codec's stack
 * trace and no file named; found first, such a file is left out of the batch, its other files load,
 * and it is quarantined as one row ({@code corrupt_file}). It is not written to the ingest ledger,
 * so the next run reads it again: a file delivered again intact loads then, replacing the
 * quarantine row.
 *
 * <p>The check decompresses each compressed file once in a task of its own (one task per file, on
 * the executors) and keeps no content: the problem is the codec's message and the number of bytes
 * that decompressed, never a byte of the data. Uncompressed files are not read here.
 */
final class CorruptFiles {
  static final String REASON = "corrupt_file";

  private CorruptFiles() {}

  /** A file that does not decompress: where it stops and why, without any of its content. */
  record Corrupt(SourceFiles.SourceFile file, long readableBytes, String problem) {
    /** The problem in words, for the console, the log and the quarantine row. */
    String describe() {
      return String.format(
          "does not decompress after %,d bytes (%s); quarantined as %s and read again next run",
          readableBytes, problem, REASON);
    }
  }

  /** The compressed files of {@code files} that do not decompress to their end, in list order. */
  static List<Corrupt> find(JobContext ctx, List<SourceFiles.SourceFile> files) {
    Configuration hadoop = ctx.spark().sparkContext().hadoopConfiguration();
    CompressionCodecFactory codecs = new CompressionCodecFactory(hadoop);
    List<String> compressed = new ArrayList<>();
    for (SourceFiles.SourceFile f : files) {
      if (codecs.getCodec(new Path(f.path())) != null) {
        compressed.add(f.path());
      }
    }
    if (compressed.isEmpty()) {
      return List.of();
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(ctx.spark().sparkContext());
    Broadcast<SerializableConfiguration> conf =
        jsc.broadcast(new SerializableConfiguration(hadoop));
    // One row per compressed file of the batch reaches the driver: (path, bytes, problem or null).
    List<String[]> checked;
    try {
      checked =
          jsc.parallelize(compressed, compressed.size())
              .map(path -> check(conf.value().value(), path))
              .collect();
    } finally {
      conf.destroy();
    }
    Map<String, SourceFiles.SourceFile> byPath = new LinkedHashMap<>();
    files.forEach(f -> byPath.put(f.path(), f));
    List<Corrupt> out = new ArrayList<>();
    for (String[] c : checked) {
      if (c[2] != null) {
        out.add(new Corrupt(byPath.get(c[0]), Long.parseLong(c[1]), c[2]));
      }
    }
    return out;
  }

  /** Decompresses one file to its end: {path, bytes decompressed, problem or null}. */
  static String[] check(Configuration hadoop, String path) {
    Path p = new Path(path);
    CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(p);
    byte[] buffer = new byte[1 << 16];
    long bytes = 0;
    try (InputStream in = codec.createInputStream(p.getFileSystem(hadoop).open(p))) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        bytes += n;
      }
      return new String[] {path, Long.toString(bytes), null};
    } catch (IOException | RuntimeException | InternalError e) {
      // Codecs report damage as EOFException, ZipException or a native InternalError; their
      // messages name the stream's state, not its content.
      String message = e.getMessage() == null ? "" : ": " + e.getMessage();
      return new String[] {
        path,
        Long.toString(bytes),
        codec.getClass().getSimpleName().replace("Codec", "").toLowerCase(java.util.Locale.ROOT)
            + " "
            + simpleName(e)
            + message
      };
    }
  }

  private static String simpleName(Throwable e) {
    return e.getClass().getSimpleName();
  }

  /** The quarantine rows of corrupt files, one per file, in {@code quarantine}'s columns. */
  static Dataset<Row> quarantineRows(
      JobContext ctx, String source, String runId, List<Corrupt> corrupt) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (Corrupt c : corrupt) {
      rows.add(
          RowFactory.create(
              source,
              c.file().name(),
              c.readableBytes(),
              REASON,
              "file does not decompress after " + c.readableBytes() + " bytes: " + c.problem(),
              null,
              runId,
              now));
    }
    return ctx.spark().createDataFrame(rows, TableSchemas.QUARANTINE);
  }

  /** Each corrupt file as a line: its name and what is wrong with it. */
  static List<String> lines(List<Corrupt> corrupt) {
    return corrupt.stream().map(c -> c.file().name() + " " + c.describe()).toList();
  }

  /**
   * A batch whose every file is corrupt: their quarantine rows, replacing those of an earlier run,
   * and no ledger row, so the next run reads them again.
   */
  static SourceResult quarantineOnly(
      JobContext ctx,
      io.churnlake.common.config.SourceSpec spec,
      io.churnlake.common.table.ChurnTable target,
      List<Corrupt> corrupt,
      String predicate,
      String runId) {
    String tag = "ingest " + runId + " " + spec.name();
    ctx.store()
        .replaceWhere(
            io.churnlake.common.table.ChurnTable.QUARANTINE,
            quarantineRows(ctx, spec.name(), runId, corrupt),
            predicate,
            tag);
    long wrote =
        Math.max(
            0, ctx.store().committedRows(io.churnlake.common.table.ChurnTable.QUARANTINE, tag));
    if (wrote != corrupt.size()) {
      throw io.churnlake.common.errors.ChurnErrors.reconciliationFailed(
          spec.name() + " (" + corrupt.size() + " corrupt files)", 0, 0, wrote, 0);
    }
    return new SourceResult(spec.name(), target.tableName(), 0, 0, 0, 0, 0, 0, lines(corrupt));
  }
}
