package io.churnlake.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nightly's gate refuses a date without its raw file, or whose bytes are far from the trailing
 * median, naming the source and the figures; it stays quiet with too little history to judge.
 */
class FreshnessGateTest {
  private static final LocalDate D = LocalDate.of(2026, 3, 10);

  /** One file per day from D-days to D-1 of {@code bytes}, then D's files. */
  private static List<FreshnessGate.DatedFile> history(int days, long bytes, long... today) {
    List<FreshnessGate.DatedFile> files = new ArrayList<>();
    for (int i = days; i >= 1; i--) {
      files.add(new FreshnessGate.DatedFile(D.minusDays(i), bytes + i));
    }
    for (long t : today) {
      files.add(new FreshnessGate.DatedFile(D, t));
    }
    return files;
  }

  private static java.util.Optional<String> judge(List<FreshnessGate.DatedFile> files) {
    return FreshnessGate.judge("events", "/raw/events", files, D, 7, 0.5, 3.0);
  }

  @Test
  void aMissingFileForTheDateNamesTheSourceThePathAndTheNewestDate() {
    assertThat(judge(history(5, 1000)))
        .contains(
            "source 'events': no file dated 2026-03-10 under /raw/events"
                + " (newest before it: 2026-03-09)");
    assertThat(judge(List.of()))
        .contains("source 'events': no file dated 2026-03-10 under /raw/events (none before it)");
  }

  @Test
  void volumeWithinTheAllowedMultiplesOfTheTrailingMedianPasses() {
    // Median of D-7..D-1 (1001..1007) is 1004; D's two files add up.
    assertThat(judge(history(30, 1000, 300, 300))).isEmpty(); // 0.60 x
    assertThat(judge(history(30, 1000, 3000))).isEmpty(); // 2.99 x
  }

  @Test
  void volumeOutsideTheAllowedMultiplesFailsWithTheFigures() {
    assertThat(judge(history(30, 1000, 400)))
        .contains(
            "source 'events': the files dated 2026-03-10 hold 400 bytes, 0.40 x the median 1,004"
                + " bytes of the 7 dates with files in the 7 days before; allowed 0.50 to 3.00 x"
                + " (runs.gate-min-volume, runs.gate-max-volume)");
    assertThat(judge(history(30, 1000, 4000))).hasValueSatisfying(p -> p.contains("3.98 x"));
  }

  @Test
  void fewerThanThreeEarlierDatesCannotJudgeTheVolume() {
    assertThat(judge(history(2, 1000, 10))).isEmpty();
    // Dates older than the trailing window do not count.
    List<FreshnessGate.DatedFile> old = new ArrayList<>();
    for (int i = 30; i >= 20; i--) {
      old.add(new FreshnessGate.DatedFile(D.minusDays(i), 1000));
    }
    old.add(new FreshnessGate.DatedFile(D, 10));
    assertThat(judge(old)).isEmpty();
  }
}
