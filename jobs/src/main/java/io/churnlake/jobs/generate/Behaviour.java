package io.churnlake.jobs.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The latent day-by-day behaviour of one simulated customer: daily counts of sessions and of the
 * pages that drive churn, level changes, and the churn decision.
 *
 * <p>The planted truth (docs/generator.md): the daily churn hazard is a logistic function of the
 * customer's recent history as it shows in the log: thumbs-down and help/error pages per session
 * and adverts per session for free users over the last 56 days, sessions in the last 14 days
 * falling below the 14 before, a downgrade in the last 30 days, and days since the last session. A
 * latent, slowly decaying frustration level drives those page rates and the session frequency; the
 * hazard never reads it directly. The same {@link #step} advances the realised path and the
 * Monte-Carlo continuations behind the ground truth.
 */
final class Behaviour implements Serializable {
  static final int WINDOW = 14;
  static final int RATE_WINDOW = 56;
  private static final int RING = RATE_WINDOW;
  static final int NEVER = -100_000;

  // Hazard coefficients (logit scale); documented in docs/generator.md.
  static final double B0 = -10.4;
  static final double B_THUMBS_DOWN = 9.0;
  static final double B_HELP_ERROR = 13.0;
  static final double B_ADVERTS = 1.5;
  static final double B_FALLING = 2.5;
  static final double B_DOWNGRADE = 2.0;
  static final double B_INACTIVE = 0.5;

  // Traits, fixed per customer.
  final double activity;
  final double shockRate;
  final double thumbsDownBase;
  final double advertRate;

  // The planted shift (SimulationSpec): from shiftDay on, error pages per session x errorFactor.
  final int shiftDay;
  final double errorFactor;

  // State.
  double frustration;
  boolean paid;
  int lastDowngradeDay = NEVER;
  int lastSessionDay;
  private final int[] sessions = new int[RING];
  private final int[] thumbsDown = new int[RING];
  private final int[] helpErrors = new int[RING];
  private final int[] adverts = new int[RING];
  // Running window sums over the rings, kept as each day is written (step advances one day at a
  // time), so the hazard reads them in constant time instead of re-summing 56-day windows: the
  // Monte-Carlo continuations behind the ground truth take hundreds of millions of steps. Integer
  // sums, so the values are exactly the re-summed ones. Indexed by the constants below.
  private static final int SESSIONS_14 = 0;
  private static final int SESSIONS_28 = 1;
  private static final int SESSIONS_56 = 2;
  private static final int THUMBS_DOWN_56 = 3;
  private static final int HELP_ERRORS_56 = 4;
  private static final int ADVERTS_56 = 5;
  private final int[] sums = new int[6];

  Behaviour(
      double activity,
      double shockRate,
      double thumbsDownBase,
      double advertRate,
      boolean paid,
      int firstDay,
      int shiftDay,
      double errorFactor) {
    this.activity = activity;
    this.shiftDay = shiftDay;
    this.errorFactor = errorFactor;
    this.shockRate = shockRate;
    this.thumbsDownBase = thumbsDownBase;
    this.advertRate = advertRate;
    this.paid = paid;
    this.lastSessionDay = firstDay;
  }

  Behaviour copy() {
    Behaviour b =
        new Behaviour(
            activity,
            shockRate,
            thumbsDownBase,
            advertRate,
            paid,
            lastSessionDay,
            shiftDay,
            errorFactor);
    b.frustration = frustration;
    b.lastDowngradeDay = lastDowngradeDay;
    System.arraycopy(sessions, 0, b.sessions, 0, RING);
    System.arraycopy(thumbsDown, 0, b.thumbsDown, 0, RING);
    System.arraycopy(helpErrors, 0, b.helpErrors, 0, RING);
    System.arraycopy(adverts, 0, b.adverts, 0, RING);
    System.arraycopy(sums, 0, b.sums, 0, sums.length);
    return b;
  }

  /** What happened on one day. */
  record Day(
      int sessions,
      int thumbsDown,
      int help,
      int errors,
      int adverts,
      boolean upgraded,
      boolean downgraded,
      boolean churned) {}

  /** The hazard terms on logit scale for the day after {@code day}, from the trailing windows. */
  double[] hazardTerms(int day) {
    // The running sums cover the windows ending on the last day stepped, which is {@code day}
    // for every caller (step reads day - 1 before writing day; drivers reads the day just
    // stepped).
    int s14 = sums[SESSIONS_14];
    int sPrev = sums[SESSIONS_28] - s14;
    double perSession = sums[SESSIONS_56] + 1.0;
    double tdRate = sums[THUMBS_DOWN_56] / perSession;
    double heRate = sums[HELP_ERRORS_56] / perSession;
    double advRate = paid ? 0 : sums[ADVERTS_56] / perSession;
    double falling = Math.max(0, (sPrev - s14) / (sPrev + 2.0));
    boolean downgraded = day - lastDowngradeDay <= 30;
    double inactive = Math.log1p(Math.max(0, day - lastSessionDay));
    return new double[] {
      B_THUMBS_DOWN * tdRate,
      B_HELP_ERROR * heRate,
      B_ADVERTS * advRate,
      B_FALLING * falling,
      downgraded ? B_DOWNGRADE : 0,
      B_INACTIVE * inactive
    };
  }

  static final String[] DRIVERS = {
    "thumbs_down_rate",
    "help_error_rate",
    "advert_rate",
    "falling_activity",
    "recent_downgrade",
    "inactivity"
  };

  /** Names of the hazard terms that add at least 0.5 to the logit as of the end of {@code day}. */
  List<String> drivers(int day) {
    double[] terms = hazardTerms(day);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      if (terms[i] >= 0.5) {
        out.add(DRIVERS[i]);
      }
    }
    return out;
  }

  double hazard(int previousDay) {
    double logit = B0;
    for (double t : hazardTerms(previousDay)) {
      logit += t;
    }
    return 1.0 / (1.0 + Math.exp(-logit));
  }

  /** Advances one day. With {@code allowChurn} false (warm-up) the customer cannot churn. */
  Day step(int day, SplittableRandom rng, boolean allowChurn) {
    return step(day, rng, allowChurn, 1.0);
  }

  /**
   * Advances one day with the churn hazard multiplied by {@code hazardFactor} (a retention
   * contact's planted effect, {@link CampaignResponse}). The churn draw is taken whatever the
   * factor, so a path with and one without the factor use the same random numbers and differ only
   * where the decision to churn does.
   */
  Day step(int day, SplittableRandom rng, boolean allowChurn, double hazardFactor) {
    if (allowChurn && rng.nextDouble() < Math.min(1.0, hazard(day - 1) * hazardFactor)) {
      return new Day(1, 0, 0, 0, 0, false, false, true);
    }
    if (rng.nextDouble() < shockRate) {
      frustration += -0.2 * Math.log(1 - rng.nextDouble());
    }
    frustration *= 0.99;
    double f = frustration;
    int s = poisson(rng, activity * Math.exp(-0.4 * f));
    int td = poisson(rng, s * (thumbsDownBase + 0.25 * f));
    int help = poisson(rng, s * (0.04 + 0.10 * f));
    int err = poisson(rng, s * (0.01 + 0.06 * f) * (day >= shiftDay ? errorFactor : 1.0));
    int adv = paid ? 0 : poisson(rng, s * advertRate);
    boolean up = false;
    boolean down = false;
    if (s > 0 && paid && rng.nextDouble() < 0.002 + 0.02 * f) {
      down = true;
      paid = false;
      lastDowngradeDay = day;
    } else if (s > 0 && !paid && rng.nextDouble() < 0.006 * Math.exp(-f)) {
      up = true;
      paid = true;
    }
    int slot = Math.floorMod(day, RING);
    // The slot held day - 56; days - 14 and - 28 leave the shorter windows.
    sums[SESSIONS_14] += s - sessions[Math.floorMod(day - WINDOW, RING)];
    sums[SESSIONS_28] += s - sessions[Math.floorMod(day - 2 * WINDOW, RING)];
    sums[SESSIONS_56] += s - sessions[slot];
    sums[THUMBS_DOWN_56] += td - thumbsDown[slot];
    sums[HELP_ERRORS_56] += help + err - helpErrors[slot];
    sums[ADVERTS_56] += adv - adverts[slot];
    sessions[slot] = s;
    thumbsDown[slot] = td;
    helpErrors[slot] = help + err;
    adverts[slot] = adv;
    if (s > 0) {
      lastSessionDay = day;
    }
    return new Day(s, td, help, err, adv, up, down, false);
  }

  static int poisson(SplittableRandom rng, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 30) {
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rng)));
    }
    double limit = Math.exp(-mean);
    double product = rng.nextDouble();
    int n = 0;
    while (product > limit) {
      product *= rng.nextDouble();
      n++;
    }
    return n;
  }

  static double gaussian(SplittableRandom rng) {
    double u = 1 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
