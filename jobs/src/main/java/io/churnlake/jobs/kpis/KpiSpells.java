package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.labels.ChurnDefinition;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The spells (a customer's time from first activity to churn, or to the as-of date) the KPIs count
 * churn and retention from, under the configured churn definition.
 */
final class KpiSpells {
  private KpiSpells() {}

  /** Spells and the words that say how churn was recognised. */
  record Spells(Dataset<Row> rows, String definition) {}

  static String noChurnDates() {
    return "labels.definition = given: churn is a flag of a customers snapshot, not a date";
  }

  /**
   * The customers' spells up to the as-of date under the configured churn definition; empty when
   * churn has no date (a given flag).
   */
  static Optional<Spells> of(JobContext ctx, LocalDate asOf) {
    ChurnConfig.LabelSettings l = ctx.config().labels();
    ChurnDefinition definition = ChurnDefinition.of(l);
    if (definition instanceof ChurnDefinition.Explicit) {
      requireTable(ctx, ChurnTable.EVENTS, asOf);
      return Optional.of(
          new Spells(
              CustomerSpells.explicit(History.eventsUpTo(ctx, asOf), l.churnEvent()),
              "explicit: a '" + l.churnEvent() + "' event ends a customer"));
    }
    if (definition instanceof ChurnDefinition.Inactivity) {
      ChurnTable table = ChurnDefinition.Inactivity.table(l);
      requireTable(ctx, table, asOf);
      Dataset<Row> activity =
          ctx.store()
              .read(table)
              .where(col(Columns.EVENT_DATE).leq(lit(Date.valueOf(asOf))))
              .where(l.qualifyingActivity());
      return Optional.of(
          new Spells(
              CustomerSpells.inactivity(activity, l.horizonDays(), asOf),
              "inactivity: "
                  + l.horizonDays()
                  + " days without "
                  + l.qualifyingActivity()
                  + " in "
                  + table.tableName()
                  + " end a customer"));
    }
    // A given flag (ChurnDefinition.Given) has no date.
    return Optional.empty();
  }

  private static void requireTable(JobContext ctx, ChurnTable table, LocalDate asOf) {
    if (!ctx.store().exists(table)) {
      throw ChurnErrors.noDataBefore(table.tableName(), asOf);
    }
  }

  static LocalDate firstDay(Spells spells, LocalDate asOf) {
    Row r = spells.rows().agg(min(CustomerSpells.FIRST_START)).first();
    if (r.isNullAt(0)) {
      throw ChurnErrors.noDataBefore("activity (" + spells.definition() + ")", asOf);
    }
    return r.getDate(0).toLocalDate();
  }
}
