package io.churnlake.jobs.export;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.CustomerAttributesAsOf;
import io.churnlake.jobs.tables.SegmentColumns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code churnlake export --as-of D --path P}: D's targeted customers (optionally of some segments)
 * as one CSV (with a header) or Parquet file under directory P, best expected net value first,
 * drivers flattened ({@link FlattenTargets}); customer-table columns only when listed in {@code
 * export.personal-columns}. Written to a sibling directory first and renamed into place, so P holds
 * either nothing or the whole export; an existing P is refused unless overwrite is asked.
 */
public final class ExportJob {
  private ExportJob() {}

  /** What was written. */
  public record Result(LocalDate asOf, String path, String format, long customers) {}

  public static Result run(
      JobContext ctx,
      LocalDate asOf,
      List<String> segments,
      String format,
      String path,
      boolean overwrite) {
    return ctx.stage("export", () -> export(ctx, asOf, segments, format, path, overwrite));
  }

  /**
   * A segment as named in risk_segments ("high value, high risk") from that name or its config key
   * ("high-value-high-risk").
   */
  public static String segmentName(String given) {
    for (String v : ChurnConfig.SegmentSettings.TIERS) {
      for (String r : ChurnConfig.SegmentSettings.TIERS) {
        String name = v + " value, " + r + " risk";
        if (given.equals(name) || given.equals(ChurnConfig.SegmentSettings.cellKey(v, r))) {
          return name;
        }
      }
    }
    throw ChurnErrors.badOption(
        "--segment",
        given,
        "<low|medium|high>-value-<low|medium|high>-risk, e.g. high-value-high-risk");
  }

  private static Result export(
      JobContext ctx,
      LocalDate asOf,
      List<String> segments,
      String format,
      String path,
      boolean overwrite) {
    String onDate = History.asOfPredicate(asOf);
    if (!ctx.store().exists(ChurnTable.RISK_SEGMENTS)
        || ctx.store().read(ChurnTable.RISK_SEGMENTS).where(onDate).isEmpty()) {
      throw ChurnErrors.noRowsForDate(
          ChurnTable.RISK_SEGMENTS.tableName(),
          asOf,
          "run 'churnlake segment --as-of " + asOf + "' (or nightly) first");
    }
    Dataset<Row> plan = ctx.store().read(ChurnTable.RISK_SEGMENTS).where(onDate);
    if (!segments.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (String s : segments) {
        names.add(segmentName(s));
      }
      plan = plan.where(col(SegmentColumns.SEGMENT).isin(names.toArray()));
    }
    Dataset<Row> rows = new FlattenTargets(ctx.config().score().drivers()).apply(plan);
    List<String> personal = ctx.config().export().personalColumns();
    if (!personal.isEmpty()) {
      rows = withAttributes(ctx, asOf, rows, personal);
    }
    Dataset<Row> sorted =
        rows.orderBy(col(SegmentColumns.EXPECTED_NET_VALUE).desc(), col(Columns.CUSTOMER_ID))
            // Range partitions concatenated in order: one sorted file, written by one task.
            .coalesce(1);
    long written = write(ctx, sorted, format, path, overwrite);
    return new Result(asOf, path, format, written);
  }

  private static Dataset<Row> withAttributes(
      JobContext ctx, LocalDate asOf, Dataset<Row> rows, List<String> personal) {
    if (!ctx.store().exists(ChurnTable.CUSTOMERS)) {
      throw ChurnErrors.badConfigValue(
          "churnlake.export.personal-columns",
          personal,
          "columns of the customers table, which does not exist");
    }
    Dataset<Row> customers = ctx.store().read(ChurnTable.CUSTOMERS);
    List<String> available = CustomerAttributesAsOf.attributes(customers);
    for (String c : personal) {
      if (!available.contains(c)) {
        throw ChurnErrors.unknownColumn(
            "churnlake.export.personal-columns", c, ChurnTable.CUSTOMERS.tableName(), available);
      }
    }
    Dataset<Row> attrs =
        new CustomerAttributesAsOf()
            .apply(customers, History.asOfDates(ctx.spark(), List.of(asOf)));
    List<org.apache.spark.sql.Column> cols = new ArrayList<>();
    cols.add(col(Columns.CUSTOMER_ID));
    for (String c : personal) {
      cols.add(col(c));
    }
    return rows.join(
        attrs.select(cols.toArray(new org.apache.spark.sql.Column[0])),
        Columns.CUSTOMER_ID,
        "left");
  }

  private static long write(
      JobContext ctx, Dataset<Row> rows, String format, String path, boolean overwrite) {
    Path target = new Path(path);
    Path staging = new Path(target.getParent(), "." + target.getName() + ".tmp-" + ctx.runId());
    try {
      FileSystem fs = target.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
      if (fs.exists(target) && !overwrite) {
        throw ChurnErrors.badOption(
            "--path", path, "a path that does not exist yet (or add --overwrite)");
      }
      rows.persist();
      try {
        if (format.equals("csv")) {
          rows.write().option("header", "true").csv(staging.toString());
        } else {
          rows.write().parquet(staging.toString());
        }
        long count = rows.count();
        if (fs.exists(target)) {
          fs.delete(target, true);
        }
        if (!fs.rename(staging, target)) {
          throw new IOException("could not rename " + staging + " to " + target);
        }
        return count;
      } finally {
        rows.unpersist();
        if (fs.exists(staging)) {
          fs.delete(staging, true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
