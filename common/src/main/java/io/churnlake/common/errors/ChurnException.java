package io.churnlake.common.errors;

/** A user-facing failure whose message names what is at fault; built by {@link ChurnErrors}. */
public final class ChurnException extends RuntimeException {
  private final ExitCode exitCode;

  ChurnException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
