package io.churnlake.jobs.kpis;

import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The calendar of KPI periods (calendar months, or weeks from Monday) from the one holding the
 * first activity to the one holding the as-of date; a period is mature once it ends on or before
 * the as-of date. As many rows as periods: built on the driver, never per customer.
 */
public record KpiPeriods(String grain, List<LocalDate> starts, LocalDate asOf) {
  static final StructType SCHEMA =
      new StructType()
          .add(KpiColumns.PERIOD_START, DataTypes.DateType, false)
          .add(KpiColumns.PERIOD_END, DataTypes.DateType, false)
          .add(KpiColumns.MATURE, DataTypes.BooleanType, false);

  public static KpiPeriods between(String grain, LocalDate first, LocalDate asOf) {
    List<LocalDate> starts = new ArrayList<>();
    for (LocalDate s = start(grain, first); !s.isAfter(asOf); s = next(grain, s)) {
      starts.add(s);
    }
    return new KpiPeriods(grain, List.copyOf(starts), asOf);
  }

  /** The first day of the period holding {@code day}. */
  public static LocalDate start(String grain, LocalDate day) {
    return grain.equals("week")
        ? day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
        : day.withDayOfMonth(1);
  }

  static LocalDate next(String grain, LocalDate start) {
    return grain.equals("week") ? start.plusWeeks(1) : start.plusMonths(1);
  }

  public LocalDate end(LocalDate start) {
    return next(grain, start).minusDays(1);
  }

  public Dataset<Row> toDataset(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (LocalDate s : starts) {
      rows.add(RowFactory.create(Date.valueOf(s), Date.valueOf(end(s)), !end(s).isAfter(asOf)));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }
}
