package io.churnlake.jobs.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Invariant: what score prints about its run is for people: drift names each drifted feature with
 * its PSI to two decimals, most drifted first; the population line appears only when customers were
 * left out, and says why. No Spark.
 */
class ScoreResultTest {
  @Test
  void driftAndPopulationLinesAreRoundedSortedAndOnlyWhenThereIsSomethingToSay() {
    ScoreJob.Result quiet = new ScoreJob.Result(10, "v0001", Map.of(), 0, "");
    assertThat(quiet.driftLine()).isEmpty();
    assertThat(quiet.population()).isEmpty();
    ScoreJob.Result drifted =
        new ScoreJob.Result(
            10,
            "v0001",
            Map.of("help_30d", 0.31234, "thumbs_down_30d", 0.8271, "errors_7d", 0.31234),
            3,
            "already churned by the inactivity definition");
    assertThat(drifted.driftLine())
        .hasValue(
            "features with PSI above threshold: thumbs_down_30d 0.83, errors_7d 0.31, help_30d 0.31");
    assertThat(drifted.population())
        .hasValue(
            "3 customers not scored: already churned by the inactivity definition"
                + " (score.population = all scores them)");
  }
}
