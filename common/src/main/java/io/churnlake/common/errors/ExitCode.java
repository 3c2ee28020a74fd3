package io.churnlake.common.errors;

/** Process exit codes that an orchestrator can rely on. */
public enum ExitCode {
  /** The command finished and its outputs are published. */
  SUCCESS(0),
  /** A stage failed at run time: unreadable input, missing data, a failed job. */
  RUNTIME_FAILURE(1),
  /** The command line or the configuration is wrong; nothing was started. */
  USAGE(2),
  /** Another run for the same command and date holds the lease; nothing was changed. */
  ALREADY_RUNNING(3);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
