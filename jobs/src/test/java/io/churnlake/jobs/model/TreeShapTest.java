package io.churnlake.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

/**
 * Invariant: TreeSHAP's values are the Shapley values of the path-dependent game (a coalition's
 * value is the tree's expected output when features outside it follow the nodes' covers), checked
 * against the definition's sum over all 2^M coalitions on random trees that split on the same
 * feature several times along a path, with categorical splits and uneven covers; and the bias plus
 * the values is the tree's output. No Spark.
 */
class TreeShapTest {
  private static final int FEATURES = 5;

  /** A random full binary tree of the given depth as flat arrays, node 0 the root. */
  private static ScoreExplainer.FlatTree randomTree(Random rnd, int depth) {
    List<int[]> children = new ArrayList<>(); // per node: {left, right} or null
    List<Integer> level = new ArrayList<>();
    List<Integer> depths = new ArrayList<>();
    children.add(null);
    depths.add(0);
    level.add(0);
    for (int i = 0; i < children.size(); i++) {
      boolean split = depths.get(i) < depth && (depths.get(i) < 2 || rnd.nextDouble() < 0.7);
      if (split) {
        children.set(i, new int[] {children.size(), children.size() + 1});
        children.add(null);
        children.add(null);
        depths.add(depths.get(i) + 1);
        depths.add(depths.get(i) + 1);
      }
    }
    int n = children.size();
    int[] feature = new int[n];
    double[] threshold = new double[n];
    double[][] cats = new double[n][];
    int[] left = new int[n];
    int[] right = new int[n];
    double[] value = new double[n];
    double[] cover = new double[n];
    cover[0] = 1000;
    for (int i = 0; i < n; i++) {
      if (children.get(i) == null) {
        feature[i] = -1;
        value[i] = rnd.nextGaussian();
        continue;
      }
      // Few features, so paths split on one feature more than once.
      feature[i] = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(FEATURES);
      if (feature[i] == FEATURES - 1) {
        cats[i] = new double[] {1.0, 3.0}; // categorical: left for categories 1 and 3
      } else {
        threshold[i] = rnd.nextDouble();
      }
      left[i] = children.get(i)[0];
      right[i] = children.get(i)[1];
      double share = 0.1 + 0.8 * rnd.nextDouble();
      cover[left[i]] = cover[i] * share;
      cover[right[i]] = cover[i] - cover[left[i]];
    }
    return new ScoreExplainer.FlatTree(feature, threshold, cats, left, right, value, cover);
  }

  /** The tree's expected output given the features in {@code known} (a bit set) follow x. */
  private static double value(ScoreExplainer.FlatTree t, int node, Vector x, int known) {
    if (t.feature[node] < 0) {
      return t.value[node];
    }
    int f = t.feature[node];
    if ((known & (1 << f)) != 0) {
      return value(t, t.goesLeft(node, x.apply(f)) ? t.left[node] : t.right[node], x, known);
    }
    double l = t.cover[t.left[node]];
    double r = t.cover[t.right[node]];
    return (l * value(t, t.left[node], x, known) + r * value(t, t.right[node], x, known)) / (l + r);
  }

  /** Shapley values by their definition: every coalition, weighted |S|! (M - |S| - 1)! / M!. */
  private static double[] bruteForce(ScoreExplainer.FlatTree t, Vector x) {
    double[] phi = new double[FEATURES];
    double[] fact = new double[FEATURES + 1];
    fact[0] = 1;
    for (int i = 1; i <= FEATURES; i++) {
      fact[i] = fact[i - 1] * i;
    }
    for (int f = 0; f < FEATURES; f++) {
      for (int s = 0; s < (1 << FEATURES); s++) {
        if ((s & (1 << f)) != 0) {
          continue;
        }
        int size = Integer.bitCount(s);
        double w = fact[size] * fact[FEATURES - size - 1] / fact[FEATURES];
        phi[f] += w * (value(t, 0, x, s | (1 << f)) - value(t, 0, x, s));
      }
    }
    return phi;
  }

  @Test
  void treeShapEqualsTheShapleyValuesOfTheDefinitionOnRandomTrees() {
    Random rnd = new Random(20261205);
    for (int trial = 0; trial < 200; trial++) {
      ScoreExplainer.FlatTree tree = randomTree(rnd, 1 + rnd.nextInt(5));
      double[] xs = new double[FEATURES];
      for (int f = 0; f < FEATURES - 1; f++) {
        xs[f] = rnd.nextDouble();
      }
      xs[FEATURES - 1] = rnd.nextInt(4);
      Vector x = Vectors.dense(xs);
      double[] phi = new double[FEATURES];
      TreeShap.add(tree, x, phi);
      double[] expected = bruteForce(tree, x);
      for (int f = 0; f < FEATURES; f++) {
        assertThat(phi[f]).as("trial %d feature %d", trial, f).isCloseTo(expected[f], within(1e-9));
      }
      double sum = TreeShap.expected(tree);
      for (double p : phi) {
        sum += p;
      }
      assertThat(sum).as("bias + values = output").isCloseTo(value(tree, 0, x, -1), within(1e-9));
    }
  }
}
