package io.churnlake.jobs.labels;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfig.LabelDefinition;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.DailyTables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How a data set says a customer churned ({@code labels.definition}): each definition owns how its
 * labels are built, from which table, and whether they are dated (a model trains on earlier as-of
 * dates and is evaluated a horizon later) or a flag of one snapshot (cross-sectional folds). The
 * one place the definition is chosen ({@link #of}); a new definition is one more record here.
 */
public sealed interface ChurnDefinition
    permits ChurnDefinition.Explicit, ChurnDefinition.Inactivity, ChurnDefinition.Given {

  /** The definition the label settings name. */
  static ChurnDefinition of(ChurnConfig.LabelSettings s) {
    return switch (s.definition()) {
      case EXPLICIT -> new Explicit(s);
      case INACTIVITY -> new Inactivity(s);
      case GIVEN -> new Given(s);
    };
  }

  /** The label settings it was chosen by. */
  ChurnConfig.LabelSettings s();

  /** The configured name. */
  default LabelDefinition name() {
    return s().definition();
  }

  /**
   * Whether labels belong to as-of dates with a horizon after them (explicit, inactivity:
   * time-based validation) rather than to a customers snapshot (given: cross-sectional validation).
   */
  boolean dated();

  /**
   * Labels of the customers on {@code dates} (the frame {@code asOf} holds them), seeing nothing
   * after {@code upTo}; {@code daily} is the daily activity table when the caller has it.
   */
  LabelsJob.Labelled label(
      JobContext ctx,
      List<LocalDate> dates,
      LocalDate upTo,
      Optional<Dataset<Row>> daily,
      Dataset<Row> asOf);

  /**
   * The customers this definition still counts as customers on {@code asOf} (one column {@code
   * customer_id}) and, in words, who is left out; empty when every customer with features is (an
   * explicit churn event already removes a customer from {@code customer_features}; a given flag
   * says nothing of the scored date).
   */
  default Optional<AtRisk> atRisk(JobContext ctx, LocalDate asOf) {
    return Optional.empty();
  }

  /** In words, whom a date's labels (and so training and scoring) cover. */
  String population();

  /** In words, who {@link #atRisk} leaves out on {@code asOf}; empty when it leaves out nobody. */
  default Optional<String> leftOut(LocalDate asOf) {
    return Optional.empty();
  }

  /** The customers a definition still counts on a date, and who it leaves out, in words. */
  record AtRisk(Dataset<Row> customers, String leftOut) {}

  /** A churn event (e.g. a cancellation) within the horizon after the as-of date. */
  record Explicit(ChurnConfig.LabelSettings s) implements ChurnDefinition {
    @Override
    public String population() {
      return String.format(
          "on each date, the customers known and not yet churned ('%s' ends a customer);"
              + " churned within the %d days after it, censored where the data ends sooner",
          s.churnEvent(), s.horizonDays());
    }

    @Override
    public boolean dated() {
      return true;
    }

    @Override
    public LabelsJob.Labelled label(
        JobContext ctx,
        List<LocalDate> dates,
        LocalDate upTo,
        Optional<Dataset<Row>> daily,
        Dataset<Row> asOf) {
      LocalDate last = Collections.max(dates);
      LocalDate end = LabelsJob.min(LabelsJob.dataEnd(ctx, ChurnTable.EVENTS, dates), upTo);
      Dataset<Row> days =
          daily.orElseGet(
              () ->
                  DailyTables.activityUpTo(
                      ctx, LabelsJob.min(last.plusDays(s.horizonDays()), end)));
      return new LabelsJob.Labelled(
          new BuildChurnLabels(s.horizonDays(), end).apply(days, asOf),
          s.definition(),
          ChurnTable.EVENTS.tableName(),
          end);
    }
  }

  /** No qualifying activity within the horizon after the as-of date (non-contractual data). */
  record Inactivity(ChurnConfig.LabelSettings s) implements ChurnDefinition {
    @Override
    public String population() {
      return String.format(
          "on each date, the customers with qualifying activity in %s in the %d days up to it"
              + " (the others had already churned); churned when none follows in the %d days"
              + " after it",
          table(s).tableName(), s.horizonDays(), s.horizonDays());
    }

    /** The log whose silence is churn ({@code labels.inactivity.table}). */
    public static ChurnTable table(ChurnConfig.LabelSettings s) {
      return s.inactivityTable() == ChurnConfig.InactivityTable.EVENTS
          ? ChurnTable.EVENTS
          : ChurnTable.TRANSACTIONS;
    }

    @Override
    public boolean dated() {
      return true;
    }

    /**
     * The customers with qualifying activity in the horizon's days up to {@code asOf}, as {@link
     * InactivityLabels} takes its population: the others had already churned by this definition.
     */
    @Override
    public Optional<AtRisk> atRisk(JobContext ctx, LocalDate asOf) {
      Dataset<Row> customers =
          qualifying(ctx, asOf)
              .where(col(Columns.EVENT_DATE).gt(Date.valueOf(asOf.minusDays(s.horizonDays()))))
              .select(Columns.CUSTOMER_ID)
              .distinct();
      return Optional.of(new AtRisk(customers, leftOut(asOf).orElseThrow()));
    }

    @Override
    public Optional<String> leftOut(LocalDate asOf) {
      return Optional.of(
          String.format(
              "already churned by the inactivity definition: no qualifying activity in %s in the"
                  + " %d days up to %s",
              table(s).tableName(), s.horizonDays(), asOf));
    }

    /**
     * Rows of the qualifying activity on or before {@code upTo}; a bad condition fails (exit 2).
     */
    private Dataset<Row> qualifying(JobContext ctx, LocalDate upTo) {
      ChurnTable table = table(s);
      Dataset<Row> activity;
      try {
        activity =
            ctx.store()
                .read(table)
                .where(col(Columns.EVENT_DATE).leq(Date.valueOf(upTo)))
                .where(s.qualifyingActivity());
        activity.schema();
      } catch (Exception e) {
        // Spark reports a bad condition (parse error, unknown column) as an AnalysisException.
        if (!(e instanceof AnalysisException) && !(e.getCause() instanceof AnalysisException)) {
          throw e;
        }
        throw ChurnErrors.badConfigValue(
            "churnlake.labels.inactivity.qualifying",
            s.qualifyingActivity(),
            "a Spark SQL condition over the columns of '"
                + table.tableName()
                + "' ("
                + String.join(", ", ctx.store().read(table).columns())
                + ")");
      }
      return activity;
    }

    @Override
    public LabelsJob.Labelled label(
        JobContext ctx,
        List<LocalDate> dates,
        LocalDate upTo,
        Optional<Dataset<Row>> daily,
        Dataset<Row> asOf) {
      LocalDate last = Collections.max(dates);
      ChurnTable table = table(s);
      LocalDate end = LabelsJob.min(LabelsJob.dataEnd(ctx, table, dates), upTo);
      Dataset<Row> activity = qualifying(ctx, LabelsJob.min(last.plusDays(s.horizonDays()), end));
      return new LabelsJob.Labelled(
          new InactivityLabels(s.horizonDays(), end).apply(activity, asOf),
          s.definition(),
          table.tableName(),
          end);
    }
  }

  /** The churn flag of the customers snapshot dated on the as-of date (static data sets). */
  record Given(ChurnConfig.LabelSettings s) implements ChurnDefinition {
    @Override
    public String population() {
      return "the customers of the snapshot dated on each date, with the churn flag it gives";
    }

    @Override
    public boolean dated() {
      return false;
    }

    @Override
    public LabelsJob.Labelled label(
        JobContext ctx,
        List<LocalDate> dates,
        LocalDate upTo,
        Optional<Dataset<Row>> daily,
        Dataset<Row> asOf) {
      LabelsJob.requireTable(ctx, ChurnTable.CUSTOMERS);
      Dataset<Row> customers =
          ctx.store()
              .read(ChurnTable.CUSTOMERS)
              .where(col("snapshot_date").leq(Date.valueOf(upTo)));
      List<LocalDate> snapshots = new ArrayList<>();
      // Snapshot dates: one row per snapshot, not per customer.
      for (Row r :
          customers.select("snapshot_date").distinct().orderBy("snapshot_date").collectAsList()) {
        snapshots.add(r.getDate(0).toLocalDate());
      }
      for (LocalDate d : dates) {
        if (!snapshots.contains(d)) {
          throw ChurnErrors.badOption(
              "--as-of",
              d,
              "a snapshot date of table 'customers' (labels.definition = given): " + snapshots);
        }
      }
      return new LabelsJob.Labelled(
          new GivenLabels().apply(customers, asOf),
          s.definition(),
          ChurnTable.CUSTOMERS.tableName(),
          Collections.max(snapshots));
    }
  }
}
