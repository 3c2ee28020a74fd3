package io.churnlake.jobs.generate;

import io.churnlake.common.config.ChurnConfig;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;

/** The serialisable parameters executors need to simulate customers. */
record SimulationSpec(
    int customers,
    int days,
    long startEpochDay,
    long seed,
    double sessionsPerDay,
    double paidShare,
    double newCustomerShare,
    double monthlyPrice,
    List<Integer> truthHorizons,
    int truthFirstDay,
    int truthEveryDays,
    int truthPaths,
    int shiftDay,
    double errorFactor,
    int effectDays,
    double doNotDisturbShare,
    int arrivalDays)
    implements Serializable {

  /** {@link #shiftDay} when no shift is planted: a day never reached. */
  static final int NO_SHIFT = Integer.MAX_VALUE;

  static SimulationSpec of(ChurnConfig.GenerateSettings g) {
    return new SimulationSpec(
        g.customers(),
        g.days(),
        g.startDate().toEpochDay(),
        g.seed(),
        g.sessionsPerWeek() / 7.0,
        g.paidShare(),
        g.newCustomerShare(),
        g.monthlyPrice(),
        List.copyOf(g.truth().horizonDays()),
        g.truth().firstDay(),
        g.truth().everyDays(),
        g.truth().paths(),
        g.shift()
            .fromDate()
            .map(d -> (int) Math.max(0, d.toEpochDay() - g.startDate().toEpochDay()))
            .orElse(NO_SHIFT),
        g.shift().errorFactor(),
        g.campaign().effectDays(),
        g.campaign().doNotDisturbShare(),
        g.arrivalDays() > 0 ? g.arrivalDays() : g.days());
  }

  /** Day index of a date (0 = the start date). */
  int day(LocalDate date) {
    return (int) (date.toEpochDay() - startEpochDay);
  }

  LocalDate date(int day) {
    return LocalDate.ofEpochDay(startEpochDay + day);
  }

  /**
   * Ground-truth days are counted back from the last day whose horizon still fits in the log (last
   * day minus the horizon), every {@code truthEveryDays} days, down to {@code truthFirstDay}, so
   * that the latest as-of date with mature labels always has a true probability.
   */
  boolean isTruthDay(int day, int horizon) {
    int anchor = days - 1 - horizon;
    return day >= truthFirstDay && day <= anchor && (anchor - day) % truthEveryDays == 0;
  }

  boolean isTruthDay(int day) {
    return truthHorizons.stream().anyMatch(h -> isTruthDay(day, h));
  }

  int maxHorizon() {
    return truthHorizons.stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
