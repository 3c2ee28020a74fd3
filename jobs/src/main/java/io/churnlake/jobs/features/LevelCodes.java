package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * The plan levels of a log (free, paid, ...) as small integer codes, so that "the level at the
 * latest event" is one {@code max} over a long instead of a {@code max_by} over a string: Spark's
 * hash aggregation needs fixed-width buffers and falls back to sorting every row for a string one.
 * Code 0 is a missing level, codes 1..n the levels in sorted order. The latest level is packed as
 * {@code ordering * 1024 + code}, so its maximum is the code at the greatest ordering (ties go to
 * the greater code, which makes the result independent of row order). An aggregated code column
 * carries its levels in its metadata ({@link #METADATA_KEY}), as MLlib's nominal attributes do, so
 * the next aggregation decodes it without another pass over the data.
 */
public final class LevelCodes {
  static final String METADATA_KEY = "churnlake_levels";
  static final int MAX_CODES = 1023;
  private static final int BASE = MAX_CODES + 1;

  private final List<String> levels;

  private LevelCodes(List<String> levels) {
    this.levels = levels;
  }

  /** The given levels, sorted and deduplicated. */
  public static LevelCodes of(Iterable<String> levels) {
    TreeSet<String> sorted = new TreeSet<>();
    levels.forEach(sorted::add);
    if (sorted.size() > MAX_CODES) {
      throw ChurnErrors.tooManyLevels(MAX_CODES);
    }
    return new LevelCodes(List.copyOf(sorted));
  }

  /**
   * The levels present in {@code events} (one distinct over one column, at most {@link #MAX_CODES}
   * + 1 values collected; none when the log has no level column).
   */
  public static LevelCodes in(Dataset<Row> events) {
    return in(events, Columns.LEVEL);
  }

  /** The levels present in a string column of {@code rows} (as {@link #in(Dataset)}). */
  public static LevelCodes in(Dataset<Row> rows, String column) {
    if (!List.of(rows.columns()).contains(column)) {
      return of(List.of());
    }
    List<String> found = new ArrayList<>();
    for (Row r :
        rows.select(column)
            .where(col(column).isNotNull())
            .distinct()
            // A column that is no plan level (an id mapped by mistake) must not reach the driver
            // whole: one value past the limit is enough to refuse it.
            .limit(MAX_CODES + 1)
            .collectAsList()) {
      found.add(r.getString(0));
    }
    return of(found);
  }

  /** The codes carried by an aggregated code column's metadata. */
  public static LevelCodes from(StructField codeColumn) {
    Metadata m = codeColumn.metadata();
    if (!m.contains(METADATA_KEY)) {
      throw new IllegalArgumentException(
          "column " + codeColumn.name() + " carries no level codes in its metadata");
    }
    return new LevelCodes(List.of(m.getStringArray(METADATA_KEY)));
  }

  public List<String> levels() {
    return levels;
  }

  /** These levels and {@code more} (what configured level events set, say). */
  public LevelCodes with(List<String> more) {
    List<String> all = new ArrayList<>(levels);
    all.addAll(more);
    return of(all);
  }

  /** The metadata that lets a later aggregation decode a code column. */
  public Metadata metadata() {
    return new MetadataBuilder()
        .putStringArray(METADATA_KEY, levels.toArray(new String[0]))
        .build();
  }

  /** The code of a level: 0 when null; a level outside the codes fails the query, naming it. */
  public Column code(Column level) {
    Column position = array_position(values(), level).cast("int");
    return when(
            level.isNotNull().and(position.equalTo(0)),
            raise_error(
                concat(
                    lit("level '"),
                    level,
                    lit("' is not one of the levels found when the aggregation was planned"))))
        .otherwise(coalesce(position, lit(0)));
  }

  /** The aggregate: the code at the greatest {@code ordering} (a long), packed with it. */
  public static Column latest(Column ordering, Column code) {
    return max(ordering.cast("long").multiply(BASE).plus(code));
  }

  /** The code of a {@link #latest} value (0 when the group had no rows). */
  public static Column unpack(Column packed) {
    return coalesce(pmod(packed, lit((long) BASE)), lit(0L)).cast("int");
  }

  /** The levels as a string array (typed even when empty: a log without levels). */
  private Column values() {
    return array(levels.stream().map(l -> lit(l)).toArray(Column[]::new))
        .cast(DataTypes.createArrayType(DataTypes.StringType));
  }

  /** The level of a code, null for 0. */
  public Column decode(Column code) {
    return when(code.gt(0), element_at(values(), code)).cast(DataTypes.StringType);
  }
}
