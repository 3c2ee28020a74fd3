package io.churnlake.jobs.features;

import static io.churnlake.jobs.testing.EventRows.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.History;
import io.churnlake.jobs.testing.EventRows;
import io.churnlake.jobs.testing.GeneratorTypes;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The level carried as a code through the daily and feature aggregations comes out as the same
 * string: any level a log holds, the latest one winning, ties decided by the level rather than by
 * row order, and a level the codes were not built for fails the query instead of being lost.
 */
class LevelCodesTest extends SparkTestBase {
  private List<Row> levels(Dataset<Row> events, LevelCodes codes) {
    Dataset<Row> daily =
        new AggregateDailyActivity("cancellation_confirmation", GeneratorTypes.EVENT_TYPES, codes)
            .apply(events);
    return new BuildCustomerFeatures(List.of(7), GeneratorTypes.EVENT_TYPES)
        .apply(daily, History.asOfDates(spark(), List.of(LocalDate.of(2026, 3, 31))))
        .select("customer_id", "level", "is_paid")
        .orderBy("customer_id")
        .collectAsList();
  }

  @Test
  void anyLevelOfTheLogComesBackAsItselfAndTheLatestDayWins() {
    Dataset<Row> events =
        rows(
            EventRows.SCHEMA,
            event("1", "2026-03-01 10:00:00", "next_song", 1L, "premium"),
            event("1", "2026-03-02 10:00:00", "next_song", 2L, "trial"),
            event("2", "2026-03-02 10:00:00", "next_song", 3L, "paid"),
            // The same second in one session: the greater code (trial > premium) wins, whatever
            // the order of the rows.
            event("3", "2026-03-03 10:00:00", "next_song", 4L, "trial"),
            event("3", "2026-03-03 10:00:00", "next_song", 4L, "premium"),
            event("4", "2026-03-03 10:00:00", "next_song", 5L, null));
    LevelCodes codes = LevelCodes.in(events);
    assertThat(codes.levels()).containsExactly("paid", "premium", "trial");
    // The aggregate adds what the configured level events set (the generator's: free and paid).
    assertThat(codes.with(GeneratorTypes.EVENT_TYPES.levelsSet()).levels())
        .containsExactly("free", "paid", "premium", "trial");
    assertThat(levels(events, codes))
        .extracting(Row::toString)
        .containsExactly("[1,trial,0]", "[2,paid,1]", "[3,trial,0]", "[4,null,0]");
  }

  @Test
  void aLevelTheCodesWereNotBuiltForFailsTheQueryNamingIt() {
    Dataset<Row> events =
        rows(EventRows.SCHEMA, event("1", "2026-03-01 10:00:00", "next_song", 1L, "gold"));
    assertThatThrownBy(() -> levels(events, LevelCodes.of(List.of("free", "paid"))))
        .hasStackTraceContaining("level 'gold' is not one of the levels");
  }
}
