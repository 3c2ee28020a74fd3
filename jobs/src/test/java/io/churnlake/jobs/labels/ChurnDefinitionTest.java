package io.churnlake.jobs.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The choice of label definition without Spark. */
class ChurnDefinitionTest {
  @Test
  void eachConfiguredDefinitionIsItsOwnTypeAndOnlyTheGivenFlagIsUndated() {
    // Invariant: dated labels (explicit, inactivity) are validated across time (train on earlier
    // as-of dates, evaluate a horizon later); only a snapshot's given flag uses cross-sectional
    // folds (random splits across dates would leak the future).
    for (ChurnConfig.LabelDefinition d : ChurnConfig.LabelDefinition.values()) {
      ChurnConfig.LabelSettings s =
          ChurnConfigLoader.load(List.of(), List.of("labels.definition=" + d.id())).labels();
      ChurnDefinition definition = ChurnDefinition.of(s);
      assertThat(definition.name()).isEqualTo(d);
      assertThat(definition.dated()).isEqualTo(d != ChurnConfig.LabelDefinition.GIVEN);
    }
    assertThat(
            ChurnDefinition.of(
                ChurnConfigLoader.load(List.of(), List.of("labels.definition=inactivity"))
                    .labels()))
        .isInstanceOf(ChurnDefinition.Inactivity.class);
  }
}
