package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.to_date;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake ingest}: loads the raw files not yet in the ingest ledger (dated on or before
 * the as-of date, when one is given) into {@code events}, and records each file's row counts in
 * {@code ingested_files}. Re-running after a failure at any point never duplicates events: a file's
 * events are replaced as a whole, keyed by the file name.
 */
public final class IngestJob {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  /** Row counts of one ingest run (zero files when nothing was new). */
  public record Result(int files, long rowsRead, long rowsLoaded, long rowsQuarantined) {}

  /** The source name recorded in quarantine rows. */
  static final String SOURCE = "events";

  private IngestJob() {}

  public static Result run(JobContext ctx, Optional<LocalDate> asOf) {
    ChurnConfig.IngestSettings settings = ctx.config().ingest();
    List<RawFiles.RawFile> pending =
        ctx.stage("ingest list", () -> pendingFiles(ctx, settings.eventsPath(), asOf));
    if (pending.isEmpty()) {
      LOG.info(
          "ingest: no new raw files under {}{}",
          settings.eventsPath(),
          asOf.map(d -> " dated on or before " + d).orElse(""));
      return new Result(0, 0, 0, 0);
    }
    return ctx.stage("ingest load", () -> load(ctx, settings, pending));
  }

  private static List<RawFiles.RawFile> pendingFiles(
      JobContext ctx, String path, Optional<LocalDate> asOf) {
    Set<String> done = new HashSet<>();
    if (ctx.store().exists(ChurnTable.INGESTED_FILES)) {
      // One row per raw file, not per customer: small enough for the driver.
      for (Row r :
          ctx.store().read(ChurnTable.INGESTED_FILES).select("file_name").collectAsList()) {
        done.add(r.getString(0));
      }
    }
    return RawFiles.list(path, ctx.spark().sparkContext().hadoopConfiguration()).stream()
        .filter(f -> asOf.map(d -> !f.date().isAfter(d)).orElse(true))
        .filter(f -> !done.contains(f.name()))
        .collect(Collectors.toList());
  }

  private static Result load(
      JobContext ctx, ChurnConfig.IngestSettings settings, List<RawFiles.RawFile> files) {
    String runId = UUID.randomUUID().toString();
    Dataset<Row> raw =
        ctx.spark()
            .read()
            .schema(SparkifyLog.READ_SCHEMA)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", "_corrupt_record")
            .json(files.stream().map(RawFiles.RawFile::path).toArray(String[]::new))
            .withColumn(Columns.SOURCE_FILE, regexp_extract(input_file_name(), "[^/]+$", 0))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> classified = new ClassifyRawEvents(settings.dedupKey()).apply(raw);
      String predicate = inList(Columns.SOURCE_FILE, files);
      Dataset<Row> events =
          new NormalizeEvents(runId, settings.personalColumns(), settings.keepPersonal())
              .apply(classified);
      ctx.store().replaceWhere(ChurnTable.EVENTS, events, predicate);
      Dataset<Row> rejected = new QuarantineRecords(SOURCE, runId).apply(classified);
      ctx.store().replaceWhere(ChurnTable.QUARANTINE, rejected, predicate);
      Dataset<Row> ledger =
          reconcile(
                  raw,
                  ctx.store().read(ChurnTable.EVENTS).where(predicate),
                  ctx.store().read(ChurnTable.QUARANTINE).where(predicate),
                  runId)
              .persist(StorageLevel.MEMORY_AND_DISK());
      // One row per file: small enough for the driver.
      List<Row> perFile = ledger.collectAsList();
      for (Row r : perFile) {
        long read = r.getAs("rows_read");
        long loaded = r.getAs("rows_loaded");
        long quarantined = r.getAs("rows_quarantined");
        if (read != loaded + quarantined) {
          throw ChurnErrors.reconciliationFailed(r.getAs("file_name"), read, loaded, quarantined);
        }
      }
      // The ledger is written last: a file counts as ingested only once it reconciles.
      ctx.store().replaceWhere(ChurnTable.INGESTED_FILES, ledger, inList("file_name", files));
      Result result =
          new Result(
              files.size(),
              perFile.stream().mapToLong(r -> r.<Long>getAs("rows_read")).sum(),
              perFile.stream().mapToLong(r -> r.<Long>getAs("rows_loaded")).sum(),
              perFile.stream().mapToLong(r -> r.<Long>getAs("rows_quarantined")).sum());
      LOG.info(
          "ingest: {} files, {} records read = {} loaded into events + {} quarantined",
          result.files(),
          result.rowsRead(),
          result.rowsLoaded(),
          result.rowsQuarantined());
      ledger.unpersist();
      return result;
    } finally {
      raw.unpersist();
    }
  }

  /**
   * The ledger rows: per raw file, records read (from the raw batch) against rows loaded and
   * quarantined (counted in the tables as written), so a lost write shows as a mismatch.
   */
  static Dataset<Row> reconcile(
      Dataset<Row> raw, Dataset<Row> loaded, Dataset<Row> quarantined, String runId) {
    Dataset<Row> read = raw.groupBy(Columns.SOURCE_FILE).agg(count(lit(1)).as("rows_read"));
    Dataset<Row> inEvents =
        loaded.groupBy(Columns.SOURCE_FILE).agg(count(lit(1)).as("rows_loaded"));
    Dataset<Row> inQuarantine =
        quarantined.groupBy(Columns.SOURCE_FILE).agg(count(lit(1)).as("rows_quarantined"));
    return read.join(inEvents, List.of(Columns.SOURCE_FILE).toArray(new String[0]), "left")
        .join(inQuarantine, new String[] {Columns.SOURCE_FILE}, "left")
        .select(
            col(Columns.SOURCE_FILE).as("file_name"),
            to_date(regexp_extract(col(Columns.SOURCE_FILE), RawFiles.NAME.pattern(), 1))
                .as("file_date"),
            lit(runId).as(Columns.INGEST_RUN_ID),
            current_timestamp().as("ingested_at"),
            col("rows_read"),
            coalesce(col("rows_loaded"), lit(0L)).as("rows_loaded"),
            coalesce(col("rows_quarantined"), lit(0L)).as("rows_quarantined"));
  }

  private static String inList(String column, List<RawFiles.RawFile> files) {
    return column
        + " IN ("
        + files.stream()
            .map(f -> "'" + f.name().replace("'", "''") + "'")
            .collect(Collectors.joining(", "))
        + ")";
  }
}
