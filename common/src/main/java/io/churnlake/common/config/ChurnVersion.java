package io.churnlake.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of churnlake that runs: what {@code --version} prints and every {@code pipeline_runs}
 * row records. The build writes it into {@code churnlake/version.properties} (Maven resource
 * filtering), so the same value comes from the jars and from the classes directories the launcher
 * runs.
 */
public final class ChurnVersion {
  private static final String RESOURCE = "/churnlake/version.properties";

  private ChurnVersion() {}

  /** The project's version, e.g. {@code 0.2.0}. */
  public static String get() {
    try (InputStream in = ChurnVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing: the build writes it");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RESOURCE, e);
    }
  }
}
