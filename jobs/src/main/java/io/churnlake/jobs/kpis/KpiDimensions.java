package io.churnlake.jobs.kpis;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.features.CustomerAttributesAsOf;
import io.churnlake.jobs.tables.KpiColumns;
import io.churnlake.jobs.tables.SegmentColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** The dimensions KPIs are broken down by, per customer and period. */
final class KpiDimensions {
  private KpiDimensions() {}

  /**
   * Each customer's dimension values for a period: risk tier, value tier and segment of the latest
   * plan in the 31 (weeks: 7) days before the period starts, and the configured customers-table
   * columns as of the day before it.
   */
  static Dataset<Row> of(
      JobContext ctx,
      ChurnConfig.KpiSettings k,
      Optional<Dataset<Row>> plans,
      Dataset<Row> periods) {
    Column start = col(KpiColumns.PERIOD_START);
    List<Dataset<Row>> parts = new ArrayList<>();
    plans.ifPresent(p -> parts.add(planDimensions(k, p, periods)));
    if (!k.dimensions().isEmpty()) {
      parts.add(customerDimensions(ctx, k, periods));
    }
    if (parts.isEmpty()) {
      return periods
          .limit(0)
          .select(
              lit(null).cast(DataTypes.StringType).as(Columns.CUSTOMER_ID),
              start,
              array(FlowKpis.dimension(KpiColumns.ALL, lit(null))).as(FlowKpis.DIMS));
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    Column a = col("a." + FlowKpis.DIMS);
    Column b = col("b." + FlowKpis.DIMS);
    return parts
        .get(0)
        .as("a")
        .join(
            parts.get(1).as("b"),
            new String[] {Columns.CUSTOMER_ID, KpiColumns.PERIOD_START},
            "full_outer")
        .select(
            col(Columns.CUSTOMER_ID),
            col(KpiColumns.PERIOD_START),
            when(a.isNull(), b).when(b.isNull(), a).otherwise(concat(a, b)).as(FlowKpis.DIMS));
  }

  /** Risk tier, value tier and segment of each customer's latest plan before each period. */
  private static Dataset<Row> planDimensions(
      ChurnConfig.KpiSettings k, Dataset<Row> plans, Dataset<Row> periods) {
    Column start = col(KpiColumns.PERIOD_START);
    Column d = col(Columns.AS_OF_DATE);
    Dataset<Row> planBefore =
        plans
            .select(d)
            .distinct()
            .join(periods, d.lt(start).and(d.geq(date_sub(start, k.grain().maxDays()))))
            .groupBy(KpiColumns.PERIOD_START)
            .agg(max(d).as(Columns.AS_OF_DATE));
    return plans
        .join(broadcast(planBefore), Columns.AS_OF_DATE)
        .select(
            col(Columns.CUSTOMER_ID),
            start,
            array(
                    FlowKpis.dimension(Columns.RISK_TIER, col(Columns.RISK_TIER)),
                    FlowKpis.dimension(SegmentColumns.VALUE_TIER, col(SegmentColumns.VALUE_TIER)),
                    FlowKpis.dimension(SegmentColumns.SEGMENT, col(SegmentColumns.SEGMENT)))
                .as(FlowKpis.DIMS));
  }

  /** The configured customers-table columns as of the day before each period. */
  private static Dataset<Row> customerDimensions(
      JobContext ctx, ChurnConfig.KpiSettings k, Dataset<Row> periods) {
    Column start = col(KpiColumns.PERIOD_START);
    String key = "churnlake.kpis.dimensions";
    if (!ctx.store().exists(ChurnTable.CUSTOMERS)) {
      throw ChurnErrors.badConfigValue(
          key, k.dimensions(), "columns of the customers table, which does not exist");
    }
    Dataset<Row> customers = ctx.store().read(ChurnTable.CUSTOMERS);
    List<String> available = CustomerAttributesAsOf.attributes(customers);
    for (String c : k.dimensions()) {
      if (!available.contains(c)) {
        throw ChurnErrors.unknownColumn(key, c, ChurnTable.CUSTOMERS.tableName(), available);
      }
    }
    Dataset<Row> dayBefore = periods.select(date_sub(start, 1).as(Columns.AS_OF_DATE));
    return new CustomerAttributesAsOf()
        .apply(customers, dayBefore)
        .select(
            col(Columns.CUSTOMER_ID),
            date_add(col(Columns.AS_OF_DATE), 1).as(KpiColumns.PERIOD_START),
            array(
                    k.dimensions().stream()
                        .map(c -> FlowKpis.dimension(c, col("`" + c + "`")))
                        .toArray(Column[]::new))
                .as(FlowKpis.DIMS));
  }
}
