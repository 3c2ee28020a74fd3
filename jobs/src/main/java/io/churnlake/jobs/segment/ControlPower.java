package io.churnlake.jobs.segment;

import io.churnlake.common.config.ChurnConfig;
import java.util.Locale;
import java.util.OptionalDouble;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Whether an action's control group can tell its effect from chance. An action's candidates are N
 * customers whose mean churn probability p is what the control group is expected to show; acting is
 * worth detecting from a relative churn reduction e (the unit of a save rate), so the treated are
 * expected to churn at p(1 - e). With a control share f (fN control, (1 - f)N treated) the
 * two-sided two-proportion z-test at significance alpha has power
 *
 * <pre>
 *   Phi((p - p(1 - e) - z(1 - alpha/2) se0) / se1),
 *   se0 = sqrt(pbar (1 - pbar) (1/n_c + 1/n_t)),  se1 = sqrt(p_c (1 - p_c)/n_c + p_t (1 - p_t)/n_t)
 * </pre>
 *
 * (the normal approximation of Fleiss, Levin and Paik, Statistical Methods for Rates and
 * Proportions, 3rd ed., section 4.2, with unequal groups). Power grows with f up to an even split,
 * so the smallest sufficient f is found by bisection on (0, max]. Pure Java, on the driver: one
 * computation per action.
 */
public final class ControlPower {
  private static final NormalDistribution NORMAL = new NormalDistribution(0, 1);

  private ControlPower() {}

  /** The power of the test with control share {@code fraction}; 0 when a group would be empty. */
  public static double power(
      long candidates, double churn, double effect, double fraction, double significance) {
    long control = (long) Math.floor(candidates * fraction);
    return power(control, candidates - control, churn, effect, significance);
  }

  /** The power of the test with these group sizes; 0 when a group is empty. */
  public static double power(
      long control, long treated, double churn, double effect, double significance) {
    double nc = control;
    double nt = treated;
    if (nc < 1 || nt < 1 || !(churn > 0 && churn < 1)) {
      return 0;
    }
    double pc = churn;
    double pt = churn * (1 - effect);
    double pooled = (nc * pc + nt * pt) / (nc + nt);
    double se0 = Math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt));
    double se1 = Math.sqrt(pc * (1 - pc) / nc + pt * (1 - pt) / nt);
    double z = NORMAL.inverseCumulativeProbability(1 - significance / 2);
    return NORMAL.cumulativeProbability((pc - pt - z * se0) / se1);
  }

  /**
   * The smallest control share in (0, {@code max}] whose power reaches {@code power}, to a
   * thousandth; empty when even {@code max} does not.
   */
  public static OptionalDouble fractionFor(
      long candidates, double churn, ChurnConfig.ControlPower settings) {
    double max = settings.maxFraction();
    if (power(candidates, churn, settings.minimumEffect(), max, settings.significance())
        < settings.power()) {
      return OptionalDouble.empty();
    }
    double lo = 0;
    double hi = max;
    while (hi - lo > 1e-4) {
      double mid = (lo + hi) / 2;
      if (power(candidates, churn, settings.minimumEffect(), mid, settings.significance())
          >= settings.power()) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return OptionalDouble.of(Math.ceil(hi * 1000) / 1000);
  }

  /**
   * One action's control group: the share it holds out, and once the plan is made its control and
   * targeted customers (after any budget cut) with the power they give.
   */
  public record Sized(
      String action,
      long candidates,
      double churn,
      double fraction,
      long control,
      long treated,
      OptionalDouble needed,
      ChurnConfig.ControlPower settings) {

    /** The same share with the plan's control and targeted counts. */
    public Sized planned(long control, long treated) {
      return new Sized(action, candidates, churn, fraction, control, treated, needed, settings);
    }

    /** The test's power with the planned groups. */
    public double power() {
      return ControlPower.power(
          control, treated, churn, settings.minimumEffect(), settings.significance());
    }

    /** Whether the control group can detect the minimum effect with the configured power. */
    public boolean enough() {
      return power() >= settings.power();
    }

    /** The plan's line for this action. */
    public String line() {
      String base =
          String.format(
              Locale.ROOT,
              "control for %s: %,d held out (share %.1f%%), %,d targeted: power %.2f to detect"
                  + " %.0f%% fewer churners at %.0f%% significance (expected churn %.3f)",
              action,
              control,
              100 * fraction,
              treated,
              power(),
              100 * settings.minimumEffect(),
              100 * settings.significance(),
              churn);
      if (enough()) {
        return base;
      }
      if (needed.isEmpty()) {
        return String.format(
            Locale.ROOT,
            "%s; WARNING: no control share up to segment.control.max-fraction %.2f reaches"
                + " power %.2f%s",
            base,
            settings.maxFraction(),
            settings.power(),
            settings.sizing() == ChurnConfig.ControlSizing.POWER
                ? ", so the maximum is used"
                : "; its outcome will be a wide interval");
      }
      return String.format(
          Locale.ROOT,
          "%s; WARNING: power %.2f needs a share of %.1f%% (segment.control.sizing = power holds"
              + " it out)",
          base,
          settings.power(),
          100 * needed.getAsDouble());
    }
  }

  /**
   * The control share of one action under the settings, with the groups it is expected to give
   * ({@link Sized#planned} replaces them by the plan's).
   */
  public static Sized size(
      String action,
      long candidates,
      double churn,
      double fixedFraction,
      ChurnConfig.ControlPower s) {
    OptionalDouble needed = fractionFor(candidates, churn, s);
    double fraction =
        s.sizing() == ChurnConfig.ControlSizing.POWER
            ? needed.orElse(s.maxFraction())
            : fixedFraction;
    long control = (long) Math.floor(candidates * fraction);
    return new Sized(action, candidates, churn, fraction, control, candidates - control, needed, s);
  }
}
