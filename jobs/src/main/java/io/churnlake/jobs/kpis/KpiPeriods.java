package io.churnlake.jobs.kpis;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.time.LocalDate;
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
public record KpiPeriods(ChurnConfig.KpiGrain grain, List<LocalDate> starts, LocalDate asOf) {
  static final StructType SCHEMA =
      new StructType()
          .add(KpiColumns.PERIOD_START, DataTypes.DateType, false)
          .add(KpiColumns.PERIOD_END, DataTypes.DateType, false)
          .add(KpiColumns.MATURE, DataTypes.BooleanType, false);

  public static KpiPeriods between(ChurnConfig.KpiGrain grain, LocalDate first, LocalDate asOf) {
    List<LocalDate> starts = new ArrayList<>();
    for (LocalDate s = grain.start(first); !s.isAfter(asOf); s = grain.next(s)) {
      starts.add(s);
    }
    return new KpiPeriods(grain, List.copyOf(starts), asOf);
  }

  public LocalDate end(LocalDate start) {
    return grain.next(start).minusDays(1);
  }

  public Dataset<Row> toDataset(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (LocalDate s : starts) {
      rows.add(RowFactory.create(Date.valueOf(s), Date.valueOf(end(s)), !end(s).isAfter(asOf)));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }
}
