package io.churnlake.jobs.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.KpiColumns;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The save rates the plan multiplies by under {@code segment.save-rates = learned}: each action's
 * rate from {@code action_effects} (the latest as-of date on or before the plan's) where a matured
 * wave taught it, the configured rate otherwise. One row per configured action reaches the driver.
 */
public final class LearnedSaveRates {
  private LearnedSaveRates() {}

  /** The settings the plan uses, and one line per action whose rate was learned. */
  public record Applied(ChurnConfig.SegmentSettings settings, List<String> lines) {}

  public static Applied read(JobContext ctx, LocalDate asOf, ChurnConfig.SegmentSettings s) {
    if (s.saveRates() == ChurnConfig.SaveRates.CONFIGURED
        || !ctx.store().exists(ChurnTable.ACTION_EFFECTS)) {
      return new Applied(s, List.of());
    }
    var table =
        ctx.store()
            .read(ChurnTable.ACTION_EFFECTS)
            .where(col(Columns.AS_OF_DATE).leq(lit(Date.valueOf(asOf))));
    Row latest = table.agg(max(Columns.AS_OF_DATE)).head();
    if (latest.isNullAt(0)) {
      return new Applied(s, List.of());
    }
    List<Row> effects =
        table
            .where(col(Columns.AS_OF_DATE).equalTo(lit(latest.getDate(0))))
            .select(fields())
            .collectAsList();
    return applied(s, effects);
  }

  private static org.apache.spark.sql.Column[] fields() {
    return java.util.Arrays.stream(KpiColumns.ACTION_EFFECTS.fieldNames())
        .map(f -> col(f))
        .toArray(org.apache.spark.sql.Column[]::new);
  }

  /**
   * The settings with each configured action's rate replaced by its learned one ({@code
   * action_effects} rows in their table's column order); actions without a learned row keep theirs.
   */
  public static Applied applied(ChurnConfig.SegmentSettings s, List<Row> effects) {
    StructType t = KpiColumns.ACTION_EFFECTS;
    Map<String, ChurnConfig.RetentionAction> actions = new LinkedHashMap<>(s.actions());
    List<String> lines = new ArrayList<>();
    for (Row e : effects) {
      String action = e.getString(t.fieldIndex("action"));
      ChurnConfig.RetentionAction configured = actions.get(action);
      if (configured == null || !"learned".equals(e.getString(t.fieldIndex("source")))) {
        continue;
      }
      double rate = e.getDouble(t.fieldIndex("save_rate"));
      actions.put(
          action,
          new ChurnConfig.RetentionAction(configured.cost(), rate, configured.description()));
      lines.add(
          String.format(
              Locale.ROOT,
              "%s %ssave rate %.2f (%s)",
              action,
              rate < 0 ? "raises churn: " : "",
              rate,
              e.getString(t.fieldIndex("note"))));
    }
    return new Applied(lines.isEmpty() ? s : s.withActions(actions), List.copyOf(lines));
  }
}
