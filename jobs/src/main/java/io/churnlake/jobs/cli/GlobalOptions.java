package io.churnlake.jobs.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/** Options every command takes, before or after the command name. */
final class GlobalOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      parameterConsumer = Appending.class,
      description =
          "HOCON file overriding conf/application.conf; repeatable, later files win (default: none).")
  List<File> configFiles = new ArrayList<>();

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      scope = ScopeType.INHERIT,
      parameterConsumer = Appending.class,
      description =
          "Override one configuration key, e.g. --set segment.high-from=0.4; repeatable, wins over --config (default: none).")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      scope = ScopeType.INHERIT,
      description =
          "Id of this run in pipeline_runs, chosen by the caller (1 to 128 of A-Z a-z 0-9 . _ : -), so that an orchestrator can read its outcome with 'status --run ID --exit-code' (default: a random UUID).")
  String runId;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "Print stack traces with errors and Spark's INFO log (default: ${DEFAULT-VALUE}).")
  boolean verbose;

  /**
   * Adds each value to the option's list. Picocli starts a new list when an inherited option first
   * appears after the command name, which silently dropped every {@code --set} and {@code --config}
   * given before it (the warehouse included); appending keeps both, the later winning.
   */
  static final class Appending implements IParameterConsumer {
    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
      if (args.isEmpty()) {
        throw new ParameterException(
            commandSpec.commandLine(),
            "Missing required parameter for option '"
                + ((OptionSpec) argSpec).longestName()
                + "' ("
                + argSpec.paramLabel()
                + ")");
      }
      String value = args.pop();
      List<Object> values = argSpec.getValue();
      values.add(
          argSpec.type() == List.class && argSpec.auxiliaryTypes()[0] == File.class
              ? new File(value)
              : value);
    }
  }
}
