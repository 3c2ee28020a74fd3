package io.churnlake.jobs.train;

import io.churnlake.common.errors.ChurnErrors;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The time-based split for a model trained as of D with data through D. The evaluation date is the
 * latest date whose labels are complete (D - horizon). With calibration, the calibration date is
 * one horizon before it (its labels end on the evaluation date). Training dates step back from one
 * horizon before the earliest of those, so no training label window overlaps the calibration or
 * evaluation windows, and no calibration label overlaps the evaluation window.
 */
public record TrainingCalendar(
    List<LocalDate> trainingDates, Optional<LocalDate> calibrationDate, LocalDate evaluationDate) {

  /** A calendar without a calibration date. */
  public static TrainingCalendar of(
      LocalDate firstEvent, LocalDate dataEnd, int horizon, int minHistoryDays, int stepDays) {
    return of(firstEvent, dataEnd, horizon, minHistoryDays, stepDays, false);
  }

  public static TrainingCalendar of(
      LocalDate firstEvent,
      LocalDate dataEnd,
      int horizon,
      int minHistoryDays,
      int stepDays,
      boolean calibrate) {
    LocalDate evaluation = dataEnd.minusDays(horizon);
    Optional<LocalDate> calibration =
        calibrate ? Optional.of(evaluation.minusDays(horizon)) : Optional.empty();
    LocalDate latestHeldOut = calibration.orElse(evaluation);
    LocalDate earliest = firstEvent.plusDays(minHistoryDays);
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate t = latestHeldOut.minusDays(horizon);
        !t.isBefore(earliest);
        t = t.minusDays(stepDays)) {
      dates.add(t);
    }
    if (dates.isEmpty()) {
      int horizons = calibrate ? 3 : 2;
      throw ChurnErrors.notEnoughHistory(
          dataEnd,
          "events run from "
              + firstEvent
              + " to "
              + dataEnd
              + "; training needs at least train.min-history-days ("
              + minHistoryDays
              + ") plus "
              + (calibrate ? "three times" : "twice")
              + " labels.horizon-days ("
              + horizon
              + ") days of events"
              + (calibrate ? " (training, calibration and evaluation windows)" : "")
              + ", i.e. events through "
              + earliest.plusDays((long) horizons * horizon));
    }
    Collections.reverse(dates);
    return new TrainingCalendar(List.copyOf(dates), calibration, evaluation);
  }

  /** Training dates, then the calibration date if any, then the evaluation date. */
  public List<LocalDate> allDates() {
    List<LocalDate> all = new ArrayList<>(trainingDates);
    calibrationDate.ifPresent(all::add);
    all.add(evaluationDate);
    return all;
  }
}
