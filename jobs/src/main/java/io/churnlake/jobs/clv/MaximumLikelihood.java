package io.churnlake.jobs.clv;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Maximum likelihood for models with positive parameters: Nelder-Mead on the log parameters from
 * several starting points, each restarted until a restart no longer improves, then standard errors
 * from the inverse of the numerical Hessian of the negative log-likelihood at the optimum.
 */
public final class MaximumLikelihood {
  private static final int MAX_EVALUATIONS = 20_000;
  private static final int MAX_RESTARTS = 8;

  private MaximumLikelihood() {}

  /** A total log-likelihood as a function of the (positive) parameters. */
  @FunctionalInterface
  public interface LogLikelihood {
    double at(double[] parameters);
  }

  /**
   * The best parameters found, their log-likelihood and standard errors (NaN when the Hessian is
   * not positive definite), whether the fit converged, and a status line saying how.
   */
  public record Fit(
      double[] parameters,
      double logLikelihood,
      double[] standardErrors,
      boolean converged,
      String status,
      int evaluations) {}

  /** Maximises {@code ll} from each start; the best optimum wins. */
  public static Fit maximise(LogLikelihood ll, double[][] starts) {
    ObjectiveFunction objective =
        new ObjectiveFunction(
            logs -> {
              double v = -ll.at(exp(logs));
              // Outside the model's numeric range: worse than any real point.
              return Double.isFinite(v) ? v : Double.MAX_VALUE;
            });
    PointValuePair best = null;
    boolean bestSettled = false;
    int evaluations = 0;
    for (double[] start : starts) {
      double[] point = log(start);
      double value = Double.MAX_VALUE;
      boolean settled = false;
      for (int restart = 0; restart < MAX_RESTARTS && !settled; restart++) {
        SimplexOptimizer optimizer = new SimplexOptimizer(1e-13, 1e-12);
        try {
          PointValuePair p =
              optimizer.optimize(
                  new MaxEval(MAX_EVALUATIONS),
                  objective,
                  GoalType.MINIMIZE,
                  new InitialGuess(point),
                  new NelderMeadSimplex(steps(point.length)));
          evaluations += optimizer.getEvaluations();
          settled = value - p.getValue() <= 1e-9 * Math.max(1, Math.abs(p.getValue()));
          point = p.getPoint();
          value = p.getValue();
        } catch (TooManyEvaluationsException e) {
          evaluations += MAX_EVALUATIONS;
          break;
        }
      }
      if (best == null || value < best.getValue()) {
        best = new PointValuePair(point, value);
        bestSettled = settled;
      }
    }
    double[] theta = exp(best.getPoint());
    double[] se = new double[theta.length];
    String hessian = standardErrors(ll, theta, se);
    boolean converged = bestSettled && !Double.isNaN(se[0]);
    String status =
        String.format(
            Locale.ROOT,
            "%s: log-likelihood %.6f after %d evaluations from %d starting points; %s",
            converged ? "converged" : "not converged",
            -best.getValue(),
            evaluations,
            starts.length,
            bestSettled ? hessian : "the optimiser did not settle; " + hessian);
    return new Fit(theta, -best.getValue(), se, converged, status, evaluations);
  }

  /**
   * Fills {@code se} with the standard errors from the inverse Hessian at {@code theta} (NaN when
   * it is not positive definite) and says which it was.
   */
  private static String standardErrors(LogLikelihood ll, double[] theta, double[] se) {
    try {
      RealMatrix cov =
          new CholeskyDecomposition(hessian(ll, theta), 1e-12, 1e-14).getSolver().getInverse();
      for (int i = 0; i < se.length; i++) {
        se[i] = Math.sqrt(cov.getEntry(i, i));
      }
      return "Hessian positive definite";
    } catch (NonPositiveDefiniteMatrixException
        | org.apache.commons.math3.linear.NonSymmetricMatrixException e) {
      Arrays.fill(se, Double.NaN);
      return "Hessian not positive definite (no standard errors)";
    }
  }

  /** Hessian of the negative log-likelihood by central differences, relative steps. */
  static RealMatrix hessian(LogLikelihood ll, double[] theta) {
    int n = theta.length;
    double[] h = new double[n];
    for (int i = 0; i < n; i++) {
      h[i] = 1e-4 * theta[i];
    }
    double f0 = -ll.at(theta);
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      double fp = -ll.at(shift(theta, i, h[i], -1, 0));
      double fm = -ll.at(shift(theta, i, -h[i], -1, 0));
      m[i][i] = (fp - 2 * f0 + fm) / (h[i] * h[i]);
      for (int j = 0; j < i; j++) {
        double fpp = -ll.at(shift(theta, i, h[i], j, h[j]));
        double fpm = -ll.at(shift(theta, i, h[i], j, -h[j]));
        double fmp = -ll.at(shift(theta, i, -h[i], j, h[j]));
        double fmm = -ll.at(shift(theta, i, -h[i], j, -h[j]));
        m[i][j] = (fpp - fpm - fmp + fmm) / (4 * h[i] * h[j]);
        m[j][i] = m[i][j];
      }
    }
    return new Array2DRowRealMatrix(m, false);
  }

  private static double[] shift(double[] theta, int i, double di, int j, double dj) {
    double[] t = theta.clone();
    t[i] += di;
    if (j >= 0) {
      t[j] += dj;
    }
    return t;
  }

  private static double[] steps(int n) {
    double[] s = new double[n];
    Arrays.fill(s, 0.5);
    return s;
  }

  private static double[] exp(double[] v) {
    return Arrays.stream(v).map(Math::exp).toArray();
  }

  private static double[] log(double[] v) {
    return Arrays.stream(v).map(Math::log).toArray();
  }
}
