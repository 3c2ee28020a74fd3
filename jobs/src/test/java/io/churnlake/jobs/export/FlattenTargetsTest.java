package io.churnlake.jobs.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.tables.TableCatalog;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Targets as flat CRM rows, from inline rows of the documented {@code risk_segments} schema.
 * Invariants: only targeted customers (never control or none), the plan's columns unchanged, each
 * of the first n drivers as a feature and reason column pair (null when the customer has fewer),
 * and no nested column left.
 */
class FlattenTargetsTest extends SparkTestBase {
  private static final Date AS_OF = Date.valueOf("2026-03-31");

  private static Row driver(String feature, double contribution, String reason) {
    String category = feature.startsWith("days_since") ? "disengagement" : "friction";
    return RowFactory.create(feature, 1.0, contribution, reason, category);
  }

  private static Object[] plan(String customer, String targeting, double net, Row... drivers) {
    return new Object[] {
      customer,
      AS_OF,
      0.6,
      "high",
      100.0,
      "high",
      "high value, high risk",
      "personal_offer",
      net,
      targeting,
      List.of(drivers),
      "m1",
      "run-1"
    };
  }

  @Test
  void onlyTargetedCustomersWithTheirFirstDriversAsFlatColumns() {
    StructType schema = TableCatalog.of(ChurnTable.RISK_SEGMENTS).schema();
    Dataset<Row> plans =
        rows(
            schema,
            plan(
                "1",
                "targeted",
                40.0,
                driver("thumbs_down_30d", 0.9, "many thumbs down"),
                driver("days_since_last_activity", 0.5, "inactive for a while"),
                driver("help_30d", 0.1, "asked for help")),
            plan("2", "targeted", 25.0, driver("errors_30d", 0.4, "errors")),
            plan("3", "control", 30.0, driver("help_30d", 0.2, "asked for help")),
            plan("4", "none", -5.0));

    Dataset<Row> flat = new FlattenTargets(2).apply(plans);

    assertThat(List.of(flat.columns()))
        .containsExactly(
            "customer_id",
            "as_of_date",
            "segment",
            "action",
            "churn_probability",
            "value",
            "expected_net_value",
            "driver_1_feature",
            "driver_1_reason",
            "driver_1_category",
            "driver_2_feature",
            "driver_2_reason",
            "driver_2_category",
            "model_version",
            "run_id");
    assertThat(flat.schema().fields())
        .allSatisfy(f -> assertThat(f.dataType() instanceof StructType).isFalse());
    assertThat(flat.orderBy("customer_id").collectAsList().toString())
        .isEqualTo(
            "[[1,2026-03-31,high value, high risk,personal_offer,0.6,100.0,40.0,thumbs_down_30d,"
                + "many thumbs down,friction,days_since_last_activity,inactive for a while,"
                + "disengagement,m1,run-1],"
                + " [2,2026-03-31,high value, high risk,personal_offer,0.6,100.0,25.0,errors_30d,"
                + "errors,friction,null,null,null,m1,run-1]]");
  }
}
