package io.churnlake.jobs.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.config.ChurnConfig;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a control group's power is the two-proportion test's (reproducing the textbook sample
 * size), the sized share is the smallest that reaches the configured power, and a plan that cannot
 * reach it says so with the share it needs or that none suffices. No Spark.
 */
class ControlPowerTest {
  private static ChurnConfig.ControlPower settings(ChurnConfig.ControlSizing sizing) {
    return new ChurnConfig.ControlPower(sizing, 0.20, 0.05, 0.80, 0.50);
  }

  /**
   * Fleiss, Levin and Paik (4.14) without continuity correction: churn 0.30 against 0.24 (a fifth
   * fewer), alpha 0.05 two-sided, power 0.80: n = [1.95996 sqrt(2 x 0.27 x 0.73) + 0.84162
   * sqrt(0.21 + 0.1824)]^2 / 0.06^2 = 858.3 per group.
   */
  @Test
  void powerReproducesTheTextbookSampleSizeForTwoEqualGroups() {
    assertThat(ControlPower.power(2 * 859, 0.30, 0.20, 0.5, 0.05)).isCloseTo(0.80, within(0.001));
    assertThat(ControlPower.power(2 * 858, 0.30, 0.20, 0.5, 0.05)).isLessThan(0.80);
    assertThat(ControlPower.power(2 * 859, 0.30, 0.20, 0.5, 0.05)).isGreaterThanOrEqualTo(0.80);
    assertThat(ControlPower.power(12, 0.30, 0.20, 0.05, 0.05)).as("no control customer").isZero();
  }

  @Test
  void theSizedShareIsTheSmallestThatReachesThePower() {
    ChurnConfig.ControlPower s = settings(ChurnConfig.ControlSizing.POWER);
    OptionalDouble f = ControlPower.fractionFor(20_000, 0.30, s);
    assertThat(f).isPresent();
    double share = f.getAsDouble();
    assertThat(ControlPower.power(20_000, 0.30, 0.20, share, 0.05)).isGreaterThanOrEqualTo(0.80);
    assertThat(ControlPower.power(20_000, 0.30, 0.20, share - 0.002, 0.05)).isLessThan(0.80);
    // More candidates need a smaller share; a smaller effect a larger one.
    assertThat(ControlPower.fractionFor(80_000, 0.30, s).getAsDouble()).isLessThan(share);
    ChurnConfig.ControlPower smaller =
        new ChurnConfig.ControlPower(ChurnConfig.ControlSizing.POWER, 0.10, 0.05, 0.80, 0.50);
    assertThat(ControlPower.fractionFor(80_000, 0.30, smaller).getAsDouble())
        .isGreaterThan(ControlPower.fractionFor(80_000, 0.30, s).getAsDouble());
  }

  @Test
  void aPlanThatCannotDetectTheEffectSaysWhatItNeeds() {
    ControlPower.Sized fixed =
        ControlPower.size(
            "agent-call", 20_000, 0.30, 0.01, settings(ChurnConfig.ControlSizing.FIXED));
    assertThat(fixed.fraction()).isEqualTo(0.01);
    assertThat(fixed.enough()).isFalse();
    assertThat(fixed.line())
        .startsWith("control for agent-call: 200 held out (share 1.0%), 19,800 targeted: power 0.")
        .contains("to detect 20% fewer churners at 5% significance (expected churn 0.300)")
        .contains("; WARNING: power 0.80 needs a share of ")
        .endsWith("(segment.control.sizing = power holds it out)");
    // The plan's groups replace the expected ones: a budget that targets fewer lowers the power.
    assertThat(fixed.planned(100, 900).power()).isLessThan(fixed.power());
    assertThat(fixed.planned(100, 900).line())
        .startsWith("control for agent-call: 100 held out (share 1.0%), 900 targeted: power 0.");

    ControlPower.Sized tiny =
        ControlPower.size("agent-call", 12, 0.30, 0.10, settings(ChurnConfig.ControlSizing.POWER));
    assertThat(tiny.fraction()).as("the maximum share").isEqualTo(0.50);
    assertThat(tiny.needed()).isEmpty();
    assertThat(tiny.line())
        .endsWith(
            "; WARNING: no control share up to segment.control.max-fraction 0.50 reaches power"
                + " 0.80, so the maximum is used");

    ControlPower.Sized sized =
        ControlPower.size(
            "agent-call", 20_000, 0.30, 0.10, settings(ChurnConfig.ControlSizing.POWER));
    assertThat(sized.enough()).isTrue();
    assertThat(sized.line()).doesNotContain("WARNING");
  }
}
