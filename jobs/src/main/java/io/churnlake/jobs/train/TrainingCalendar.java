package io.churnlake.jobs.train;

import io.churnlake.common.errors.ChurnErrors;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The time-based split for a model trained as of D with data through D: the evaluation date is the
 * latest date whose labels are complete (D - horizon); training dates step back from one horizon
 * before it, so no training label overlaps the evaluation window.
 */
public record TrainingCalendar(List<LocalDate> trainingDates, LocalDate evaluationDate) {

  public static TrainingCalendar of(
      LocalDate firstEvent, LocalDate dataEnd, int horizon, int minHistoryDays, int stepDays) {
    LocalDate evaluation = dataEnd.minusDays(horizon);
    LocalDate earliest = firstEvent.plusDays(minHistoryDays);
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate t = evaluation.minusDays(horizon);
        !t.isBefore(earliest);
        t = t.minusDays(stepDays)) {
      dates.add(t);
    }
    if (dates.isEmpty()) {
      throw ChurnErrors.notEnoughHistory(
          dataEnd,
          "events run from "
              + firstEvent
              + " to "
              + dataEnd
              + "; training needs at least train.min-history-days ("
              + minHistoryDays
              + ") plus twice labels.horizon-days ("
              + horizon
              + ") days of events, i.e. events through "
              + earliest.plusDays(2L * horizon));
    }
    Collections.reverse(dates);
    return new TrainingCalendar(List.copyOf(dates), evaluation);
  }

  public List<LocalDate> allDates() {
    List<LocalDate> all = new ArrayList<>(trainingDates);
    all.add(evaluationDate);
    return all;
  }
}
