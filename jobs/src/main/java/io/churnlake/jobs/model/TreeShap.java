package io.churnlake.jobs.model;

import org.apache.spark.ml.linalg.Vector;

/**
 * Exact Shapley values of one tree's output for one row, path-dependent TreeSHAP (Lundberg, Erion
 * and Lee, "Consistent Individualized Feature Attribution for Tree Ensembles", 2018, Algorithm 2):
 * the value of a coalition of features is the tree's expected output when the features outside it
 * follow the training data's proportions at each split (the nodes' covers) and those inside it
 * follow the row. One walk of the tree carries, for the features met on the path so far, the
 * permutation weights of every coalition size; each leaf then adds its share to every feature on
 * its path. Time is O(leaves x depth^2) per tree and row, against 2^features for the definition.
 *
 * <p>For each tree, {@code bias + sum(phi) == output(x)} where the bias is the leaves' values
 * weighted by their covers ({@link #expected}). Pure Java on plain arrays; every call allocates its
 * own path buffers, so one instance of a tree serves all threads of an executor.
 */
final class TreeShap {
  private TreeShap() {}

  /** The tree's expected output over its training rows: leaf values weighted by cover. */
  static double expected(ScoreExplainer.FlatTree tree) {
    return expected(tree, 0);
  }

  private static double expected(ScoreExplainer.FlatTree t, int node) {
    if (t.feature[node] < 0) {
      return t.value[node];
    }
    double l = t.cover[t.left[node]];
    double r = t.cover[t.right[node]];
    return (l * expected(t, t.left[node]) + r * expected(t, t.right[node])) / (l + r);
  }

  /** Adds the row's Shapley value of each slot (feature vector index) to {@code phi}. */
  static void add(ScoreExplainer.FlatTree tree, Vector x, double[] phi) {
    add(tree, x, phi, Path.forDepth(tree.maxDepth));
  }

  /**
   * As {@link #add(ScoreExplainer.FlatTree, Vector, double[])} with path buffers made by {@link
   * Path#forDepth} for at least the tree's depth, reused across the trees of one row.
   */
  static void add(ScoreExplainer.FlatTree tree, Vector x, double[] phi, Path paths) {
    recurse(tree, x, phi, paths, 0, 0, 0, 1, 1, -1);
  }

  /** The path elements of every level, stored one level after another. */
  static final class Path {
    /** Buffers for trees at most {@code maxDepth} splits deep: one path per recursion level. */
    static Path forDepth(int maxDepth) {
      int depth = maxDepth + 2;
      return new Path((depth + 1) * (depth + 2) / 2 + depth + 2);
    }

    final int[] feature;
    final double[] zero;
    final double[] one;
    final double[] weight;

    Path(int size) {
      feature = new int[size];
      zero = new double[size];
      one = new double[size];
      weight = new double[size];
    }

    void copy(int from, int to, int length) {
      System.arraycopy(feature, from, feature, to, length);
      System.arraycopy(zero, from, zero, to, length);
      System.arraycopy(one, from, one, to, length);
      System.arraycopy(weight, from, weight, to, length);
    }
  }

  /**
   * @param start where the parent's path begins in {@code p}
   * @param length the parent's path length minus one (the index of its last element)
   */
  private static void recurse(
      ScoreExplainer.FlatTree t,
      Vector x,
      double[] phi,
      Path p,
      int node,
      int start,
      int length,
      double zeroFraction,
      double oneFraction,
      int feature) {
    // This level's path: a copy of the parent's, extended by the split that led here.
    int at = start + length + 1;
    p.copy(start, at, length + 1);
    extend(p, at, length, zeroFraction, oneFraction, feature);
    if (t.feature[node] < 0) {
      for (int i = 1; i <= length; i++) {
        double w = unwoundSum(p, at, length, i);
        phi[p.feature[at + i]] += w * (p.one[at + i] - p.zero[at + i]) * t.value[node];
      }
      return;
    }
    int split = t.feature[node];
    int hot = t.goesLeft(node, x.apply(split)) ? t.left[node] : t.right[node];
    int cold = hot == t.left[node] ? t.right[node] : t.left[node];
    double cover = t.cover[node];
    double incomingZero = 1;
    double incomingOne = 1;
    int depth = length;
    // A feature split on again: undo its earlier extension and redo it here.
    for (int k = 0; k <= depth; k++) {
      if (p.feature[at + k] == split) {
        incomingZero = p.zero[at + k];
        incomingOne = p.one[at + k];
        unwind(p, at, depth, k);
        depth -= 1;
        break;
      }
    }
    recurse(
        t, x, phi, p, hot, at, depth + 1, t.cover[hot] / cover * incomingZero, incomingOne, split);
    recurse(t, x, phi, p, cold, at, depth + 1, t.cover[cold] / cover * incomingZero, 0, split);
  }

  /** Appends an element to the path at {@code at} of index {@code d} and updates the weights. */
  private static void extend(Path p, int at, int d, double zero, double one, int feature) {
    p.feature[at + d] = feature;
    p.zero[at + d] = zero;
    p.one[at + d] = one;
    p.weight[at + d] = d == 0 ? 1 : 0;
    for (int i = d - 1; i >= 0; i--) {
      p.weight[at + i + 1] += one * p.weight[at + i] * (i + 1) / (double) (d + 1);
      p.weight[at + i] = zero * p.weight[at + i] * (d - i) / (double) (d + 1);
    }
  }

  /** Removes element {@code index} from the path at {@code at} whose last index is {@code d}. */
  private static void unwind(Path p, int at, int d, int index) {
    double one = p.one[at + index];
    double zero = p.zero[at + index];
    double next = p.weight[at + d];
    for (int i = d - 1; i >= 0; i--) {
      if (one != 0) {
        double tmp = p.weight[at + i];
        p.weight[at + i] = next * (d + 1) / ((i + 1) * one);
        next = tmp - p.weight[at + i] * zero * (d - i) / (double) (d + 1);
      } else {
        p.weight[at + i] = p.weight[at + i] * (d + 1) / (zero * (d - i));
      }
    }
    for (int i = index; i < d; i++) {
      p.feature[at + i] = p.feature[at + i + 1];
      p.zero[at + i] = p.zero[at + i + 1];
      p.one[at + i] = p.one[at + i + 1];
    }
  }

  /** The total weight the path would have if element {@code index} were removed. */
  private static double unwoundSum(Path p, int at, int d, int index) {
    double one = p.one[at + index];
    double zero = p.zero[at + index];
    double next = p.weight[at + d];
    double total = 0;
    for (int i = d - 1; i >= 0; i--) {
      if (one != 0) {
        double tmp = next * (d + 1) / ((i + 1) * one);
        total += tmp;
        next = p.weight[at + i] - tmp * zero * ((d - i) / (double) (d + 1));
      } else {
        total += (p.weight[at + i] / zero) / ((d - i) / (double) (d + 1));
      }
    }
    return total;
  }
}
