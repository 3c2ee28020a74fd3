package io.churnlake.jobs.runs;

/**
 * Where a command's stages are recorded as they start and end ({@link PipelineRuns} writes the
 * Delta table {@code pipeline_runs}; {@link #NONE} records nothing, for tests and benchmarks).
 */
public interface RunLedger {
  /** A started stage, to be closed by {@link #succeeded} or {@link #failed}. */
  record Entry(String stage, int sequence, long startedAtMillis) {}

  Entry started(String stage);

  void succeeded(Entry entry);

  void failed(Entry entry, String error);

  /** Records nothing. */
  RunLedger NONE =
      new RunLedger() {
        @Override
        public Entry started(String stage) {
          return new Entry(stage, 0, System.currentTimeMillis());
        }

        @Override
        public void succeeded(Entry entry) {}

        @Override
        public void failed(Entry entry, String error) {}
      };
}
