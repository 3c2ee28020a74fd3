package io.churnlake.jobs.generate;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.SegmentColumns;
import io.churnlake.jobs.tables.TableSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake generate}: simulates customers in parallel on the executors and writes a
 * Sparkify-shaped JSON-lines log, one file per day, plus the ground-truth table.
 */
public final class GenerateJob {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

  /** What a run produced. */
  public record Result(String output, int files, long truthRows, long effectRows) {}

  /** About what the log takes per customer and day: 0.38 GB for 2,500 customers x 240 days. */
  static final long BYTES_PER_CUSTOMER_DAY = 640;

  private GenerateJob() {}

  public static Result run(JobContext ctx) {
    ChurnConfig.GenerateSettings g = ctx.config().generate();
    SimulationSpec spec = SimulationSpec.of(g);
    int partitions =
        g.partitions() > 0 ? g.partitions() : 2 * ctx.spark().sparkContext().defaultParallelism();
    Dataset<Row> customers = customers(ctx, spec, g, partitions);
    // Generated code pays off by the size of the log written, not of the tables (spark.codegen).
    long logBytes = BYTES_PER_CUSTOMER_DAY * spec.customers() * g.days();
    int files =
        ctx.stage(
            "generate events",
            () -> {
              ctx.generateCodeFor("generate events", logBytes);
              return writeEvents(ctx, simulateEvents(customers, spec), g.output(), g.writeFrom());
            });
    long truthRows =
        ctx.stage(
            "generate truth",
            () -> {
              ctx.generateCodeFor("generate truth", logBytes);
              Dataset<Row> truth = simulateTruth(customers, spec);
              ctx.store().replaceWhere(ChurnTable.GENERATED_TRUTH, truth, "true");
              return ctx.store().rowCount(ChurnTable.GENERATED_TRUTH);
            });
    long effectRows =
        !g.campaign().applyPlans()
            ? 0
            : ctx.stage(
                "generate effects",
                () -> {
                  Dataset<Row> effects = simulateEffects(customers, spec);
                  ctx.store().replaceWhere(ChurnTable.GENERATED_EFFECTS, effects, "true");
                  return ctx.store().rowCount(ChurnTable.GENERATED_EFFECTS);
                });
    LOG.info(
        "generated {} daily files under {}, {} truth rows and {} effect rows",
        files,
        g.output(),
        truthRows,
        effectRows);
    return new Result(g.output(), files, truthRows, effectRows);
  }

  /**
   * The simulated customers: {@code id} and {@code contacts}, each customer's rows of the
   * warehouse's retention plans when the log plays them (an array of (day, action, contacted) by
   * day; null without any), joined on the executors: no per-customer data on the driver.
   */
  static Dataset<Row> customers(
      JobContext ctx, SimulationSpec spec, ChurnConfig.GenerateSettings g, int partitions) {
    Dataset<Row> ids = ctx.spark().range(0, spec.customers(), 1, partitions).toDF("id");
    if (!g.campaign().applyPlans() || !ctx.store().exists(ChurnTable.RISK_SEGMENTS)) {
      return ids.withColumn(CONTACTS, lit(null).cast(CONTACT_LIST));
    }
    Dataset<Row> plans =
        ctx.store()
            .read(ChurnTable.RISK_SEGMENTS)
            .where(col(SegmentColumns.ACTION).notEqual(lit("none")))
            .select(
                col(Columns.CUSTOMER_ID),
                struct(
                        datediff(col(Columns.AS_OF_DATE), lit(Date.valueOf(g.startDate())))
                            .as("day"),
                        col(SegmentColumns.ACTION).as("action"),
                        col(SegmentColumns.TARGETING)
                            .equalTo(SegmentColumns.TARGETED)
                            .as("contacted"))
                    .as("contact"))
            .where(col("contact.day").between(0, spec.days() - 1))
            .groupBy(Columns.CUSTOMER_ID)
            .agg(array_sort(collect_list(col("contact"))).as(CONTACTS));
    return ids.withColumn(
            Columns.CUSTOMER_ID, col("id").plus(CustomerSimulator.USER_ID_BASE).cast("string"))
        .join(plans, Columns.CUSTOMER_ID, "left")
        .select(col("id"), col(CONTACTS))
        .repartition(partitions);
  }

  private static final String CONTACTS = "contacts";
  private static final String CONTACT_LIST =
      "array<struct<day:int,action:string,contacted:boolean>>";

  private interface Simulation extends java.io.Serializable {
    void run(CustomerSimulator customer, List<Row> out);
  }

  private static Dataset<Row> simulate(
      Dataset<Row> customers, SimulationSpec spec, Simulation what, StructType schema) {
    FlatMapFunction<Row, Row> simulate =
        r -> {
          List<CampaignResponse.Contact> contacts = new ArrayList<>();
          if (!r.isNullAt(1)) {
            for (Row c : r.<Row>getList(1)) {
              contacts.add(
                  new CampaignResponse.Contact(c.getInt(0), c.getString(1), c.getBoolean(2)));
            }
          }
          List<Row> rows = new ArrayList<>();
          what.run(new CustomerSimulator(spec, r.getLong(0), contacts), rows);
          return rows.iterator();
        };
    return customers.flatMap(simulate, Encoders.row(schema));
  }

  static Dataset<Row> simulateEvents(Dataset<Row> customers, SimulationSpec spec) {
    return simulate(customers, spec, (c, out) -> c.events(out::add), SparkifyLog.SCHEMA);
  }

  static Dataset<Row> simulateTruth(Dataset<Row> customers, SimulationSpec spec) {
    return simulate(customers, spec, (c, out) -> c.truth(out::add), TableSchemas.GENERATOR_TRUTH);
  }

  static Dataset<Row> simulateEffects(Dataset<Row> customers, SimulationSpec spec) {
    return simulate(
        customers, spec, (c, out) -> c.effects(out::add), TableSchemas.GENERATED_EFFECTS);
  }

  /**
   * Writes one JSON-lines file per day as {@code events-YYYY-MM-DD.json}: Spark writes one file per
   * day partition into a temporary directory, then each is renamed into place.
   */
  private static int writeEvents(
      JobContext ctx, Dataset<Row> events, String output, Optional<LocalDate> writeFrom) {
    String tmp = output + "/_tmp-" + UUID.randomUUID();
    String from = writeFrom.map(LocalDate::toString).orElse("");
    events
        .withColumn("day", expr("date_format(timestamp_millis(ts), 'yyyy-MM-dd')"))
        .where(col("day").geq(lit(from)))
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
        // events-YYYY-MM-DD.json: the date compares as text.
        if (old.getPath().getName().substring("events-".length()).compareTo(from) >= 0) {
          fs.delete(old.getPath(), false);
        }
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
