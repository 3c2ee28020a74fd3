package io.churnlake.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.jobs.cli.ChurnlakeCli;
import io.churnlake.jobs.testing.Examples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The data dictionary in docs/ is what {@code ./churnlake dictionary} prints for the telco example
 * (so it cannot drift from the code), and lists each column once. That the columns built from all
 * three tables are exactly the dictionary's is checked where they are built ({@code
 * ExampleSourcesTogetherTest}).
 */
class FeatureDictionaryTest {
  static final Path DOC = Examples.DIR.getParent().getParent().resolve("docs/customer_features.md");

  @Test
  void theCommittedDictionaryIsWhatTheCommandPrints() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        ChurnlakeCli.execute(
            new String[] {
              "--config", Examples.config("telco-customers.conf").toString(), "dictionary"
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
            List.of(Examples.config("telco-customers.conf").toFile()), List.of());
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
}
