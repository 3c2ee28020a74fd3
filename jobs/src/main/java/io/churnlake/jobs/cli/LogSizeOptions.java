package io.churnlake.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The size and seed of a generated log, shared by {@code generate} and {@code demo}. */
final class LogSizeOptions {
  @Option(
      names = "--customers",
      description = "Customers to simulate (default: ${sys:default.churnlake.generate.customers}).")
  Integer customers;

  @Option(
      names = "--days",
      description = "Days to simulate (default: ${sys:default.churnlake.generate.days}).")
  Integer days;

  @Option(
      names = "--seed",
      description = "Random seed (default: ${sys:default.churnlake.generate.seed}).")
  Long seed;

  /** The options given, as configuration overrides. */
  List<String> overrides() {
    List<String> o = new ArrayList<>();
    Optional.ofNullable(customers).ifPresent(v -> o.add("generate.customers=" + v));
    Optional.ofNullable(days).ifPresent(v -> o.add("generate.days=" + v));
    Optional.ofNullable(seed).ifPresent(v -> o.add("generate.seed=" + v));
    return o;
  }
}
