package io.churnlake.jobs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The example source configs and fixtures under conf/examples, and small-table assertions. */
public final class Examples {
  private Examples() {}

  /** conf/examples, seen from a module directory (where surefire runs). */
  public static final Path DIR = Path.of("..", "conf", "examples").toAbsolutePath().normalize();

  /** An example config file, e.g. {@code retail-transactions.conf}. */
  public static Path config(String name) {
    return DIR.resolve(name);
  }

  /**
   * Copies the fixture directory {@code conf/examples/data/<data>} to {@code to}, so a test can
   * change files without touching the fixtures; returns {@code to}.
   */
  public static Path copyFixtures(String data, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(DIR.resolve("data").resolve(data))) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  /** Rows as sorted text: full-row content comparison for small tables. */
  public static List<String> text(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().collect(Collectors.toList());
  }
}
