package io.churnlake.jobs.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.TableSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake generate}: simulates customers in parallel on the executors and writes a
 * Sparkify-shaped JSON-lines log, one file per day, plus the ground-truth table.
 */
public final class GenerateJob {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

  /** What a run produced. */
  public record Result(String output, int files, long truthRows) {}

  /** About what the log takes per customer and day: 0.38 GB for 2,500 customers x 240 days. */
  static final long BYTES_PER_CUSTOMER_DAY = 640;

  private GenerateJob() {}

  public static Result run(JobContext ctx) {
    ChurnConfig.GenerateSettings g = ctx.config().generate();
    SimulationSpec spec = SimulationSpec.of(g);
    int partitions =
        g.partitions() > 0 ? g.partitions() : 2 * ctx.spark().sparkContext().defaultParallelism();
    Dataset<Long> ids = ctx.spark().range(0, spec.customers(), 1, partitions);
    // Generated code pays off by the size of the log written, not of the tables (spark.codegen).
    long logBytes = BYTES_PER_CUSTOMER_DAY * spec.customers() * g.days();
    int files =
        ctx.stage(
            "generate events",
            () -> {
              ctx.generateCodeFor("generate events", logBytes);
              return writeEvents(ctx, simulateEvents(ids, spec), g.output());
            });
    long truthRows =
        ctx.stage(
            "generate truth",
            () -> {
              ctx.generateCodeFor("generate truth", logBytes);
              Dataset<Row> truth = simulateTruth(ids, spec);
              ctx.store().replaceWhere(ChurnTable.GENERATED_TRUTH, truth, "true");
              return ctx.store().rowCount(ChurnTable.GENERATED_TRUTH);
            });
    LOG.info("generated {} daily files under {} and {} truth rows", files, g.output(), truthRows);
    return new Result(g.output(), files, truthRows);
  }

  static Dataset<Row> simulateEvents(Dataset<Long> ids, SimulationSpec spec) {
    FlatMapFunction<Long, Row> simulate =
        id -> {
          List<Row> rows = new ArrayList<>();
          new CustomerSimulator(spec, id).events(rows::add);
          return rows.iterator();
        };
    return ids.flatMap(simulate, Encoders.row(SparkifyLog.SCHEMA));
  }

  static Dataset<Row> simulateTruth(Dataset<Long> ids, SimulationSpec spec) {
    FlatMapFunction<Long, Row> simulate =
        id -> {
          List<Row> rows = new ArrayList<>();
          new CustomerSimulator(spec, id).truth(rows::add);
          return rows.iterator();
        };
    return ids.flatMap(simulate, Encoders.row(TableSchemas.GENERATOR_TRUTH));
  }

  /**
   * Writes one JSON-lines file per day as {@code events-YYYY-MM-DD.json}: Spark writes one file per
   * day partition into a temporary directory, then each is renamed into place.
   */
  private static int writeEvents(JobContext ctx, Dataset<Row> events, String output) {
    String tmp = output + "/_tmp-" + UUID.randomUUID();
    events
        .withColumn("day", expr("date_format(timestamp_millis(ts), 'yyyy-MM-dd')"))
        .repartition(col("day"))
        .sortWithinPartitions("day", "ts", "sessionId", "itemInSession")
        .write()
        .mode(SaveMode.ErrorIfExists)
        .partitionBy("day")
        .option("compression", "none")
        .json(tmp);
    try {
      Path out = new Path(output);
      FileSystem fs = out.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
      for (FileStatus old : fs.globStatus(new Path(out, "events-*.json"))) {
        fs.delete(old.getPath(), false);
      }
      int files = 0;
      for (FileStatus dayDir : fs.globStatus(new Path(tmp, "day=*"))) {
        String day = dayDir.getPath().getName().substring("day=".length());
        FileStatus[] parts = fs.globStatus(new Path(dayDir.getPath(), "part-*"));
        if (parts.length != 1) {
          throw new IllegalStateException(
              parts.length + " part files for day " + day + " under " + tmp);
        }
        fs.rename(parts[0].getPath(), new Path(out, "events-" + day + ".json"));
        files++;
      }
      fs.delete(new Path(tmp), true);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
