package io.churnlake.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.errors.ChurnException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class TrainingCalendarTest {
  static final LocalDate START = LocalDate.of(2026, 1, 1);

  @Test
  void demoCalendarTrainsWeeklyFromDay90AndEvaluatesAfterAGapOfOneHorizon() {
    TrainingCalendar c = TrainingCalendar.of(START, START.plusDays(239), 30, 90, 7);
    assertThat(c.evaluationDate()).isEqualTo(START.plusDays(209));
    assertThat(c.trainingDates()).first().isEqualTo(START.plusDays(95));
    assertThat(c.trainingDates()).last().isEqualTo(START.plusDays(179));
    assertThat(c.trainingDates()).hasSize(13);
  }

  @Test
  void noTrainingLabelWindowOverlapsTheEvaluationWindowAndLabelsAreMature() {
    TrainingCalendar c = TrainingCalendar.of(START, START.plusDays(300), 21, 60, 5);
    LocalDate dataEnd = START.plusDays(300);
    assertThat(c.evaluationDate().plusDays(21)).isBeforeOrEqualTo(dataEnd);
    for (LocalDate t : c.trainingDates()) {
      assertThat(t.plusDays(21)).isBeforeOrEqualTo(c.evaluationDate());
      assertThat(ChronoUnit.DAYS.between(START, t)).isGreaterThanOrEqualTo(60);
    }
  }

  @Test
  void calibrationSitsOneHorizonBeforeEvaluationAndNoLabelWindowsOverlap() {
    int h = 30;
    TrainingCalendar c = TrainingCalendar.of(START, START.plusDays(239), h, 90, 7, true);
    assertThat(c.evaluationDate()).isEqualTo(START.plusDays(209));
    assertThat(c.calibrationDate()).contains(START.plusDays(179));
    assertThat(c.trainingDates()).last().isEqualTo(START.plusDays(149));
    assertThat(c.trainingDates()).first().isEqualTo(START.plusDays(93));
    for (LocalDate t : c.trainingDates()) {
      assertThat(t.plusDays(h)).isBeforeOrEqualTo(c.calibrationDate().get());
    }
    assertThat(c.calibrationDate().get().plusDays(h)).isBeforeOrEqualTo(c.evaluationDate());
    assertThat(c.allDates()).endsWith(START.plusDays(179), START.plusDays(209));
    assertThatThrownBy(() -> TrainingCalendar.of(START, START.plusDays(150), h, 90, 7, true))
        .hasMessageContaining("plus three times labels.horizon-days (30) days of events");
  }

  @Test
  void tooLittleHistoryNamesTheDatesNeeded() {
    assertThatThrownBy(() -> TrainingCalendar.of(START, START.plusDays(100), 30, 90, 7))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "cannot train as of 2026-04-11: events run from 2026-01-01 to 2026-04-11; training needs at least"
                + " train.min-history-days (90) plus twice labels.horizon-days (30) days of events, i.e. events through 2026-05-31");
  }
}
