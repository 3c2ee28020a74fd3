package io.churnlake.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Invariant: the version {@code --version} prints and {@code pipeline_runs} records is the build's
 * semantic version, filled in by Maven (never the unfiltered placeholder, never a blank).
 */
class ChurnVersionTest {
  @Test
  void theVersionIsTheBuildsSemanticVersion() {
    assertThat(ChurnVersion.get())
        .matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?")
        .isEqualTo(System.getProperty("churnlake.expected-version"));
  }
}
