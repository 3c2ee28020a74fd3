package io.churnlake.jobs.ingest;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.jobs.JobContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nightly's freshness and volume gate ({@code runs.gate}): before the flow, every configured source
 * whose file names carry dates must have a file dated D, and D's bytes must lie within [{@code
 * gate-min-volume}, {@code gate-max-volume}] times the median daily bytes of the {@code
 * gate-trailing-days} dates before D that have files (checked once at least 3 such dates exist).
 * Sources without dates in their names and customer snapshots (which arrive when the CRM sends
 * them) are not gated. Works on file listings only (one entry per file, driver-sized), before Spark
 * reads anything.
 */
public final class FreshnessGate {
  private static final Logger LOG = LoggerFactory.getLogger(FreshnessGate.class);
  static final int MIN_TRAILING_DATES = 3;

  private FreshnessGate() {}

  /** One dated file of a source: its date and size in bytes. */
  record DatedFile(LocalDate date, long bytes) {}

  /**
   * Checks D's raw files (nightly's gate stage): fails with exit code 1 naming each source and its
   * figures when {@code runs.gate = fail}, logs them when {@code warn}; returns the problems.
   */
  public static List<String> check(JobContext ctx, LocalDate asOf) {
    ChurnConfig.RunSettings runs = ctx.config().runs();
    if (runs.gate() == ChurnConfig.Gate.OFF) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    for (String name : ctx.config().ingest().sources()) {
      SourceSpec spec = ctx.config().source(name);
      if (spec.fileDate().isEmpty() || spec.kind() == SourceSpec.Kind.CUSTOMERS) {
        continue; // snapshots arrive when the CRM sends them, not every day
      }
      List<DatedFile> files = new ArrayList<>();
      for (SourceFiles.SourceFile f :
          SourceFiles.list(spec, ctx.spark().sparkContext().hadoopConfiguration())) {
        f.date().ifPresent(d -> files.add(new DatedFile(d, f.size())));
      }
      judge(
              name,
              spec.path(),
              files,
              asOf,
              runs.gateTrailingDays(),
              runs.gateMinVolume(),
              runs.gateMaxVolume())
          .ifPresent(problems::add);
    }
    if (problems.isEmpty()) {
      return problems;
    }
    if (runs.gate() == ChurnConfig.Gate.FAIL) {
      throw ChurnErrors.gateFailed(asOf.toString(), String.join("; ", problems));
    }
    problems.forEach(p -> LOG.warn("gate (runs.gate = warn): {}", p));
    return problems;
  }

  /** What is wrong with a source's files for D, if anything (pure: tested on listings). */
  static Optional<String> judge(
      String source,
      String path,
      List<DatedFile> files,
      LocalDate asOf,
      int trailingDays,
      double minVolume,
      double maxVolume) {
    Map<LocalDate, Long> bytesPerDate = new TreeMap<>();
    for (DatedFile f : files) {
      bytesPerDate.merge(f.date(), f.bytes(), Long::sum);
    }
    Long today = bytesPerDate.get(asOf);
    if (today == null) {
      Optional<LocalDate> newest =
          bytesPerDate.keySet().stream().filter(d -> d.isBefore(asOf)).reduce((a, b) -> b);
      return Optional.of(
          "source '"
              + source
              + "': no file dated "
              + asOf
              + " under "
              + path
              + newest.map(d -> " (newest before it: " + d + ")").orElse(" (none before it)"));
    }
    List<Long> trailing =
        bytesPerDate.entrySet().stream()
            .filter(e -> e.getKey().isBefore(asOf))
            .filter(e -> !e.getKey().isBefore(asOf.minusDays(trailingDays)))
            .map(Map.Entry::getValue)
            .sorted()
            .toList();
    if (trailing.size() < MIN_TRAILING_DATES) {
      return Optional.empty();
    }
    int n = trailing.size();
    double median =
        n % 2 == 1 ? trailing.get(n / 2) : (trailing.get(n / 2 - 1) + trailing.get(n / 2)) / 2.0;
    double ratio = today / median;
    if (ratio < minVolume || ratio > maxVolume) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "source '%s': the files dated %s hold %,d bytes, %.2f x the median %,.0f bytes of"
                  + " the %d dates with files in the %d days before; allowed %.2f to %.2f x"
                  + " (runs.gate-min-volume, runs.gate-max-volume)",
              source,
              asOf,
              today,
              ratio,
              median,
              n,
              trailingDays,
              minVolume,
              maxVolume));
    }
    return Optional.empty();
  }
}
