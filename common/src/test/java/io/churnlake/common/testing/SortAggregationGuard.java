package io.churnlake.common.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.aggregate.SortAggregateExec;
import org.apache.spark.sql.util.QueryExecutionListener;

/** Records the sort-based aggregations in every query a session executes. */
final class SortAggregationGuard implements QueryExecutionListener {
  private final List<String> found = new ArrayList<>();

  /** The SortAggregate nodes of a physical plan (the final plan of an adaptive one). */
  static List<String> sortAggregates(SparkPlan plan) {
    List<String> out = new ArrayList<>();
    collect(plan, out);
    return out;
  }

  private static void collect(SparkPlan plan, List<String> out) {
    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      collect(adaptive.executedPlan(), out);
      return;
    }
    if (plan instanceof QueryStageExec stage) {
      // A stage of an adaptive plan is a leaf: its plan is a field, not a child.
      collect(stage.plan(), out);
      return;
    }
    if (plan instanceof SortAggregateExec) {
      out.add(plan.simpleString(400));
    }
    scala.collection.Iterator<SparkPlan> children = plan.children().iterator();
    while (children.hasNext()) {
      collect(children.next(), out);
    }
    scala.collection.Iterator<SparkPlan> subqueries = plan.subqueries().iterator();
    while (subqueries.hasNext()) {
      collect(subqueries.next(), out);
    }
  }

  @Override
  public synchronized void onSuccess(String funcName, QueryExecution qe, long durationNs) {
    found.addAll(sortAggregates(qe.executedPlan()));
  }

  @Override
  public void onFailure(String funcName, QueryExecution qe, Exception exception) {}

  synchronized List<String> drain() {
    List<String> out = new ArrayList<>(found);
    found.clear();
    return out;
  }
}
