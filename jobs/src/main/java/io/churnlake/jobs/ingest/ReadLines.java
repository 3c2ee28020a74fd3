package io.churnlake.jobs.ingest;

import io.churnlake.common.config.SourceSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Tuple2;

/**
 * Reads line-oriented files with Hadoop's splittable text reader, on the executors, keeping each
 * line's file name and byte offset (so a quarantined record can be found in its file) and decoding
 * it with the source's charset. A line that is not valid in that charset is kept, decoded with
 * replacement characters, and flagged.
 */
final class ReadLines {
  static final String FILE = "_file";
  static final String OFFSET = "_offset";
  static final String RECORD = "_record";
  static final String BAD_ENCODING = "_bad_encoding";

  static final StructType SCHEMA =
      new StructType()
          .add(FILE, DataTypes.StringType, false)
          .add(OFFSET, DataTypes.LongType, false)
          .add(RECORD, DataTypes.StringType, false)
          .add(BAD_ENCODING, DataTypes.BooleanType, false);

  private ReadLines() {}

  /**
   * The records of a line-oriented source's files. For CSV a record is a line, or several when a
   * quoted field holds line breaks (RFC 4180): such files are read one task per file, since a split
   * could begin inside a quoted field.
   */
  static Dataset<Row> read(SparkSession spark, List<String> paths, SourceSpec spec) {
    Optional<QuotedRecords.Syntax> csv =
        spec.format() == SourceSpec.Format.CSV
            ? Optional.of(new QuotedRecords.Syntax(spec.delimiter(), spec.quote(), spec.escape()))
            : Optional.empty();
    return read(spark, paths, spec.encoding(), csv);
  }

  static Dataset<Row> read(
      SparkSession spark, List<String> paths, String encoding, Optional<QuotedRecords.Syntax> csv) {
    Job job;
    try {
      job = Job.getInstance(new Configuration(spark.sparkContext().hadoopConfiguration()));
      FileInputFormat.setInputPaths(job, paths.stream().map(Path::new).toArray(Path[]::new));
      if (csv.isPresent()) {
        FileInputFormat.setMinInputSplitSize(job, Long.MAX_VALUE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JavaNewHadoopRDD<LongWritable, Text> lines =
        (JavaNewHadoopRDD<LongWritable, Text>)
            JavaSparkContext.fromSparkContext(spark.sparkContext())
                .newAPIHadoopRDD(
                    job.getConfiguration(), TextInputFormat.class, LongWritable.class, Text.class);
    QuotedRecords.Syntax syntax = csv.orElse(null); // Optional is not serializable
    JavaRDD<InternalRow> rows =
        lines.mapPartitionsWithInputSplit(
            (split, it) ->
                decode(
                    ((FileSplit) split).getPath().getName(),
                    encoding,
                    syntax != null ? new QuotedRecords(it, syntax) : it),
            true);
    // Rows in Spark's internal form: a valid UTF-8 line's bytes become the column's value as they
    // are, with no Java string made and converted back.
    return spark.internalCreateDataFrame(rows.rdd(), SCHEMA, false);
  }

  private static Iterator<InternalRow> decode(
      String file, String encoding, Iterator<Tuple2<LongWritable, Text>> lines) {
    Charset charset = Charset.forName(encoding);
    boolean utf8 = charset.equals(StandardCharsets.UTF_8);
    CharsetDecoder strict =
        charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    UTF8String name = UTF8String.fromString(file);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return lines.hasNext();
      }

      @Override
      public InternalRow next() {
        Tuple2<LongWritable, Text> line = lines.next();
        long offset = line._1().get();
        byte[] bytes = line._2().getBytes();
        int length = line._2().getLength();
        int start = 0;
        if (offset == 0 && utf8 && startsWithUtf8Bom(bytes, length)) {
          start = 3; // a byte-order mark is not part of the first record
        }
        if (utf8 && validUtf8(strict, bytes, start, length)) {
          UTF8String text = UTF8String.fromBytes(Arrays.copyOfRange(bytes, start, length));
          return new GenericInternalRow(new Object[] {name, offset, text, false});
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, start, length - start);
        String text;
        boolean bad = false;
        try {
          text = strict.decode(buffer).toString();
        } catch (CharacterCodingException e) {
          text = charset.decode(ByteBuffer.wrap(bytes, start, length - start)).toString();
          bad = true;
        }
        if (offset == 0 && text.startsWith("\uFEFF")) {
          text = text.substring(1);
        }
        return new GenericInternalRow(
            new Object[] {name, offset, UTF8String.fromString(text), bad});
      }
    };
  }

  private static boolean startsWithUtf8Bom(byte[] bytes, int length) {
    return length >= 3
        && bytes[0] == (byte) 0xEF
        && bytes[1] == (byte) 0xBB
        && bytes[2] == (byte) 0xBF;
  }

  /** ASCII (the usual line) is checked byte by byte; anything else by the strict decoder. */
  private static boolean validUtf8(CharsetDecoder strict, byte[] bytes, int start, int length) {
    for (int i = start; i < length; i++) {
      if (bytes[i] < 0) {
        try {
          strict.decode(ByteBuffer.wrap(bytes, start, length - start));
          return true;
        } catch (CharacterCodingException e) {
          return false;
        }
      }
    }
    return true;
  }

  /** The first line of a file (a CSV header), or empty for an empty file. Driver side. */
  static Optional<String> firstLine(Configuration hadoop, String path, String encoding) {
    Path p = new Path(path);
    CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(p);
    try (FSDataInputStream raw = p.getFileSystem(hadoop).open(p);
        InputStream in = codec == null ? raw : codec.createInputStream(raw);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, Charset.forName(encoding)))) {
      String line = reader.readLine();
      if (line != null && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      return Optional.ofNullable(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
