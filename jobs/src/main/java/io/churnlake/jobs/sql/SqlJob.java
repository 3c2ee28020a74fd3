package io.churnlake.jobs.sql;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.jobs.JobContext;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code churnlake sql QUERY}: runs Spark SQL with every existing churnlake table the query names
 * registered under its logical name, and prints at most {@code limit} rows as a table, CSV or JSON
 * lines.
 */
public final class SqlJob {
  /** Output formats. */
  public enum Format {
    table,
    csv,
    json
  }

  private SqlJob() {}

  public static void run(JobContext ctx, String query, Format format, int limit, PrintStream out) {
    TableSession.registerNamedIn(ctx.store(), query);
    Dataset<Row> result;
    try {
      result = ctx.spark().sql(query);
    } catch (Exception e) {
      // AnalysisException (including ParseException) is checked and thrown from Scala.
      throw ChurnErrors.sqlFailed(e);
    }
    ctx.stage(
        "sql",
        () -> {
          print(result, format, limit, out);
          return null;
        });
  }

  private static void print(Dataset<Row> result, Format format, int limit, PrintStream out) {
    switch (format) {
      case table -> out.print(result.showString(limit, 0, false));
      case json -> result.toJSON().takeAsList(limit).forEach(out::println);
      case csv -> {
        out.println(String.join(",", result.columns()));
        // Spark's own string form for every type (arrays as [a, b], dates as yyyy-MM-dd).
        Dataset<Row> text =
            result.select(
                Arrays.stream(result.columns())
                    // Quoted: an unnamed expression's name holds dots and spaces, e.g. "(0.5 * x)".
                    .map(c -> col("`" + c.replace("`", "``") + "`").cast("string").as(c))
                    .toArray(Column[]::new));
        // The user asked for these rows; the limit bounds what reaches the driver.
        List<Row> rows = text.takeAsList(limit);
        for (Row r : rows) {
          out.println(
              java.util.stream.IntStream.range(0, r.length())
                  .mapToObj(i -> csvField(r.isNullAt(i) ? "" : String.valueOf(r.get(i))))
                  .collect(Collectors.joining(",")));
        }
      }
    }
  }

  static String csvField(String v) {
    if (v.contains(",") || v.contains("\"") || v.contains("\n")) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
