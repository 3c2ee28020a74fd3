package io.churnlake.jobs.train;

import io.churnlake.common.errors.ChurnErrors;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
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
 *
 * <p>A history too short for the configuration (a long horizon, a young log) is met by a calendar
 * that still keeps every label window whole: first calibration is left out (two horizons instead of
 * three), then training dates start {@link #MIN_HISTORY_FLOOR_DAYS} days after the first event
 * instead of {@code train.min-history-days}. Each such choice is in {@link #adjustments}, in words
 * for the command's output, with the events that would train as configured.
 */
public record TrainingCalendar(
    List<LocalDate> trainingDates,
    Optional<LocalDate> calibrationDate,
    LocalDate evaluationDate,
    List<String> adjustments) {

  /**
   * The least history (days after the first event) a training date is given when the configured
   * {@code train.min-history-days} leaves none: four weeks, the shortest feature window but one.
   */
  static final int MIN_HISTORY_FLOOR_DAYS = 28;

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
    List<LocalDate> dates =
        dates(firstEvent, dataEnd, horizon, minHistoryDays, stepDays, calibrate);
    if (!dates.isEmpty()) {
      return calendar(dates, dataEnd, horizon, calibrate, List.of());
    }
    List<String> adjustments = new ArrayList<>();
    LocalDate asConfigured =
        firstEvent.plusDays(minHistoryDays + (long) (calibrate ? 3 : 2) * horizon);
    if (calibrate) {
      adjustments.add(
          "calibration left out: the events ("
              + firstEvent
              + " to "
              + dataEnd
              + ") hold training and evaluation label windows but not a third horizon for"
              + " calibration");
      dates = dates(firstEvent, dataEnd, horizon, minHistoryDays, stepDays, false);
    }
    int shortened = Math.min(minHistoryDays, MIN_HISTORY_FLOOR_DAYS);
    if (dates.isEmpty() && shortened < minHistoryDays) {
      adjustments.add(
          "training dates start "
              + shortened
              + " days after the first event instead of train.min-history-days ("
              + minHistoryDays
              + "): the earliest dates' features see less history than configured");
      dates = dates(firstEvent, dataEnd, horizon, shortened, stepDays, false);
    }
    if (dates.isEmpty()) {
      throw tooShort(
          firstEvent, dataEnd, horizon, minHistoryDays, shortened, asConfigured, calibrate);
    }
    adjustments.add(
        "events through "
            + asConfigured
            + " would train as configured ("
            + ChronoUnit.DAYS.between(dataEnd, asConfigured)
            + " more days)");
    return calendar(dates, dataEnd, horizon, false, adjustments);
  }

  /** The refusal of a history too short even for the shortened calendar, with what it needs. */
  private static RuntimeException tooShort(
      LocalDate firstEvent,
      LocalDate dataEnd,
      int horizon,
      int minHistoryDays,
      int shortened,
      LocalDate asConfigured,
      boolean calibrate) {
    return ChurnErrors.notEnoughHistory(
        dataEnd,
        "events run from "
            + firstEvent
            + " to "
            + dataEnd
            + "; training needs at least "
            + (shortened < minHistoryDays
                ? shortened
                    + " days of history (train.min-history-days, "
                    + minHistoryDays
                    + ", shortened for a short log)"
                : "train.min-history-days (" + minHistoryDays + ")")
            + " plus twice labels.horizon-days ("
            + horizon
            + ") days of events, i.e. events through "
            + firstEvent.plusDays(shortened + 2L * horizon)
            + (calibrate
                ? "; with calibration as configured, events through " + asConfigured
                : ""));
  }

  /** Training dates, newest first stepping back, for one choice of history and calibration. */
  private static List<LocalDate> dates(
      LocalDate firstEvent,
      LocalDate dataEnd,
      int horizon,
      int minHistoryDays,
      int stepDays,
      boolean calibrate) {
    LocalDate latestHeldOut = dataEnd.minusDays((long) (calibrate ? 2 : 1) * horizon);
    LocalDate earliest = firstEvent.plusDays(minHistoryDays);
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate t = latestHeldOut.minusDays(horizon);
        !t.isBefore(earliest);
        t = t.minusDays(stepDays)) {
      dates.add(t);
    }
    return dates;
  }

  private static TrainingCalendar calendar(
      List<LocalDate> newestFirst,
      LocalDate dataEnd,
      int horizon,
      boolean calibrate,
      List<String> adjustments) {
    LocalDate evaluation = dataEnd.minusDays(horizon);
    List<LocalDate> dates = new ArrayList<>(newestFirst);
    Collections.reverse(dates);
    return new TrainingCalendar(
        List.copyOf(dates),
        calibrate ? Optional.of(evaluation.minusDays(horizon)) : Optional.empty(),
        evaluation,
        List.copyOf(adjustments));
  }

  /** Training dates, then the calibration date if any, then the evaluation date. */
  public List<LocalDate> allDates() {
    List<LocalDate> all = new ArrayList<>(trainingDates);
    calibrationDate.ifPresent(all::add);
    all.add(evaluationDate);
    return all;
  }

  /** The calendar's choices for a short history in one line; empty when it is as configured. */
  public Optional<String> adjusted() {
    return adjustments.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", adjustments));
  }
}
