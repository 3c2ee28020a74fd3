package io.churnlake.common.errors;

import java.time.LocalDate;
import java.util.Collection;

/**
 * The one factory for user-facing errors. Each message names the key, path, table or date at fault
 * and says what is allowed or what to do, in one line.
 */
public final class ChurnErrors {
  private ChurnErrors() {}

  private static ChurnException usage(String message) {
    return new ChurnException(ExitCode.USAGE, message, null);
  }

  private static ChurnException runtime(String message, Throwable cause) {
    return new ChurnException(ExitCode.RUNTIME_FAILURE, message, cause);
  }

  public static ChurnException unknownConfigKey(String key, Collection<String> allowedPrefixes) {
    return usage(
        "unknown configuration key '"
            + key
            + "'; keys are those documented in conf/application.conf (sections: "
            + String.join(", ", allowedPrefixes)
            + ")");
  }

  public static ChurnException badConfigValue(String key, Object value, String allowed) {
    return usage("configuration key '" + key + "' has value '" + value + "'; allowed: " + allowed);
  }

  public static ChurnException unreadableConfig(String file, String reason) {
    return usage("cannot read configuration file '" + file + "': " + reason);
  }

  public static ChurnException badOverride(String override) {
    return usage("--set takes key=value, got '" + override + "'");
  }

  public static ChurnException missingOption(String option) {
    return usage("Missing required option: " + option);
  }

  public static ChurnException badOption(String option, Object value, String allowed) {
    return usage(option + " has value '" + value + "'; allowed: " + allowed);
  }

  /** A log whose level column holds more distinct values than plan levels can be. */
  public static ChurnException tooManyLevels(int allowed) {
    return runtime(
        "the events' 'level' column holds more than "
            + allowed
            + " distinct values (a level is a plan such as free or paid): map another column to"
            + " level",
        null);
  }

  public static ChurnException inputPathMissing(String path, String what) {
    return runtime(
        "input path '" + path + "' (" + what + ") does not exist or cannot be read", null);
  }

  /** A raw input file that cannot be ingested as configured (name, what is wrong, what to do). */
  public static ChurnException badInputFile(String source, String file, String problem) {
    return runtime("source '" + source + "', file '" + file + "': " + problem, null);
  }

  public static ChurnException changedFile(
      String source, String file, long oldSize, long newSize, String key) {
    return runtime(
        "source '"
            + source
            + "', file '"
            + file
            + "' changed since it was ingested (size "
            + oldSize
            + " -> "
            + newSize
            + " bytes, or a new modification time); restore it, or set "
            + key
            + " = reload to replace what was loaded from it",
        null);
  }

  public static ChurnException missingHashKey(String envVariable, String source) {
    return usage(
        "source '"
            + source
            + "' hashes personal data or customer ids but environment variable "
            + envVariable
            + " (churnlake.ingest.hash-key-env) is unset or empty; set it to a secret of 16+"
            + " characters");
  }

  public static ChurnException noDataBefore(String table, LocalDate asOf) {
    return runtime(
        "table '"
            + table
            + "' has no rows on or before as-of date "
            + asOf
            + "; ingest files dated on or before it first",
        null);
  }

  /** A stage needs another stage's rows for the date. */
  public static ChurnException noRowsForDate(String table, LocalDate asOf, String hint) {
    return runtime("table '" + table + "' has no rows for as-of date " + asOf + "; " + hint, null);
  }

  /** A configured column is not in the table. */
  public static ChurnException unknownColumn(
      String key, String column, String table, java.util.Collection<String> allowed) {
    return usage(
        "configuration key '"
            + key
            + "' names column '"
            + column
            + "', which table '"
            + table
            + "' does not have; columns allowed there: "
            + String.join(", ", allowed));
  }

  /** The as-of date is before the first date of the history table. */
  public static ChurnException asOfBeforeData(String table, LocalDate asOf, LocalDate first) {
    return runtime(
        "as-of date "
            + asOf
            + " is before the first date in table '"
            + table
            + "' ("
            + first
            + "); choose an as-of date on or after "
            + first,
        null);
  }

  public static ChurnException reconciliationFailed(
      String file, long read, long loaded, long quarantined, long dropped) {
    return runtime(
        "ingest of '"
            + file
            + "' does not reconcile: "
            + read
            + " records read but "
            + loaded
            + " loaded + "
            + quarantined
            + " quarantined + "
            + dropped
            + " dropped; the file is not marked ingested, re-run ingest",
        null);
  }

  public static ChurnException tableMissing(String table, String location, String hint) {
    return runtime("table '" + table + "' does not exist at '" + location + "'; " + hint, null);
  }

  /** Every customer of the requested as-of dates is censored: their horizon ends after the data. */
  public static ChurnException allCensored(
      String asOfDates, long customers, int horizonDays, String table, LocalDate dataEnd) {
    return runtime(
        "labels as of "
            + asOfDates
            + ": all "
            + customers
            + " customers are censored (the "
            + horizonDays
            + "-day horizon ends after the last date in '"
            + table
            + "', "
            + dataEnd
            + "); choose an as-of date on or before "
            + dataEnd.minusDays(horizonDays)
            + " or a shorter churnlake.labels.horizon-days",
        null);
  }

  public static ChurnException noLabels(String asOfDates, String why) {
    return runtime("labels as of " + asOfDates + ": no customer to label; " + why, null);
  }

  public static ChurnException notEnoughHistory(LocalDate asOf, String needed) {
    return runtime("cannot train as of " + asOf + ": " + needed, null);
  }

  /** An uplift model's group (treated or control) with one outcome only: no effect to learn. */
  public static ChurnException upliftOneOutcome(String group, long customers, boolean noChurner) {
    return runtime(
        "cannot train an uplift model: the "
            + group
            + " customers of the matured waves ("
            + customers
            + ") have "
            + (noChurner ? "no churner" : "no customer who stayed")
            + "; each group needs churners and customers who stayed",
        null);
  }

  public static ChurnException noModel(String modelDir) {
    return runtime(
        "no trained model under '" + modelDir + "'; run 'churnlake train --as-of DATE' first",
        null);
  }

  /** A training set that cannot teach a classifier: one class only, or too few churners. */
  public static ChurnException tooFewPositives(
      String set, long examples, long positives, int minPositives) {
    return runtime(
        "refusing to train: the "
            + set
            + " has "
            + examples
            + " examples of which "
            + positives
            + " churned; at least "
            + minPositives
            + " churners (churnlake.train.min-positives) and at least one non-churner are needed;"
            + " use more as-of dates (train.min-history-days, train.step-days), more customers or"
            + " a longer labels.horizon-days",
        null);
  }

  /** A CLV fit without enough customers to fit (what was found, what is needed). */
  public static ChurnException tooFewCustomersForClv(
      String model, LocalDate asOf, long found, long needed, String what) {
    return runtime(
        "refusing to fit "
            + model
            + " as of "
            + asOf
            + ": "
            + found
            + " "
            + what
            + ", at least "
            + needed
            + " needed (churnlake.clv.min-customers); use a later --as-of or more history",
        null);
  }

  /** Customer summaries too varied to fit on the driver (distinct groups beyond the limit). */
  public static ChurnException tooManyClvGroups(String model, long groups, long limit) {
    return runtime(
        model
            + ": "
            + groups
            + " distinct customer summaries exceed churnlake.clv.max-groups ("
            + limit
            + "); raise it (the driver holds one row per summary) or lower"
            + " clv.spend-significant-digits",
        null);
  }

  /** A CLV fit that did not converge, with its best parameters. */
  public static ChurnException clvNotConverged(String model, String parameters, String status) {
    return runtime(
        model
            + " did not converge (best parameters "
            + parameters
            + "; "
            + status
            + "); set churnlake.clv.accept-unconverged = true to use them anyway",
        null);
  }

  /** Feature columns a model needs that a table lacks, or has that the model does not know. */
  public static ChurnException featureColumnsMismatch(
      String table, String model, Collection<String> missing, Collection<String> unknown) {
    StringBuilder b = new StringBuilder("table '" + table + "' does not fit model " + model + ":");
    if (!missing.isEmpty()) {
      b.append(" missing columns the model needs ").append(missing).append(";");
    }
    if (!unknown.isEmpty()) {
      b.append(" columns the model does not know ").append(unknown).append(";");
    }
    return runtime(
        b.append(" rebuild the features with the model's configuration or train a new model")
            .toString(),
        null);
  }

  /** NaN or infinite feature values when the configuration says to reject them. */
  public static ChurnException nonFiniteValues(String table, java.util.Map<String, Long> counts) {
    return runtime(
        "table '"
            + table
            + "' has NaN or infinite feature values "
            + counts
            + " (column=values); allowed: finite numbers or null; set"
            + " churnlake.train.non-finite = impute to treat them as missing",
        null);
  }

  public static ChurnException unknownModelVersion(
      String version, String modelDir, Collection<String> known) {
    return usage(
        "--model "
            + version
            + ": no such model under '"
            + modelDir
            + "'; known versions: "
            + (known.isEmpty() ? "none" : String.join(", ", known)));
  }

  public static ChurnException modelUnreadable(String modelDir, Throwable cause) {
    return runtime("model at '" + modelDir + "' cannot be read: " + cause.getMessage(), cause);
  }

  public static ChurnException stageFailed(String stage, Throwable cause) {
    return runtime("stage '" + stage + "' failed: " + unexpected(cause), cause);
  }

  public static ChurnException sqlFailed(Throwable cause) {
    return usage("query failed: " + unexpected(cause));
  }

  /**
   * The first line of an exception churnlake did not raise itself, for a message or a {@code
   * pipeline_runs} row: Spark, Jackson and the JDK quote the input they fail on ("The value
   * 'x@example.com' of the type \"STRING\" cannot be cast", "For input string: \"x\""), which may
   * be a customer's record, so every quoted value is left out; paths and URIs, Spark's type names,
   * its settings' names, true and false, and {@code `identifiers`} stay. An error of analysis or
   * parsing (a query's own text, no data) is kept whole.
   */
  public static String unexpected(Throwable cause) {
    String line = firstLine(cause);
    return cause instanceof org.apache.spark.sql.AnalysisException
        ? line
        : withoutQuotedValues(line);
  }

  private static final java.util.regex.Pattern QUOTED =
      java.util.regex.Pattern.compile("'([^']*)'|\"([^\"]*)\"");

  private static final java.util.regex.Pattern KEPT =
      java.util.regex.Pattern.compile(
          "(/|(file|hdfs|s3a?|gs|abfss?|wasbs?|viewfs):).*"
              + "|(STRING|INT|BIGINT|SMALLINT|TINYINT|DOUBLE|FLOAT|BOOLEAN|DATE|TIMESTAMP(_NTZ|_LTZ)?"
              + "|spark\\.[A-Za-z0-9_.]+|true|false"
              + "|BINARY|VOID|DECIMAL\\(\\d+, ?\\d+\\)|(ARRAY|MAP|STRUCT)<.*>|INTERVAL.*)");

  /**
   * {@code line} with each quoted value replaced by {@code <value left out>}, paths and types kept.
   */
  static String withoutQuotedValues(String line) {
    java.util.regex.Matcher m = QUOTED.matcher(line);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      boolean single = m.group(1) != null;
      String value = single ? m.group(1) : m.group(2);
      String quote = single ? "'" : "\"";
      String kept = KEPT.matcher(value).matches() ? m.group() : quote + "<value left out>" + quote;
      m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(kept));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** A Spark standalone master that does not accept connections. */
  public static ChurnException masterUnreachable(
      String master, String why, java.time.Duration timeout) {
    return runtime(
        "Spark master "
            + master
            + " does not answer within "
            + timeout.toSeconds()
            + " s: "
            + why
            + "; check the URL (spark://HOST:PORT, port 7077 by default), that the master runs"
            + " and that this host can reach it",
        null);
  }

  /** nightly's freshness and volume gate refused the raw files of a date. */
  public static ChurnException gateFailed(String date, String problems) {
    return runtime(
        "nightly "
            + date
            + ": the raw files fail the freshness and volume gate: "
            + problems
            + " (runs.gate = warn only warns; off skips the check)",
        null);
  }

  /** Another run holds the lease on the same command and date. */
  public static ChurnException alreadyRunning(
      String key, String holder, String runId, String heartbeat, long staleMinutes) {
    return new ChurnException(
        ExitCode.ALREADY_RUNNING,
        "'"
            + key
            + "' is already running (run "
            + runId
            + " on "
            + holder
            + ", last heartbeat "
            + heartbeat
            + " UTC); retry when it ends, or after runs.lease-stale-minutes ("
            + staleMinutes
            + ") without a heartbeat, when the lease can be taken over",
        null);
  }

  /** The warehouse directory cannot be created or written by this process. */
  public static ChurnException warehouseNotWritable(String path, String reason) {
    return usage(
        "cannot write the warehouse '"
            + path
            + "' ("
            + reason
            + "); set warehouse (--set warehouse=DIR or a --config file) to a directory this"
            + " user can create and write");
  }

  /** The catalog already has a table of that name somewhere else. */
  public static ChurnException catalogConflict(String name, String there, String here) {
    return usage(
        "catalog table '"
            + name
            + "' exists at '"
            + there
            + "', not at this warehouse's '"
            + here
            + "'; drop it (DROP TABLE "
            + name
            + ") or set catalog.database to another database");
  }

  /** A query for a notebook or client returned more rows than it asked to receive. */
  public static ChurnException tooManyRows(int limit) {
    return usage(
        "query returned more than "
            + limit
            + " rows; aggregate in SQL, add a LIMIT or pass a larger limit (rows travel to the"
            + " client's memory)");
  }

  /** The first non-blank line of a cause's message (Spark's often start with a newline). */
  public static String firstLine(Throwable cause) {
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    return message
        .lines()
        .map(String::trim)
        .filter(l -> !l.isEmpty())
        .findFirst()
        .orElse(cause.getClass().getName());
  }
}
