package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Which targeting the plan of a date uses: with {@code segment.targeting = uplift} and D's {@code
 * uplift_scores} written, each customer's predicted uplift per action ({@link
 * PlanRetention#UPLIFTS}) joined to the scores; without them, churn-risk targeting and a line
 * saying why. The line is empty for the default (churn-risk) targeting.
 */
record UpliftTargeting(
    ChurnConfig.SegmentSettings settings, Optional<Dataset<Row>> uplifts, Optional<String> line) {

  static UpliftTargeting read(JobContext ctx, LocalDate asOf, ChurnConfig.SegmentSettings s) {
    if (s.targeting() != ChurnConfig.Targeting.UPLIFT) {
      return new UpliftTargeting(s, Optional.empty(), Optional.empty());
    }
    Dataset<Row> scores =
        ctx.store().exists(ChurnTable.UPLIFT_SCORES)
            ? ctx.store().read(ChurnTable.UPLIFT_SCORES).where(History.asOfPredicate(asOf))
            : null;
    Row model = scores == null ? null : scores.agg(first(col(Columns.MODEL_VERSION), true)).first();
    if (model == null || model.isNullAt(0)) {
      return new UpliftTargeting(
          s.withTargeting(ChurnConfig.Targeting.CHURN_RISK),
          Optional.empty(),
          Optional.of(
              "targeting: churn risk, although segment.targeting = uplift: no uplift model has"
                  + " scored "
                  + asOf
                  + " (one is trained once a campaign wave with a control group has matured; run"
                  + " 'churnlake uplift --as-of "
                  + asOf
                  + "')"));
    }
    Dataset<Row> perCustomer = PlanRetention.upliftsPerCustomer(scores);
    return new UpliftTargeting(
        s,
        Optional.of(perCustomer),
        Optional.of(
            "targeting: uplift (expected net value = predicted churn prevented by the action x"
                + " value - cost; model "
                + model.getString(0)
                + "); customers predicted to churn more when contacted are left alone"));
  }

  /** The plan's rows with each customer's uplifts when targeting by uplift. */
  Dataset<Row> join(Dataset<Row> scores) {
    return uplifts.map(u -> scores.join(u, Columns.CUSTOMER_ID, "left")).orElse(scores);
  }
}
