package io.churnlake.jobs.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes, before or after the command name. */
final class GlobalOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "HOCON file overriding conf/application.conf; repeatable, later files win (default: none).")
  List<File> configFiles = new ArrayList<>();

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      scope = ScopeType.INHERIT,
      description =
          "Override one configuration key, e.g. --set segment.high-from=0.4; repeatable, wins over --config (default: none).")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "Print stack traces with errors and Spark's INFO log (default: ${DEFAULT-VALUE}).")
  boolean verbose;
}
