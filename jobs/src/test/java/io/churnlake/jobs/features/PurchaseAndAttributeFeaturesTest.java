package io.churnlake.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.testing.EventRows;
import io.churnlake.jobs.testing.Examples;
import io.churnlake.jobs.testing.GeneratorTypes;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The purchase and customer-attribute feature families, and their combination with activity.
 * Invariants: features for an as-of date use only rows dated on or before it (adding later rows
 * changes nothing, over randomised fixtures); a customer with no purchase has null recency and
 * average order value with {@code has_purchased = 0}; a customer who churned before the date is out
 * of the population whatever other tables hold.
 */
class PurchaseAndAttributeFeaturesTest extends SparkTestBase {
  static final StructType TRANSACTIONS = io.churnlake.jobs.testing.TransactionRows.SCHEMA;

  static final StructType CUSTOMERS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("snapshot_date", DataTypes.DateType)
          .add("churned", DataTypes.BooleanType)
          .add("contract", DataTypes.StringType)
          .add("monthly_charges", DataTypes.DoubleType)
          .add("source", DataTypes.StringType)
          .add("source_file", DataTypes.StringType)
          .add("ingest_run_id", DataTypes.StringType);

  static Object[] line(
      String order, String customer, String time, double quantity, double price, String type) {
    return new Object[] {
      order,
      customer,
      Timestamp.valueOf(time),
      Date.valueOf(time.substring(0, 10)),
      "p1",
      quantity,
      price,
      Math.round(quantity * price * 10000) / 10000.0,
      type
    };
  }

  private Dataset<Row> dates(String... dates) {
    StructType schema = new StructType().add("as_of_date", DataTypes.DateType);
    List<Object[]> rows = new ArrayList<>();
    for (String d : dates) {
      rows.add(new Object[] {Date.valueOf(d)});
    }
    return rows(schema, rows.toArray(new Object[0][]));
  }

  private Dataset<Row> purchases(Dataset<Row> transactions, Dataset<Row> dates) {
    return new BuildPurchaseFeatures(List.of(7, 30))
        .apply(new AggregateDailyPurchases().apply(transactions), dates);
  }

  private static List<String> text(Dataset<Row> rows) {
    return Examples.text(rows);
  }

  @Test
  void rfmFeaturesCountOnlyLinesOnOrBeforeTheDateAndKeepMissingExplicit() {
    Dataset<Row> transactions =
        rows(
            TRANSACTIONS,
            // A: one order of two lines, then that order partly cancelled, then a second order.
            line("o1", "A", "2026-03-01 10:00:00", 2, 5.0, "purchase"),
            line("o1", "A", "2026-03-01 10:00:00", 1, 5.0, "purchase"),
            line("C1", "A", "2026-03-05 09:00:00", -1, 5.0, "cancellation"),
            line("o2", "A", "2026-03-20 12:00:00", 4, 5.0, "purchase"),
            // B: only a return so far: known, but has never purchased.
            line("r1", "B", "2026-03-10 15:00:00", -3, 1.0, "return"));
    Dataset<Row> f = purchases(transactions, dates("2026-03-15"));
    assertThat(f.columns())
        .containsExactly(
            "customer_id",
            "as_of_date",
            "days_since_last_purchase",
            "days_since_first_purchase",
            "has_purchased",
            "orders_total",
            "net_spend_total",
            "avg_order_value",
            "returned_share",
            "orders_7d",
            "net_spend_7d",
            "return_lines_7d",
            "cancelled_orders_7d",
            "orders_30d",
            "net_spend_30d",
            "return_lines_30d",
            "cancelled_orders_30d");
    assertThat(text(f))
        .containsExactly(
            "[A,2026-03-15,14,14,1,1,10.0,15.0,0.3333333333333333,0,0.0,0,0,1,10.0,0,1]",
            "[B,2026-03-15,null,null,0,0,-3.0,null,0.0,0,-3.0,1,0,0,-3.0,1,0]");
  }

  @Test
  void attributesComeFromTheLatestSnapshotOnOrBeforeTheDate() {
    Dataset<Row> customers =
        rows(
            CUSTOMERS,
            new Object[] {
              "A", Date.valueOf("2026-01-31"), false, "Month-to-month", 20.0, "crm", "f1", "r"
            },
            new Object[] {
              "A", Date.valueOf("2026-02-28"), false, "One year", 25.0, "crm", "f2", "r"
            },
            new Object[] {
              "A", Date.valueOf("2026-03-31"), true, "Two year", 30.0, "crm", "f3", "r"
            },
            new Object[] {
              "B", Date.valueOf("2026-03-31"), false, "One year", 50.0, "crm", "f3", "r"
            });
    Dataset<Row> f = new CustomerAttributesAsOf().apply(customers, dates("2026-03-15"));
    // The given churn flag is a label, never a feature; B has no snapshot yet.
    assertThat(f.columns())
        .containsExactly(
            "customer_id", "as_of_date", "days_since_snapshot", "contract", "monthly_charges");
    assertThat(text(f)).containsExactly("[A,2026-03-15,15,One year,25.0]");
  }

  @Test
  void churnedCustomersLeaveThePopulationAndPurchaseOnlyCustomersJoinIt() {
    Dataset<Row> events =
        rows(
            EventRows.SCHEMA,
            EventRows.event("A", "2026-03-01 08:00:00", "next_song", 1L, "free"),
            EventRows.event("C", "2026-03-02 08:00:00", "cancellation_confirmation", 2L, "free"));
    Dataset<Row> transactions =
        rows(
            TRANSACTIONS,
            line("o1", "A", "2026-03-01 10:00:00", 1, 5.0, "purchase"),
            line("o2", "C", "2026-03-03 10:00:00", 1, 5.0, "purchase"),
            line("o3", "D", "2026-03-04 10:00:00", 1, 5.0, "purchase"));
    Dataset<Row> d = dates("2026-03-10");
    Dataset<Row> activity =
        new BuildCustomerFeatures(List.of(7), GeneratorTypes.EVENT_TYPES)
            .withChurnedBefore(GeneratorTypes.daily(events), d);
    Dataset<Row> combined =
        new CombineFeatureFamilies()
            .apply(
                Optional.of(activity), Optional.of(purchases(transactions, d)), Optional.empty());
    assertThat(text(combined.selectExpr("customer_id", "days_since_last_activity", "orders_total")))
        .containsExactly("[A,9,1]", "[D,null,1]");
  }

  /**
   * Point in time, randomised: for several seeds, features of every family as of each date are the
   * same whether or not the rows dated after it exist.
   */
  @Test
  void rowsAfterTheAsOfDateChangeNoFeatureValue() {
    List<String> asOf = List.of("2026-02-10", "2026-03-01", "2026-03-20");
    for (long seed : new long[] {1, 2, 3}) {
      Random random = new Random(seed);
      List<Object[]> all = new ArrayList<>();
      List<Object[]> events = new ArrayList<>();
      List<Object[]> snapshots = new ArrayList<>();
      LocalDate start = LocalDate.of(2026, 1, 1);
      for (int c = 0; c < 12; c++) {
        String customer = "c" + c;
        for (int i = 0; i < 15; i++) {
          LocalDate day = start.plusDays(random.nextInt(90));
          String time = day + " " + String.format("%02d:00:00", random.nextInt(24));
          String type =
              List.of("purchase", "purchase", "purchase", "return", "cancellation")
                  .get(random.nextInt(5));
          double quantity = (type.equals("purchase") ? 1 : -1) * (1 + random.nextInt(5));
          all.add(line("o" + c + "-" + i, customer, time, quantity, 2.5, type));
          String eventType =
              random.nextInt(40) == 0
                  ? "cancellation_confirmation"
                  : List.of("next_song", "thumbs_down", "help").get(random.nextInt(3));
          events.add(EventRows.event(customer, time, eventType, (long) i, "free"));
        }
        for (int m = 1; m <= 3; m++) {
          snapshots.add(
              new Object[] {
                customer,
                Date.valueOf(LocalDate.of(2026, m, 1).plusDays(random.nextInt(27))),
                null,
                List.of("Month-to-month", "One year").get(random.nextInt(2)),
                10.0 * random.nextInt(10),
                "crm",
                "f",
                "r"
              });
        }
      }
      for (String date : asOf) {
        Date cut = Date.valueOf(date);
        Dataset<Row> d = dates(date);
        List<Object[]> eventsBefore =
            events.stream().filter(e -> !((Date) e[2]).after(cut)).toList();
        List<Object[]> linesBefore = all.stream().filter(e -> !((Date) e[3]).after(cut)).toList();
        List<Object[]> snapsBefore =
            snapshots.stream().filter(e -> !((Date) e[1]).after(cut)).toList();
        assertThat(text(combined(events, all, snapshots, d)))
            .as("seed %d, as of %s", seed, date)
            .isEqualTo(text(combined(eventsBefore, linesBefore, snapsBefore, d)));
      }
    }
  }

  private Dataset<Row> combined(
      List<Object[]> events, List<Object[]> lines, List<Object[]> snapshots, Dataset<Row> d) {
    Dataset<Row> activity =
        new BuildCustomerFeatures(List.of(7, 30), GeneratorTypes.EVENT_TYPES)
            .withChurnedBefore(
                GeneratorTypes.daily(rows(EventRows.SCHEMA, events.toArray(new Object[0][]))), d);
    return new CombineFeatureFamilies()
        .apply(
            Optional.of(activity),
            Optional.of(purchases(rows(TRANSACTIONS, lines.toArray(new Object[0][])), d)),
            Optional.of(
                new CustomerAttributesAsOf()
                    .apply(rows(CUSTOMERS, snapshots.toArray(new Object[0][])), d)));
  }
}
