package io.churnlake.jobs.cli;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.churnlake.common.config.ChurnVersion;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.errors.ExitCode;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** The {@code churnlake} command line: parses arguments and dispatches to one job per command. */
@Command(
    name = "churnlake",
    mixinStandardHelpOptions = true,
    versionProvider = ChurnlakeCli.Version.class,
    description = "Churn-analysis pipeline on Apache Spark, MLlib and Delta Lake.",
    subcommands = {
      Commands.Generate.class,
      Commands.Ingest.class,
      Commands.Forget.class,
      Commands.Features.class,
      Commands.Dictionary.class,
      Commands.Tables.class,
      Commands.Labels.class,
      Commands.Train.class,
      Commands.Backtest.class,
      Commands.Score.class,
      Commands.Clv.class,
      Commands.Segment.class,
      Commands.Uplift.class,
      Commands.Kpis.class,
      Commands.Report.class,
      Commands.Export.class,
      Commands.Nightly.class,
      Commands.Backfill.class,
      Commands.Maintain.class,
      Commands.Demo.class,
      Commands.Status.class,
      Commands.Sql.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  runtime failure (the message names the stage, table, file or date)",
      "  2  usage or configuration error (the message names the option or key and what is allowed)"
    })
public final class ChurnlakeCli implements Runnable {
  /** {@code --version}: the version the build recorded ({@link ChurnVersion}). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"churnlake " + ChurnVersion.get()};
    }
  }

  @Mixin GlobalOptions global;
  @Spec CommandLine.Model.CommandSpec spec;
  PrintStream out = System.out;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /** Runs one command line and returns its exit code; never calls System.exit. */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    exposeDefaultsToHelp();
    ChurnlakeCli root = new ChurnlakeCli();
    root.out = out;
    CommandLine cmd = new CommandLine(root);
    cmd.registerConverter(LocalDate.class, ChurnlakeCli::parseDate);
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    cmd.setParameterExceptionHandler(
        (ex, a) -> {
          err.println(
              "churnlake: "
                  + ex.getMessage()
                  + " (see '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help')");
          return ExitCode.USAGE.code();
        });
    cmd.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          boolean verbose =
              ((ChurnlakeCli) commandLine.getCommandSpec().root().userObject()).global.verbose;
          ExitCode code =
              ex instanceof ChurnException ce ? ce.exitCode() : ExitCode.RUNTIME_FAILURE;
          // churnlake's own messages name files, keys and positions; any other exception's
          // quoted values are left out (they may be a customer's record).
          err.println(
              "churnlake: "
                  + (ex instanceof ChurnException
                      ? ChurnErrors.firstLine(ex)
                      : ChurnErrors.unexpected(ex)));
          if (verbose) {
            ex.printStackTrace(err);
          }
          return code.code();
        });
    return cmd.execute(args);
  }

  private static LocalDate parseDate(String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not an ISO date yyyy-MM-dd");
    }
  }

  /** Makes every configuration default available to help texts as ${sys:default.KEY}. */
  private static void exposeDefaultsToHelp() {
    var defaults =
        ConfigFactory.parseResources(
                ChurnlakeCli.class.getClassLoader(), "churnlake/application.conf")
            .resolve();
    for (Map.Entry<String, ConfigValue> e : defaults.entrySet()) {
      System.setProperty("default." + e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
  }
}
