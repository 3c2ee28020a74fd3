package io.churnlake.jobs.kpis;

import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@code action_effects}: each configured action's save rate learned from the matured waves of
 * {@code campaign_outcomes} ({@link SaveRatePosterior}: the configured rate as the mean of a prior
 * on [-1, 1] of {@code segment.save-rate-prior-strength} pseudo-customers, each wave and segment
 * with treated and control customers as a stratum), one row per action, in {@link
 * KpiColumns#ACTION_EFFECTS}' order. An action without such a stratum keeps its configured rate
 * (with the prior's interval), and says so. Pure; a row per action.
 */
public final class ActionEffects {
  private ActionEffects() {}

  /** One {@code campaign_outcomes} row, as much of it as the effects need. */
  public record Outcome(
      LocalDate wave,
      String action,
      String status,
      long treated,
      long treatedChurned,
      long control,
      long controlChurned) {}

  /**
   * @param priors each configured action's save rate, by action name
   */
  public static List<Row> rows(
      LocalDate asOf,
      Map<String, Double> priors,
      double strength,
      List<Outcome> outcomes,
      String runId) {
    List<Row> out = new ArrayList<>();
    for (String action : new TreeSet<>(priors.keySet())) {
      double prior = priors.get(action);
      List<SaveRatePosterior.Stratum> strata = new ArrayList<>();
      TreeSet<LocalDate> waves = new TreeSet<>();
      long treated = 0;
      long control = 0;
      for (Outcome o : outcomes) {
        if (o.action().equals(action)
            && KpiColumns.MATURE_STATUS.equals(o.status())
            && o.treated() > 0
            && o.control() > 0) {
          strata.add(
              new SaveRatePosterior.Stratum(
                  o.treated(), o.treatedChurned(), o.control(), o.controlChurned()));
          waves.add(o.wave());
          treated += o.treated();
          control += o.control();
        }
      }
      SaveRatePosterior.Posterior p = SaveRatePosterior.of(prior, strength, strata);
      boolean learned = !strata.isEmpty();
      String note = note(learned, waves.size(), treated, control, p, prior);
      out.add(
          RowFactory.create(
              Date.valueOf(asOf),
              action,
              waves.size(),
              strata.size(),
              treated,
              control,
              prior,
              strength,
              // Prior only: the configured rate itself (the Beta prior's mean, but for the 0.5
              // floor that keeps a configured 0 proper), with the prior's interval.
              learned ? p.mean() : prior,
              p.lower(),
              p.upper(),
              learned ? "learned" : "prior",
              note,
              runId));
    }
    return out;
  }

  /**
   * Where an action's save rate comes from: the matured waves it was learned from, or the prior.
   */
  private static String note(
      boolean learned,
      int waves,
      long treated,
      long control,
      SaveRatePosterior.Posterior p,
      double prior) {
    return learned
        ? String.format(
            java.util.Locale.ROOT,
            "learned from %d wave%s (%d treated, %d control customers), 95%% interval"
                + " %.2f to %.2f; prior %.2f",
            waves,
            waves == 1 ? "" : "s",
            treated,
            control,
            p.lower(),
            p.upper(),
            prior)
        : String.format(
            java.util.Locale.ROOT,
            "prior only: no matured wave with treated and control customers; configured %.2f",
            prior);
  }
}
