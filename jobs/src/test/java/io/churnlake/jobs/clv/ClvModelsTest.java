package io.churnlake.jobs.clv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.DoubleUnaryOperator;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegrator;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

/**
 * BG/NBD and Gamma-Gamma formulas against independent computations. Invariants: each customer's
 * log-likelihood equals the log of the model's definition integrated numerically over its mixing
 * distributions (Gamma for the purchase rate, Beta for the dropout probability, Gamma for the spend
 * scale) to 1e-9; so do P(alive) and the expected spend (posterior means by the same integration),
 * and the conditional expected purchases (a two-dimensional integral) to 1e-8 relative; a new
 * customer's expected purchases match the mean of simulated customers; 2F1 matches its closed
 * forms.
 */
class ClvModelsTest {
  private static final GaussIntegratorFactory GAUSS = new GaussIntegratorFactory();

  /** Composite 20-point Gauss-Legendre over [lo, hi]: exact to rounding for smooth integrands. */
  static double integrate(DoubleUnaryOperator f, double lo, double hi, int panels) {
    double sum = 0;
    double width = (hi - lo) / panels;
    for (int i = 0; i < panels; i++) {
      GaussIntegrator rule = GAUSS.legendre(20, lo + i * width, lo + (i + 1) * width);
      sum += rule.integrate(f::applyAsDouble);
    }
    return sum;
  }

  /**
   * E[g(p)] under Beta(a, b), by p = s^2 (smooth for a = 1/2 and integer b): both the integral and
   * the normaliser numerically.
   */
  static double betaMean(DoubleUnaryOperator g, double a, double b) {
    DoubleUnaryOperator density = s -> 2 * Math.pow(s, 2 * a - 1) * Math.pow(1 - s * s, b - 1);
    double norm = integrate(density, 0, 1, 200);
    return integrate(s -> density.applyAsDouble(s) * g.applyAsDouble(s * s), 0, 1, 200) / norm;
  }

  /**
   * E[lambda^x e^(-lambda c)] under Gamma(shape r, rate alpha), by lambda = s^2 (smooth for r a
   * multiple of 1/2); the normaliser numerically too.
   */
  static double gammaMoment(double x, double c, double r, double alpha) {
    double top = Math.sqrt(400 / alpha);
    DoubleUnaryOperator density = s -> 2 * Math.pow(s, 2 * r - 1) * Math.exp(-alpha * s * s);
    double norm = integrate(density, 0, top, 400);
    return integrate(
            s -> density.applyAsDouble(s) * Math.pow(s * s, x) * Math.exp(-c * s * s), 0, top, 400)
        / norm;
  }

  static final BgNbd[] MODELS = {new BgNbd(0.5, 4.0, 0.5, 3.0), new BgNbd(2.5, 12.0, 0.5, 5.0)};

  /** (x, tx, T) hand-picked: no repeat, early and late last purchases, many purchases. */
  static final double[][] CUSTOMERS = {
    {0, 0, 30}, {0, 0, 5.5}, {1, 10, 40}, {3, 25.5, 30}, {7, 80, 90}, {2, 1, 100}
  };

  @Test
  void bgNbdLogLikelihoodIsTheModelIntegratedOverItsMixingDistributions() {
    for (BgNbd m : MODELS) {
      for (double[] c : CUSTOMERS) {
        double x = c[0];
        double tx = c[1];
        double t = c[2];
        // Alive through T: (1-p)^x lambda^x e^(-lambda T); died after the last purchase:
        // p (1-p)^(x-1) lambda^x e^(-lambda tx).
        double alive =
            betaMean(p -> Math.pow(1 - p, x), m.a(), m.b()) * gammaMoment(x, t, m.r(), m.alpha());
        double died =
            x > 0
                ? betaMean(p -> p * Math.pow(1 - p, x - 1), m.a(), m.b())
                    * gammaMoment(x, tx, m.r(), m.alpha())
                : 0;
        assertThat(m.logLikelihood(x, tx, t))
            .as("%s at x=%s tx=%s T=%s", m, x, tx, t)
            .isCloseTo(Math.log(alive + died), within(1e-9));
        assertThat(m.probabilityAlive(x, tx, t))
            .as("P(alive) %s at x=%s tx=%s T=%s", m, x, tx, t)
            .isCloseTo(alive / (alive + died), within(1e-9));
        // The grouped likelihood is the sum of the customers' (weighed by their counts).
        ClvFits.RecencyFrequency one =
            new ClvFits.RecencyFrequency(
                new double[] {x, x},
                new double[] {tx, tx},
                new double[] {t, t},
                new double[] {2, 3});
        assertThat(ClvFits.logLikelihood(m, one))
            .isCloseTo(5 * m.logLikelihood(x, tx, t), within(1e-9));
      }
    }
  }

  @Test
  void conditionalExpectedPurchasesAreThePosteriorMeanOfAnAliveCustomersPurchases() {
    double horizon = 60;
    for (BgNbd m : MODELS) {
      for (double[] c : CUSTOMERS) {
        double x = c[0];
        double tx = c[1];
        double t = c[2];
        // E[Y | data] = E[(1 - e^(-lambda p h)) / p ; alive] / L: an alive customer with rate
        // lambda and dropout p makes (1 - e^(-lambda p h)) / p purchases in h on average.
        double top = Math.sqrt(400 / m.alpha());
        DoubleUnaryOperator lambdaDensity =
            s -> 2 * Math.pow(s, 2 * m.r() - 1) * Math.exp(-m.alpha() * s * s);
        DoubleUnaryOperator pDensity =
            s -> 2 * Math.pow(s, 2 * m.a() - 1) * Math.pow(1 - s * s, m.b() - 1);
        double lambdaNorm = integrate(lambdaDensity, 0, top, 400);
        double pNorm = integrate(pDensity, 0, 1, 200);
        double numerator =
            integrate(
                u -> {
                  double p = u * u;
                  double weight = pDensity.applyAsDouble(u) * Math.pow(1 - p, x);
                  return weight
                      * integrate(
                          s -> {
                            double lambda = s * s;
                            double purchases =
                                p == 0 ? lambda * horizon : -Math.expm1(-lambda * p * horizon) / p;
                            return lambdaDensity.applyAsDouble(s)
                                * Math.pow(lambda, x)
                                * Math.exp(-lambda * t)
                                * purchases;
                          },
                          0,
                          top,
                          80);
                },
                0,
                1,
                40);
        double likelihood = Math.exp(m.logLikelihood(x, tx, t));
        double expected = numerator / (lambdaNorm * pNorm) / likelihood;
        assertThat(m.expectedPurchases(horizon, x, tx, t))
            .as("%s at x=%s tx=%s T=%s", m, x, tx, t)
            .isCloseTo(expected, within(1e-8 * expected));
      }
    }
  }

  @Test
  void aNewCustomersExpectedPurchasesMatchSimulatedCustomers() {
    BgNbd m = new BgNbd(0.6, 10.0, 0.4, 1.5);
    double horizon = 90;
    int n = 200_000;
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    ClvSimulation sim = new ClvSimulation(random);
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < n; i++) {
      double purchases = sim.customer(m, horizon)[0];
      sum += purchases;
      sumSq += purchases * purchases;
    }
    double mean = sum / n;
    double se = Math.sqrt((sumSq / n - mean * mean) / n);
    assertThat(m.expectedPurchasesOfNewCustomer(horizon)).isCloseTo(mean, within(4 * se));
    // The conditional formula at x = 0, T = 0 is the same quantity.
    assertThat(m.expectedPurchases(horizon, 0, 0, 0))
        .isCloseTo(m.expectedPurchasesOfNewCustomer(horizon), within(1e-12));
  }

  @Test
  void hypergeometricConvergesForHugeParameters() {
    // A fit with almost no dropout (b in the millions): the series still ends, near its
    // confluent limit (1 - z b / c)^(-a) (relative error of order a^2 / c).
    double a = 47.82137326710645;
    double b = 1.7776739394650903e7;
    double c = 1.8154617032631584e7;
    double z = 0.1000399531438092;
    double limit = Math.pow(1 - z * b / c, -a);
    assertThat(Hypergeometric.f21(a, b, c, z)).isCloseTo(limit, within(1e-3 * limit));
  }

  @Test
  void hypergeometricMatchesItsClosedForms() {
    for (double z : new double[] {0, 0.1, 0.5, 0.9, 0.99}) {
      assertThat(Hypergeometric.f21(1, 1, 2, z))
          .isCloseTo(z == 0 ? 1 : -Math.log1p(-z) / z, within(1e-12));
      assertThat(Hypergeometric.f21(0.7, 2.5, 2.5, z))
          .isCloseTo(Math.pow(1 - z, -0.7), within(1e-12 * Math.pow(1 - z, -0.7)));
    }
  }

  @Test
  void gammaGammaLogLikelihoodAndExpectedSpendAreTheModelIntegratedOverTheSpendScale() {
    // p x + q a multiple of 1/2 keeps the integrand in s (nu = s^2) smooth.
    GammaGamma g = new GammaGamma(2.0, 3.5, 20.0);
    for (double[] c : new double[][] {{1, 12.5}, {2, 40}, {5, 7.25}, {12, 18}}) {
      double x = c[0];
      double mean = c[1];
      double px = g.p() * x;
      // The mean of x Gamma(p, nu) values is Gamma(p x, nu x); nu ~ Gamma(q, gamma).
      DoubleUnaryOperator joint =
          s -> {
            double nu = s * s;
            double logMean =
                px * Math.log(nu * x)
                    + (px - 1) * Math.log(mean)
                    - nu * x * mean
                    - Gamma.logGamma(px);
            double logNu =
                g.q() * Math.log(g.gamma())
                    + (g.q() - 1) * Math.log(nu)
                    - g.gamma() * nu
                    - Gamma.logGamma(g.q());
            return 2 * s * Math.exp(logMean + logNu);
          };
      double top = Math.sqrt(600 / (g.gamma() + x * mean));
      double likelihood = integrate(joint, 1e-300, top, 400);
      assertThat(g.logLikelihood(x, mean))
          .as("x=%s m=%s", x, mean)
          .isCloseTo(Math.log(likelihood), within(1e-9));
      // E[p / nu | data]: the posterior mean of the customer's mean purchase value.
      double posteriorMean =
          integrate(s -> joint.applyAsDouble(s) * g.p() / (s * s), 1e-300, top, 400) / likelihood;
      assertThat(g.expectedSpend(x, mean))
          .as("x=%s m=%s", x, mean)
          .isCloseTo(posteriorMean, within(1e-9 * posteriorMean));
    }
  }
}
