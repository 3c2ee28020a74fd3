package io.churnlake.jobs.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;
import org.apache.spark.sql.types.StructType;

/**
 * Splits a fitted churn model's raw margin into one contribution per source feature (a
 * customer_features column), so that {@code bias + sum(contributions) == margin} for every
 * customer:
 *
 * <ul>
 *   <li>logistic regression: margin = intercept + coefficients · standardised features; the
 *       contribution of a feature is its coefficient times its standardised value, the bias the
 *       intercept;
 *   <li>tree ensembles (gradient-boosted trees, random forest), by default exact Shapley values of
 *       each tree's output (path-dependent TreeSHAP, {@link TreeShap}), the bias the trees'
 *       expected outputs over their training rows; or, with {@code score.tree-explanations =
 *       saabas}, path contributions (Saabas): each split on the customer's path through each tree
 *       adds the change in the node value to the split's feature; the bias is the sum of the root
 *       values. For GBT the node value is the tree weight times the node's prediction and the
 *       margin is MLlib's raw prediction (half the log-odds); for a random forest it is the node's
 *       churn share and the margin the sum of the trees' churn shares (MLlib's raw prediction;
 *       probability = margin / trees).
 * </ul>
 *
 * <p>Built on the driver from the model's structure (its size is the model's, not the data's), then
 * shipped to executors inside the scoring closure; nothing per customer happens on the driver. A
 * one-hot encoded categorical feature gets the sum of its slots' contributions.
 */
public final class ScoreExplainer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The model family, which decides how the margin is read and split. */
  public enum Kind {
    LINEAR,
    GBT,
    FOREST
  }

  private final Kind kind;
  private final String vectorColumn;
  private final String[] features;
  private final int[] slotFeature;
  private final double bias;
  private final double[] coefficients;
  private final FlatTree[] trees;
  private final boolean exact;

  private ScoreExplainer(
      Kind kind,
      String vectorColumn,
      String[] features,
      int[] slotFeature,
      double bias,
      double[] coefficients,
      FlatTree[] trees,
      boolean exact) {
    this.exact = exact;
    this.kind = kind;
    this.vectorColumn = vectorColumn;
    this.features = features;
    this.slotFeature = slotFeature;
    this.bias = bias;
    this.coefficients = coefficients;
    this.trees = trees;
  }

  /**
   * The explainer of a churnlake pipeline (see {@code ChurnPipelines}): its assembler's inputs name
   * the slots, its classifier gives the structure.
   *
   * @param model the fitted pipeline (a calibration stage after the classifier is ignored)
   * @param transformedSchema the schema of {@code model.transform(features)}, whose vector columns
   *     carry the slot counts of each one-hot encoded feature
   * @param sourceOf the customer_features column each assembler input comes from
   */
  public static ScoreExplainer of(
      PipelineModel model,
      StructType transformedSchema,
      java.util.function.Function<String, String> sourceOf) {
    return of(model, transformedSchema, sourceOf, true);
  }

  /**
   * @param exact tree ensembles: exact Shapley values ({@link TreeShap}) rather than path
   *     contributions (Saabas); ignored for logistic regression, whose split is exact already
   */
  public static ScoreExplainer of(
      PipelineModel model,
      StructType transformedSchema,
      java.util.function.Function<String, String> sourceOf,
      boolean exact) {
    VectorAssembler assembler = null;
    StandardScalerModel scaler = null;
    Transformer classifier = null;
    for (Transformer t : model.stages()) {
      if (t instanceof VectorAssembler a) {
        assembler = a;
      } else if (t instanceof StandardScalerModel s) {
        scaler = s;
      } else if (t instanceof LogisticRegressionModel
          || t instanceof GBTClassificationModel
          || t instanceof RandomForestClassificationModel) {
        classifier = t;
      }
    }
    if (assembler == null || classifier == null) {
      throw new IllegalArgumentException(
          "not a churnlake pipeline (no VectorAssembler or no supported classifier): "
              + List.of(model.stages()));
    }
    Map<String, Integer> featureIndex = new LinkedHashMap<>();
    int[] slotFeature = slots(assembler, transformedSchema, sourceOf, featureIndex);
    String[] names = featureIndex.keySet().toArray(new String[0]);
    if (classifier instanceof LogisticRegressionModel lr) {
      if (lr.numFeatures() != slotFeature.length) {
        throw new IllegalStateException(
            "model has " + lr.numFeatures() + " features, assembler " + slotFeature.length);
      }
      return new ScoreExplainer(
          Kind.LINEAR,
          scaler == null ? assembler.getOutputCol() : scaler.getOutputCol(),
          names,
          slotFeature,
          lr.intercept(),
          lr.coefficients().toArray(),
          null,
          false);
    }
    return trees(classifier, assembler.getOutputCol(), names, slotFeature, exact);
  }

  /**
   * The source feature of each slot of the assembled vector (a one-hot vector's slots all map to
   * its source column), numbering the source features in {@code featureIndex} as first seen.
   */
  private static int[] slots(
      VectorAssembler assembler,
      StructType transformedSchema,
      java.util.function.Function<String, String> sourceOf,
      Map<String, Integer> featureIndex) {
    List<Integer> slots = new ArrayList<>();
    for (String input : assembler.getInputCols()) {
      String source = sourceOf.apply(input);
      int f = featureIndex.computeIfAbsent(source, k -> featureIndex.size());
      int width = 1;
      if (transformedSchema.getFieldIndex(input).isDefined()
          && transformedSchema.apply(input).dataType() instanceof VectorUDT) {
        AttributeGroup group = AttributeGroup.fromStructField(transformedSchema.apply(input));
        if (group.size() < 0) {
          throw new IllegalStateException(
              "vector column " + input + " has no size in its metadata");
        }
        width = group.size();
      }
      for (int i = 0; i < width; i++) {
        slots.add(f);
      }
    }
    return slots.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The explainer of a tree ensemble: its trees flattened, the bias their expected output. */
  private static ScoreExplainer trees(
      Transformer classifier, String vector, String[] names, int[] slotFeature, boolean exact) {
    List<FlatTree> flat = new ArrayList<>();
    double bias = 0;
    Kind kind;
    if (classifier instanceof GBTClassificationModel gbt) {
      kind = Kind.GBT;
      double[] weights = gbt.treeWeights();
      for (int t = 0; t < gbt.trees().length; t++) {
        FlatTree tree = FlatTree.of(gbt.trees()[t].rootNode(), weights[t], false);
        flat.add(tree);
        bias += exact ? TreeShap.expected(tree) : tree.value[0];
      }
    } else {
      RandomForestClassificationModel rf = (RandomForestClassificationModel) classifier;
      kind = Kind.FOREST;
      for (int t = 0; t < rf.trees().length; t++) {
        FlatTree tree = FlatTree.of(rf.trees()[t].rootNode(), 1.0, true);
        flat.add(tree);
        bias += exact ? TreeShap.expected(tree) : tree.value[0];
      }
    }
    return new ScoreExplainer(
        kind, vector, names, slotFeature, bias, null, flat.toArray(new FlatTree[0]), exact);
  }

  public Kind kind() {
    return kind;
  }

  /** The vector column of the transformed rows that the contributions are computed from. */
  public String vectorColumn() {
    return vectorColumn;
  }

  /** Source feature names, in the order of {@link #contributions}. */
  public String[] features() {
    return features.clone();
  }

  /** The part of every margin that no feature explains. */
  public double bias() {
    return bias;
  }

  /** One contribution per source feature for a row's feature vector. */
  public double[] contributions(Vector v) {
    double[] out = new double[features.length];
    if (kind == Kind.LINEAR) {
      for (int i = 0; i < coefficients.length; i++) {
        out[slotFeature[i]] += coefficients[i] * v.apply(i);
      }
      return out;
    }
    if (exact) {
      double[] slots = new double[slotFeature.length];
      int deepest = 0;
      for (FlatTree tree : trees) {
        deepest = Math.max(deepest, tree.maxDepth);
      }
      TreeShap.Path paths = TreeShap.Path.forDepth(deepest); // reused by every tree of the row
      for (FlatTree tree : trees) {
        TreeShap.add(tree, v, slots, paths);
      }
      for (int i = 0; i < slots.length; i++) {
        out[slotFeature[i]] += slots[i];
      }
      return out;
    }
    for (FlatTree tree : trees) {
      int node = 0;
      while (tree.feature[node] >= 0) {
        int slot = tree.feature[node];
        int child = tree.goesLeft(node, v.apply(slot)) ? tree.left[node] : tree.right[node];
        out[slotFeature[slot]] += tree.value[child] - tree.value[node];
        node = child;
      }
    }
    return out;
  }

  /**
   * A tree as arrays, node 0 the root: {@code feature} is -1 at a leaf; a continuous split goes
   * left when the value is at most {@code threshold}, a categorical one when the value is among
   * {@code leftCategories}.
   */
  static final class FlatTree implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] feature;
    final double[] threshold;
    final double[][] leftCategories;
    final int[] left;
    final int[] right;
    final double[] value;

    /** The (weighted) count of training rows that reached each node. */
    final double[] cover;

    /** The longest root-to-leaf path, in splits. */
    final int maxDepth;

    FlatTree(
        int[] feature,
        double[] threshold,
        double[][] leftCategories,
        int[] left,
        int[] right,
        double[] value,
        double[] cover) {
      this.feature = feature;
      this.threshold = threshold;
      this.leftCategories = leftCategories;
      this.left = left;
      this.right = right;
      this.value = value;
      this.cover = cover;
      this.maxDepth = depth(0);
    }

    private int depth(int node) {
      return feature[node] < 0 ? 0 : 1 + Math.max(depth(left[node]), depth(right[node]));
    }

    boolean goesLeft(int node, double x) {
      double[] cats = leftCategories[node];
      if (cats == null) {
        return x <= threshold[node];
      }
      for (double c : cats) {
        if (c == x) {
          return true;
        }
      }
      return false;
    }

    /**
     * @param weight multiplies every node value (the GBT tree weight)
     * @param classShare node value = share of class 1 among the node's training rows (random
     *     forest) instead of the node's prediction (GBT regression trees)
     */
    static FlatTree of(Node root, double weight, boolean classShare) {
      List<Node> nodes = new ArrayList<>();
      nodes.add(root);
      // Breadth-first numbering; children are numbered when their parent is visited.
      List<int[]> children = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        if (n instanceof InternalNode in) {
          nodes.add(in.leftChild());
          nodes.add(in.rightChild());
          children.add(new int[] {nodes.size() - 2, nodes.size() - 1});
        } else {
          children.add(null);
        }
      }
      int size = nodes.size();
      int[] feature = new int[size];
      double[] threshold = new double[size];
      double[][] cats = new double[size][];
      int[] left = new int[size];
      int[] right = new int[size];
      double[] value = new double[size];
      double[] cover = new double[size];
      for (int i = 0; i < size; i++) {
        Node n = nodes.get(i);
        value[i] = weight * (classShare ? churnShare(n) : n.prediction());
        cover[i] = n.impurityStats().count();
        if (n instanceof InternalNode in) {
          Split s = in.split();
          feature[i] = s.featureIndex();
          if (s instanceof ContinuousSplit c) {
            threshold[i] = c.threshold();
          } else {
            cats[i] = ((CategoricalSplit) s).leftCategories();
          }
          left[i] = children.get(i)[0];
          right[i] = children.get(i)[1];
        } else {
          feature[i] = -1;
        }
      }
      return new FlatTree(feature, threshold, cats, left, right, value, cover);
    }

    /** Share of class 1 (churn) among a node's (bootstrap-weighted) training rows. */
    private static double churnShare(Node n) {
      double[] stats = n.impurityStats().stats();
      double total = 0;
      for (double s : stats) {
        total += s;
      }
      return total == 0 || stats.length < 2 ? 0 : stats[1] / total;
    }
  }
}
