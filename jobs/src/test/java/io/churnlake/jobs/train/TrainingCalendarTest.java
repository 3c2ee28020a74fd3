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
    assertThat(c.adjustments()).isEmpty();
    assertThat(c.adjusted()).isEmpty();
  }

  @Test
  void aHistoryTooShortForCalibrationTrainsWithoutItAndSaysWhatWouldTrainAsConfigured() {
    // 150 days hold training (from day 90) and evaluation windows of 30 days, not a third for
    // calibration: the calendar leaves calibration out rather than refusing to train.
    TrainingCalendar c = TrainingCalendar.of(START, START.plusDays(150), 30, 90, 7, true);
    assertThat(c.calibrationDate()).isEmpty();
    assertThat(c.evaluationDate()).isEqualTo(START.plusDays(120));
    assertThat(c.trainingDates()).containsExactly(START.plusDays(90));
    assertThat(c.adjustments())
        .containsExactly(
            "calibration left out: the events (2026-01-01 to 2026-05-31) hold training and"
                + " evaluation label windows but not a third horizon for calibration",
            "events through 2026-06-30 would train as configured (30 more days)");
  }

  @Test
  void aHistoryTooShortForMinHistoryStartsTrainingAfterFourWeeksAndSaysSo() {
    TrainingCalendar c = TrainingCalendar.of(START, START.plusDays(100), 30, 90, 7);
    assertThat(c.evaluationDate()).isEqualTo(START.plusDays(70));
    assertThat(c.trainingDates()).containsExactly(START.plusDays(33), START.plusDays(40));
    assertThat(c.adjusted())
        .contains(
            "training dates start 28 days after the first event instead of"
                + " train.min-history-days (90): the earliest dates' features see less history"
                + " than configured; events through 2026-05-31 would train as configured (50 more"
                + " days)");
    // A configured minimum at or below four weeks is never shortened.
    assertThatThrownBy(() -> TrainingCalendar.of(START, START.plusDays(70), 30, 14, 7))
        .hasMessageContaining("train.min-history-days (14) plus twice labels.horizon-days (30)");
  }

  @Test
  void everyCalendarChosenForAnyHistoryKeepsEachLabelWindowWhole() {
    // Invariant: whatever the calendar gives up for a short history, no label window of a training
    // date reaches into the calibration or evaluation window, the evaluation labels end by the
    // last event, and no training date has less than four weeks (or the configured minimum).
    for (int days = 60; days <= 400; days += 3) {
      for (int h : new int[] {7, 30, 90}) {
        for (boolean calibrate : new boolean[] {false, true}) {
          LocalDate end = START.plusDays(days);
          TrainingCalendar c;
          try {
            c = TrainingCalendar.of(START, end, h, 90, 7, calibrate);
          } catch (ChurnException e) {
            assertThat(days).isLessThan(28 + 2 * h);
            continue;
          }
          LocalDate heldOut = c.calibrationDate().orElse(c.evaluationDate());
          assertThat(c.evaluationDate().plusDays(h)).isEqualTo(end);
          c.calibrationDate()
              .ifPresent(cal -> assertThat(cal.plusDays(h)).isBeforeOrEqualTo(c.evaluationDate()));
          assertThat(c.trainingDates()).isNotEmpty().isSorted();
          for (LocalDate t : c.trainingDates()) {
            assertThat(t.plusDays(h)).isBeforeOrEqualTo(heldOut);
            assertThat(ChronoUnit.DAYS.between(START, t)).isGreaterThanOrEqualTo(28);
          }
          assertThat(c.adjustments().isEmpty())
              .isEqualTo(
                  c.calibrationDate().isPresent() == calibrate
                      && !c.trainingDates().get(0).isBefore(START.plusDays(90)));
        }
      }
    }
  }

  @Test
  void tooLittleHistoryNamesTheDatesNeeded() {
    assertThatThrownBy(() -> TrainingCalendar.of(START, START.plusDays(80), 30, 90, 7))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "cannot train as of 2026-03-22: events run from 2026-01-01 to 2026-03-22; training needs at least"
                + " 28 days of history (train.min-history-days, 90, shortened for a short log) plus twice"
                + " labels.horizon-days (30) days of events, i.e. events through 2026-03-30");
    assertThatThrownBy(() -> TrainingCalendar.of(START, START.plusDays(80), 30, 90, 7, true))
        .hasMessageEndingWith(
            "i.e. events through 2026-03-30; with calibration as configured, events through"
                + " 2026-06-30");
  }
}
