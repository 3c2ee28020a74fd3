package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Joins the feature families into one row per (customer, as-of date). The population is every
 * customer known at the date from an activity table (events or transactions) and not churned before
 * it (an explicit churn event on or before the date); when there is no activity table, the
 * customers with a snapshot on or before it. Customer attributes are joined as of the date. Columns
 * of a family the customer has no rows in are null: missing, never 0. Pure transform.
 */
public final class CombineFeatureFamilies {
  private static final List<String> KEYS = List.of(Columns.CUSTOMER_ID, Columns.AS_OF_DATE);

  /**
   * @param activity {@link BuildCustomerFeatures#withChurnedBefore} rows, when events exist
   * @param purchases {@link BuildPurchaseFeatures} rows, when transactions exist
   * @param attributes {@link CustomerAttributesAsOf} rows, when customers exist
   */
  public Dataset<Row> apply(
      Optional<Dataset<Row>> activity,
      Optional<Dataset<Row>> purchases,
      Optional<Dataset<Row>> attributes) {
    Dataset<Row> base;
    if (activity.isPresent() && purchases.isPresent()) {
      checkDisjoint(activity.get(), purchases.get(), "transactions");
      base =
          activity
              .get()
              .join(purchases.get(), KEYS.toArray(new String[0]), "full_outer")
              .where(coalesce(col(BuildCustomerFeatures.CHURNED_BEFORE), lit(false)).unary_$bang())
              .drop(BuildCustomerFeatures.CHURNED_BEFORE);
    } else if (activity.isPresent()) {
      base =
          activity
              .get()
              .where(col(BuildCustomerFeatures.CHURNED_BEFORE).unary_$bang())
              .drop(BuildCustomerFeatures.CHURNED_BEFORE);
    } else if (purchases.isPresent()) {
      base = purchases.get();
    } else if (attributes.isPresent()) {
      return attributes.get();
    } else {
      throw new IllegalArgumentException("no feature family: no events, transactions or customers");
    }
    if (attributes.isEmpty()) {
      return base;
    }
    checkDisjoint(base, attributes.get(), "customers");
    return base.join(attributes.get(), KEYS.toArray(new String[0]), "left");
  }

  private static void checkDisjoint(Dataset<Row> left, Dataset<Row> right, String table) {
    Set<String> names = new HashSet<>(Arrays.asList(left.columns()));
    List<String> clash = new ArrayList<>();
    for (String c : right.columns()) {
      if (!KEYS.contains(c) && names.contains(c)) {
        clash.add(c);
      }
    }
    if (!clash.isEmpty()) {
      throw ChurnErrors.badOption(
          "columns of table '" + table + "'",
          clash,
          "names no other feature family uses; rename the attribute in the source config");
    }
  }
}
