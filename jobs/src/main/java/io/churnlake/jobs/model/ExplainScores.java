package io.churnlake.jobs.model;

import io.churnlake.common.table.Columns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The reasons behind each score: from a model's transformed rows (customer_features columns plus
 * the model's vectors, raw prediction and probability), one row per customer with the raw margin,
 * the model's bias, every feature's contribution and numeric value (in {@link
 * ScoreExplainer#features()} order) and the top {@code n} drivers, one per signal (features with
 * the largest positive contributions: what pushes this customer towards churn). A pure transform;
 * the work runs in {@code mapPartitions} on the executors with the explainer inside the closure.
 */
public final class ExplainScores implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * drivers: array of (feature, value, contribution, reason, category), largest contribution first;
   * the category is what a retention team does about it ({@code score.reason-categories}).
   */
  public static final StructType DRIVER =
      new StructType()
          .add("feature", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, true)
          .add("contribution", DataTypes.DoubleType, false)
          .add("reason", DataTypes.StringType, false)
          .add("category", DataTypes.StringType, false);

  /** The category of a driver whose signal no configured category lists. */
  public static final String OTHER = "other";

  public static final String RAW_SCORE = "raw_score";
  public static final String BIAS = "bias";
  public static final String CONTRIBUTIONS = "contributions";
  public static final String DRIVERS = "drivers";
  public static final String FEATURE_VALUES = "feature_values";

  public static final StructType SCHEMA =
      new StructType()
          .add(Columns.CUSTOMER_ID, DataTypes.StringType, false)
          .add(Columns.AS_OF_DATE, DataTypes.DateType, false)
          .add(Columns.CHURN_PROBABILITY, DataTypes.DoubleType, false)
          .add(RAW_SCORE, DataTypes.DoubleType, false)
          .add(BIAS, DataTypes.DoubleType, false)
          .add(CONTRIBUTIONS, DataTypes.createArrayType(DataTypes.DoubleType, false), false)
          .add(FEATURE_VALUES, DataTypes.createArrayType(DataTypes.DoubleType, true), false)
          .add(DRIVERS, DataTypes.createArrayType(DRIVER, false), false);

  private final ScoreExplainer explainer;
  private final String probabilityColumn;
  private final int probabilityIndex;
  private final int drivers;
  private final double[] typical;
  private final Map<String, String> categoryOfSignal;

  /**
   * @param probabilityColumn the column holding the probability to report: a double column (a
   *     calibrated probability) or MLlib's {@code probability} vector (its churn entry is taken)
   * @param typicalValues each feature's typical value (the training mean), for the reasons
   */
  public ExplainScores(
      ScoreExplainer explainer,
      String probabilityColumn,
      int drivers,
      Map<String, Double> typicalValues) {
    this(explainer, probabilityColumn, drivers, typicalValues, Map.of());
  }

  /**
   * @param categories each category's signals ({@code score.reason-categories}); a signal in none
   *     is {@link #OTHER}
   */
  public ExplainScores(
      ScoreExplainer explainer,
      String probabilityColumn,
      int drivers,
      Map<String, Double> typicalValues,
      Map<String, List<String>> categories) {
    Map<String, String> bySignal = new java.util.HashMap<>();
    categories.forEach((category, signals) -> signals.forEach(g -> bySignal.put(g, category)));
    this.categoryOfSignal = Map.copyOf(bySignal);
    this.explainer = explainer;
    this.probabilityColumn = probabilityColumn;
    this.probabilityIndex = 1;
    this.drivers = drivers;
    String[] names = explainer.features();
    this.typical = new double[names.length];
    for (int i = 0; i < names.length; i++) {
      typical[i] = typicalValues.getOrDefault(names[i], Double.NaN);
    }
  }

  public org.apache.spark.sql.Dataset<Row> apply(org.apache.spark.sql.Dataset<Row> transformed) {
    String[] names = explainer.features();
    List<String> kept = new ArrayList<>();
    kept.add(Columns.CUSTOMER_ID);
    kept.add(Columns.AS_OF_DATE);
    kept.add(probabilityColumn);
    kept.add("rawPrediction");
    kept.add(explainer.vectorColumn());
    kept.addAll(Arrays.asList(names));
    org.apache.spark.sql.Dataset<Row> input =
        transformed.selectExpr(kept.stream().map(c -> "`" + c + "`").toArray(String[]::new));
    return input.mapPartitions(
        (MapPartitionsFunction<Row, Row>) rows -> new Explained(rows), Encoders.row(SCHEMA));
  }

  private final class Explained implements Iterator<Row> {
    private final Iterator<Row> rows;

    Explained(Iterator<Row> rows) {
      this.rows = rows;
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Row next() {
      return explain(rows.next());
    }
  }

  private Row explain(Row r) {
    Object p = r.get(2);
    double probability =
        p instanceof Vector v ? v.apply(probabilityIndex) : ((Number) p).doubleValue();
    double margin = ((Vector) r.get(3)).apply(1);
    double[] c = explainer.contributions((Vector) r.get(4));
    String[] names = explainer.features();
    List<Row> top = new ArrayList<>();
    for (int f : topDrivers(names, c, drivers)) {
      Object value = r.get(5 + f);
      Double numeric = value instanceof Number n ? n.doubleValue() : null;
      top.add(
          RowFactory.create(
              names[f],
              numeric,
              c[f],
              reason(names[f], value, typical[f]),
              categoryOfSignal.getOrDefault(signal(names[f]), OTHER)));
    }
    Double[] boxed = new Double[c.length];
    Double[] values = new Double[c.length];
    for (int i = 0; i < c.length; i++) {
      boxed[i] = c[i];
      values[i] = r.get(5 + i) instanceof Number n ? n.doubleValue() : null;
    }
    return RowFactory.create(
        r.get(0),
        r.get(1),
        probability,
        margin,
        explainer.bias(),
        seq(Arrays.asList(boxed)),
        seq(Arrays.asList(values)),
        seq(top));
  }

  /**
   * The indices of the {@code n} features with the largest positive contributions, largest first,
   * one per signal: a signal measured over several windows or per session ({@code thumbs_down_30d},
   * {@code thumbs_down_per_session_90d}) is one reason, given by its largest contribution, not
   * three.
   */
  static int[] topDrivers(String[] names, double[] contributions, int n) {
    Integer[] order = new Integer[contributions.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -contributions[i]));
    java.util.Set<String> signals = new java.util.HashSet<>();
    List<Integer> top = new ArrayList<>();
    for (int k = 0; k < order.length && top.size() < n; k++) {
      int f = order[k];
      if (!(contributions[f] > 0)) {
        break;
      }
      if (signals.add(signal(names[f]))) {
        top.add(f);
      }
    }
    return top.stream().mapToInt(Integer::intValue).toArray();
  }

  /** A feature's signal: its name without a window ({@code _30d}) or a per-session suffix. */
  static String signal(String feature) {
    return feature.replaceFirst("_\\d+d$", "").replaceFirst("_per_session$", "");
  }

  /** The row encoder takes Scala sequences for array columns. */
  private static <T> scala.collection.Seq<T> seq(List<T> list) {
    return scala.collection.JavaConverters.asScalaBuffer(list);
  }

  /**
   * A phrase a retention agent can read: what the feature says for this customer in plain words,
   * and what a typical customer (the training rows' mean) has, e.g. {@code 5 thumbs down in the
   * last 30 days; a typical customer has 1.2}. Features are read from their names' conventions
   * (windows, per-session rates, totals, days since); any other feature is named as it is.
   */
  static String reason(String feature, Object value, double typical) {
    if (value == null) {
      return NONE_YET.getOrDefault(feature, feature + ": none yet");
    }
    if (!(value instanceof Number n)) {
      return feature + " is '" + value + "'";
    }
    double v = n.doubleValue();
    if (feature.startsWith("session_trend_")) {
      String window = feature.substring("session_trend_".length()).replace("d", "");
      int pct = (int) Math.round(Math.abs(v) * 100);
      return String.format(
          Locale.ROOT,
          "sessions %s %d%% vs the previous %s days",
          v < 0 ? "fell" : "rose",
          pct,
          window);
    }
    if (feature.startsWith("is_") || feature.startsWith("has_")) {
      String what = feature.substring(feature.indexOf('_') + 1).replace('_', ' ');
      return String.format(
          Locale.ROOT,
          "%s: %s%s",
          what,
          v > 0 ? "yes" : "no",
          Double.isNaN(typical)
              ? ""
              : String.format(
                  Locale.ROOT, "; %.0f%% of customers are so", Math.max(0, typical) * 100));
    }
    String typicalPart = Double.isNaN(typical) ? "" : "; a typical customer has " + format(typical);
    return plain(feature, format(v)).orElse(feature + ": " + format(v)) + typicalPart;
  }

  /** A recency or age feature without a value: what has not happened yet. */
  private static final java.util.Map<String, String> NONE_YET =
      java.util.Map.of(
          "days_since_last_activity", "no activity yet",
          "days_since_last_purchase", "no purchase yet",
          "days_since_first_purchase", "no purchase yet",
          "days_since_plan_change", "no plan change yet");

  /** Features with a phrase of their own ({@code %s} takes the value): recency, age, totals. */
  private static final java.util.Map<String, String> PHRASES =
      java.util.Map.of(
          "days_since_last_activity", "no activity for %s days",
          "days_since_last_purchase", "no purchase for %s days",
          "days_since_first_purchase", "first purchase %s days ago",
          "days_since_plan_change", "plan changed %s days ago",
          "tenure_days", "a customer for %s days",
          "billed_amount_total", "billed %s in all",
          "net_spend_total", "spent %s in all");

  /** What a group of counted events is called in a phrase. */
  private static final java.util.Map<String, String> WORDS =
      java.util.Map.of(
          "events", "interactions",
          "negative_events", "friction events",
          "positive_events", "engagement events",
          "negative", "friction events",
          "positive", "engagement events",
          "active_days", "active days",
          "content", "content events",
          "return_lines", "returned lines",
          "cancelled_orders", "cancelled orders");

  private static final java.util.regex.Pattern SESSIONS_BEFORE =
      java.util.regex.Pattern.compile("sessions_prev_(\\d+)d");

  private static final java.util.regex.Pattern WINDOWED =
      java.util.regex.Pattern.compile("(.+?)(_per_session)?_(\\d+)d");

  /** The feature's value in words, when its name follows the dictionary's conventions. */
  private static Optional<String> plain(String feature, String v) {
    if (PHRASES.containsKey(feature)) {
      return Optional.of(String.format(Locale.ROOT, PHRASES.get(feature), v));
    }
    java.util.regex.Matcher before = SESSIONS_BEFORE.matcher(feature);
    if (before.matches()) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "%s sessions in the %s days before the last %s",
              v,
              before.group(1),
              before.group(1)));
    }
    if (feature.startsWith("avg_session_minutes_") || feature.startsWith("max_session_minutes_")) {
      String window = feature.replaceFirst(".*_(\\d+)d$", "$1");
      String which = feature.startsWith("avg") ? "sessions of" : "a longest session of";
      return Optional.of(
          String.format(
              Locale.ROOT,
              "%s %s minutes%s in the last %s days",
              which,
              v,
              feature.startsWith("avg") ? " on average" : "",
              window));
    }
    if (feature.startsWith("net_spend_") && feature.endsWith("d")) {
      return Optional.of(
          String.format(
              Locale.ROOT, "spent %s in the last %s days", v, feature.replaceAll("\\D", "")));
    }
    if (feature.startsWith("session_")) {
      return Optional.empty();
    }
    java.util.regex.Matcher m = WINDOWED.matcher(feature);
    if (m.matches()) {
      String what = WORDS.getOrDefault(m.group(1), m.group(1).replace('_', ' '));
      return Optional.of(
          String.format(
              Locale.ROOT,
              "%s %s%s in the last %s days",
              v,
              what,
              m.group(2) == null ? "" : " per session",
              m.group(3)));
    }
    if (feature.endsWith("_total")) {
      String base = feature.substring(0, feature.length() - "_total".length());
      return Optional.of(v + " " + WORDS.getOrDefault(base, base.replace('_', ' ')) + " in all");
    }
    return Optional.empty();
  }

  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.3f", v);
  }
}
