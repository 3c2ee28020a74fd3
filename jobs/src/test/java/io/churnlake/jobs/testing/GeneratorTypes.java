package io.churnlake.jobs.testing;

import io.churnlake.common.config.ChurnConfig.EventTypes;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.jobs.features.AggregateDailyActivity;
import io.churnlake.jobs.features.LevelCodes;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The event types and plan levels of conf/application.conf's defaults (the generator's Sparkify
 * pages), which the feature tests' hand-written events use; read from the bundled defaults, not
 * repeated here, so the tests follow the configuration.
 */
public final class GeneratorTypes {
  public static final EventTypes EVENT_TYPES =
      ChurnConfigLoader.load(List.of(), List.of()).features().eventTypes();

  private GeneratorTypes() {}

  /** Daily activity of hand-written events whose levels are free and paid only. */
  public static Dataset<Row> daily(Dataset<Row> events) {
    return new AggregateDailyActivity(
            "cancellation_confirmation", EVENT_TYPES, LevelCodes.of(List.of("free", "paid")))
        .apply(events);
  }
}
