package io.churnlake.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.jobs.cli.ChurnlakeCli;
import io.churnlake.jobs.testing.Examples;
import io.churnlake.jobs.testing.GeneratorTypes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The data dictionary in docs/ is what {@code ./churnlake dictionary} prints for the three kinds of
 * source (the default event log, the retail and telco examples: so it cannot drift from the code),
 * and lists each column once; a configuration lists only the families its sources feed. That the
 * columns built from all three tables are exactly the dictionary's is checked where they are built
 * ({@code ExampleSourcesTogetherTest}).
 */
class FeatureDictionaryTest {
  static final Path DOC = Examples.DIR.getParent().getParent().resolve("docs/customer_features.md");

  @Test
  void theCommittedDictionaryIsWhatTheCommandPrints() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        ChurnlakeCli.execute(
            new String[] {
              "--config",
              Examples.config("retail-transactions.conf").toString(),
              "--config",
              Examples.config("telco-customers.conf").toString(),
              "--set",
              "ingest.sources=[events,retail,crm]",
              "dictionary"
            },
            new PrintStream(out, true),
            new PrintStream(new ByteArrayOutputStream(), true));
    assertThat(code).isZero();
    assertThat(Files.readString(DOC))
        .as(
            "docs/customer_features.md is stale: regenerate it with ./churnlake --config"
                + " conf/examples/telco-customers.conf dictionary > docs/customer_features.md")
        .isEqualTo(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyColumnIsListedOnceWithAFamilyATableAndAMeaning() {
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(
                Examples.config("retail-transactions.conf").toFile(),
                Examples.config("telco-customers.conf").toFile()),
            List.of("ingest.sources=[events,retail,crm]"));
    List<FeatureDictionary.Entry> entries = FeatureDictionary.entries(config);
    assertThat(new HashSet<>(entries.stream().map(FeatureDictionary.Entry::column).toList()))
        .hasSameSizeAs(entries);
    assertThat(entries)
        .allSatisfy(
            e -> {
              assertThat(e.meaning()).isNotBlank();
              assertThat(e.type())
                  .isIn("string", "int", "double", "date", "boolean", "long", "timestamp");
            });
    assertThat(entries.stream().map(FeatureDictionary.Entry::column))
        .contains(
            "days_since_last_activity",
            "thumbs_down_per_session_90d",
            "days_since_last_purchase",
            "net_spend_30d",
            "contract",
            "monthly_charges");
  }

  /** Invariant: the dictionary of a configuration names only what its sources can build. */
  @Test
  void aConfigurationListsOnlyTheFamiliesItsSourcesFeed() {
    ChurnConfig shop =
        ChurnConfigLoader.load(List.of(Examples.config("online-shop.conf").toFile()), List.of());
    assertThat(FeatureDictionary.entries(shop))
        .extracting(FeatureDictionary.Entry::family)
        .containsOnly("key", "purchases (RFM)");
    ChurnConfig telco =
        ChurnConfigLoader.load(
            List.of(Examples.config("telco-customers.conf").toFile()), List.of());
    assertThat(FeatureDictionary.entries(telco))
        .extracting(FeatureDictionary.Entry::family)
        .containsOnly("key", "customer attributes")
        .contains("customer attributes");
  }

  /**
   * No event type or plan level is built into the activity features: an app log that sets its own
   * types (conf/examples/app-events.conf) gets a dictionary naming none of the generator's pages or
   * levels, and features for its own types.
   */
  @Test
  void aNonMusicLogsDictionaryNamesOnlyItsOwnEventTypes() {
    ChurnConfig config =
        ChurnConfigLoader.load(List.of(Examples.config("app-events.conf").toFile()), List.of());
    List<FeatureDictionary.Entry> entries = FeatureDictionary.entries(config);
    ChurnConfig.EventTypes generator = GeneratorTypes.EVENT_TYPES;
    List<String> generatorWords = new java.util.ArrayList<>(generator.counted());
    generator.levelEvents().forEach(e -> generatorWords.add(e.eventType()));
    generatorWords.addAll(generator.levelsSet());
    generatorWords.addAll(List.of("song", "is_paid"));
    assertThat(generatorWords).contains("next_song", "thumbs_down", "submit_upgrade", "paid");
    assertThat(entries)
        .allSatisfy(
            e ->
                assertThat(generatorWords)
                    .noneMatch(w -> e.column().contains(w) || e.meaning().contains("'" + w + "'"))
                    .noneMatch(
                        w -> e.meaning().contains(w + ",") || e.meaning().contains(w + "]")));
    assertThat(entries.stream().map(FeatureDictionary.Entry::column))
        .contains("complaint_30d", "login_per_session_7d", "negative_events_90d", "level")
        .noneMatch(c -> c.startsWith("content_"));
  }
}
