package io.churnlake.jobs.nightly;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.runs.RunLease;
import java.time.LocalDate;
import java.util.function.BiConsumer;

/**
 * The nightly flow under its date's lease, for one date ({@code nightly}) or a range of dates
 * ({@code backfill}): what the commands run; what they print stays in {@code cli}.
 */
public final class LeasedNights {
  private LeasedNights() {}

  /**
   * The nightly flow for one date under that date's lease: a second run for the date exits 3
   * (ExitCode.ALREADY_RUNNING). The lease is a stage of its own, so that a refused run shows in
   * pipeline_runs with the holder.
   */
  public static NightlyJob.Result leased(JobContext ctx, LocalDate date, boolean force) {
    ChurnConfig.RunSettings runs = ctx.config().runs();
    try (RunLease lease =
        ctx.stage(
            "lease",
            () ->
                RunLease.acquire(
                    ctx.spark(),
                    ctx.store(),
                    "nightly " + date,
                    ctx.runId(),
                    runs.leaseStaleMinutes(),
                    runs.heartbeatSeconds()))) {
      return NightlyJob.run(ctx, date, force);
    }
  }

  /**
   * The nightly flow for {@code from}, {@code from + every}, ... up to {@code to}, oldest first,
   * each under its date's lease and recorded under its date (so that a rerun resumes what it
   * finished); {@code done} receives each date's result as it completes.
   */
  public static void backfill(
      JobContext ctx,
      LocalDate from,
      LocalDate to,
      int every,
      boolean force,
      BiConsumer<LocalDate, NightlyJob.Result> done) {
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(every)) {
      done.accept(d, leased(ctx.withLedger(ctx.ledger().forDate(d)), d, force));
    }
  }
}
