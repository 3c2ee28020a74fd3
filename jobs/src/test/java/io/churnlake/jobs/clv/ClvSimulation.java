package io.churnlake.jobs.clv;

import java.util.SplittableRandom;

/** Customers drawn from BG/NBD and Gamma-Gamma themselves (seeded), for the tests. */
final class ClvSimulation {
  private final SplittableRandom random;

  ClvSimulation(SplittableRandom random) {
    this.random = random;
  }

  /** Gamma(shape, rate) by Marsaglia and Tsang (shape < 1 via the boost u^(1/shape)). */
  double gamma(double shape, double rate) {
    if (shape < 1) {
      return gamma(shape + 1, rate) * Math.pow(random.nextDouble(), 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double z = normal();
      double v = 1 + c * z;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
        return d * v / rate;
      }
    }
  }

  double beta(double a, double b) {
    double x = gamma(a, 1);
    return x / (x + gamma(b, 1));
  }

  private double normal() {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * One customer first buying at time 0, observed until t: {x, tx} (repeat purchases and the time
   * of the last one). While alive, purchases come at a Poisson rate; after each the customer drops
   * out with its probability p.
   */
  double[] customer(BgNbd m, double t) {
    double lambda = gamma(m.r(), m.alpha());
    double p = beta(m.a(), m.b());
    double now = 0;
    int x = 0;
    double tx = 0;
    while (true) {
      now += -Math.log(1 - random.nextDouble()) / lambda;
      if (now > t) {
        return new double[] {x, tx};
      }
      x++;
      tx = now;
      if (random.nextDouble() < p) {
        return new double[] {x, tx};
      }
    }
  }

  /** The mean of x purchase values of one customer: values Gamma(p, nu), nu ~ Gamma(q, gamma). */
  double meanSpend(GammaGamma g, int x) {
    double nu = gamma(g.q(), g.gamma());
    double sum = 0;
    for (int i = 0; i < x; i++) {
      sum += gamma(g.p(), nu);
    }
    return sum / x;
  }
}
