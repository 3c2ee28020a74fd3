package io.churnlake.jobs.runs;

import io.churnlake.common.table.TableActivity;

/**
 * Where a command's stages are recorded as they start and end ({@link PipelineRuns} writes the
 * Delta table {@code pipeline_runs}; {@link #NONE} records nothing, for tests and benchmarks).
 */
public interface RunLedger {
  /** A started stage, to be closed by {@link #succeeded} or {@link #failed}. */
  record Entry(String stage, int sequence, long startedAtMillis) {}

  Entry started(String stage);

  /** The stage ended well; {@code io} holds the table versions it read and wrote. */
  void succeeded(Entry entry, TableActivity io);

  /** The stage failed with {@code error}; {@code io} holds what it read and wrote before. */
  void failed(Entry entry, String error, TableActivity io);

  /**
   * This ledger with its rows stamped with {@code inputs}, a fingerprint of what the stages read
   * (nightly: configuration, date, ingest ledger, champion model).
   */
  default RunLedger withInputs(String inputs) {
    return this;
  }

  /** This ledger recording under another as-of date (backfill runs one date after another). */
  default RunLedger forDate(java.time.LocalDate asOf) {
    return this;
  }

  /**
   * The run that succeeded {@code stage} for this command's date with the same {@code inputs}, if
   * that success is the stage's latest for the date by any command (so nothing has replaced its
   * output since).
   */
  default java.util.Optional<String> succeededWith(String stage, String inputs) {
    return java.util.Optional.empty();
  }

  /** Records that {@code stage} was skipped because {@code byRun} already did it. */
  default void skipped(String stage, String byRun) {}

  /**
   * Records how the whole command ended, as a row of its own ({@link #EXIT_STAGE}) with the exit
   * code the command line returns: the outcome an orchestrator reads where the exit code does not
   * reach it (cluster deploy mode).
   */
  default void exited(int exitCode, String error) {}

  /** The stage name of the row {@link #exited} writes: after every stage of the run. */
  String EXIT_STAGE = "exit";

  /** Records nothing. */
  RunLedger NONE =
      new RunLedger() {
        @Override
        public Entry started(String stage) {
          return new Entry(stage, 0, System.currentTimeMillis());
        }

        @Override
        public void succeeded(Entry entry, TableActivity io) {}

        @Override
        public void failed(Entry entry, String error, TableActivity io) {}
      };
}
