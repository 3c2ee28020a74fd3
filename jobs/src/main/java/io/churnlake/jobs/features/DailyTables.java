package io.churnlake.jobs.features;

import static org.apache.spark.sql.functions.col;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.common.table.TableStore;
import io.churnlake.jobs.History;
import io.churnlake.jobs.JobContext;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily aggregates kept as tables: {@code daily_activity} (events per customer and day, {@link
 * AggregateDailyActivity}) and {@code daily_purchases} (transactions per customer and day, {@link
 * AggregateDailyPurchases}). Features, labels, training and CLV read them instead of aggregating
 * every event of the history again on each run.
 *
 * <p>Before each read a table is brought up to date with its source: the days whose source rows
 * changed since the version it was built from (found in the source's Delta log: files added or
 * removed, late data and deletions by {@code forget} included) are aggregated again and replace
 * their rows in one commit. That commit's tag records the source's table id and version and a
 * fingerprint of what the aggregate depends on (its format, the churn event and counted event
 * types); a different id or fingerprint, a log that no longer holds the commits in between, or an
 * explicit rebuild ({@code nightly --force}, {@code backfill --force}) aggregates the whole source
 * again. A source version that moved on while the aggregate ran is harmless: the tag records the
 * version read before it, so the next refresh aggregates those days once more.
 */
public final class DailyTables {
  private static final Logger LOG = LoggerFactory.getLogger(DailyTables.class);

  /** The first word of a refresh commit's tag. */
  static final String TAG = "churnlake-daily";

  /** The version of the aggregates' definitions: a change to their code must raise it. */
  static final int FORMAT = 1;

  private DailyTables() {}

  /** A daily table and the source it aggregates. */
  public enum Kind {
    ACTIVITY(ChurnTable.EVENTS, ChurnTable.DAILY_ACTIVITY),
    PURCHASES(ChurnTable.TRANSACTIONS, ChurnTable.DAILY_PURCHASES);

    final ChurnTable source;
    final ChurnTable table;

    Kind(ChurnTable source, ChurnTable table) {
      this.source = source;
      this.table = table;
    }

    public ChurnTable table() {
      return table;
    }
  }

  /**
   * What a daily table was built from, as recorded in the tag of the commit that built it; for
   * {@code daily_activity} also every plan level its rows may hold ({@code levels}: empty when not
   * recorded, as in tags written before they were; an empty list when the log has none), so that
   * reading it needs no pass to find them.
   */
  record Built(
      String sourceId, long sourceVersion, String fingerprint, Optional<List<String>> levels) {
    /** The tag's word for levels recorded as none (a log without levels or level events). */
    static final String NO_LEVELS = "no-levels";

    Built(String sourceId, long sourceVersion, String fingerprint) {
      this(sourceId, sourceVersion, fingerprint, Optional.empty());
    }

    Built {
      levels = levels.map(List::copyOf);
    }

    Built withLevels(LevelCodes codes) {
      return new Built(sourceId, sourceVersion, fingerprint, Optional.of(codes.levels()));
    }

    /** The recorded levels as codes; empty when none were recorded. */
    Optional<LevelCodes> levelCodes() {
      return levels.map(LevelCodes::of);
    }

    String tag() {
      String tag =
          TAG
              + " source-id="
              + sourceId
              + " source-version="
              + sourceVersion
              + " fingerprint="
              + fingerprint;
      if (levels.isEmpty()) {
        return tag;
      }
      if (levels.get().isEmpty()) {
        return tag + " " + NO_LEVELS;
      }
      List<String> encoded = new ArrayList<>();
      for (String level : levels.get()) {
        encoded.add(URLEncoder.encode(level, StandardCharsets.UTF_8));
      }
      return tag + " levels=" + String.join(",", encoded);
    }

    /** The record of a tag written by {@link #tag()}; empty for any other text. */
    static Optional<Built> parse(String tag) {
      String[] words = tag.trim().split(" ");
      if (words.length < 4 || words.length > 5 || !words[0].equals(TAG)) {
        return Optional.empty();
      }
      String id = value(words[1], "source-id=");
      String version = value(words[2], "source-version=");
      String fingerprint = value(words[3], "fingerprint=");
      if (id == null || version == null || fingerprint == null) {
        return Optional.empty();
      }
      Optional<List<String>> levels = Optional.empty();
      if (words.length == 5 && words[4].equals(NO_LEVELS)) {
        levels = Optional.of(List.of());
      } else if (words.length == 5) {
        String joined = value(words[4], "levels=");
        if (joined == null) {
          return Optional.empty();
        }
        List<String> decoded = new ArrayList<>();
        for (String level : joined.split(",", -1)) {
          decoded.add(URLDecoder.decode(level, StandardCharsets.UTF_8));
        }
        levels = Optional.of(decoded);
      }
      try {
        return Optional.of(new Built(id, Long.parseLong(version), fingerprint, levels));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    private static String value(String word, String key) {
      return word.startsWith(key) && word.length() > key.length()
          ? word.substring(key.length())
          : null;
    }
  }

  /**
   * What one refresh did: {@code reason} of a rebuild (empty when none), else the {@code days}
   * aggregated again (empty when the table was up to date); {@code levels}, for {@code
   * daily_activity}, every plan level its rows may hold.
   */
  public record Refresh(
      Kind kind, String reason, List<LocalDate> days, Optional<LevelCodes> levels) {
    public boolean rebuilt() {
      return !reason.isEmpty();
    }

    public String line() {
      String name = kind.table.tableName();
      if (rebuilt()) {
        return name + ": rebuilt (" + reason + ")";
      }
      return days.isEmpty()
          ? name + ": up to date"
          : name + ": " + days.size() + " days aggregated again";
    }
  }

  /** The level events' part of the fingerprint: each pair, in order. */
  private static String levelEvents(ChurnConfig.EventTypes types) {
    StringBuilder out = new StringBuilder("\nlevel-events=");
    for (ChurnConfig.LevelEvent e : types.levelEvents()) {
      out.append(e.eventType()).append('=').append(e.level()).append(';');
    }
    return out.toString();
  }

  /** The fingerprint of what a kind's aggregate depends on besides its source's rows. */
  static String fingerprint(Kind kind, JobContext ctx) {
    String definition =
        switch (kind) {
          case ACTIVITY ->
              "format="
                  + FORMAT
                  + "\nchurn-event="
                  + ctx.config().labels().churnEvent()
                  + "\ncounted="
                  + String.join(",", ctx.config().features().eventTypes().counted())
                  + levelEvents(ctx.config().features().eventTypes());
          case PURCHASES -> "format=" + FORMAT;
        };
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(definition.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * Daily activity up to date with {@code events}, rows on or before {@code upTo}, its {@code
   * last_level} as a {@link LevelCodes} code column (what {@link BuildCustomerFeatures} takes).
   */
  public static Dataset<Row> activityUpTo(JobContext ctx, LocalDate upTo) {
    LevelCodes levels = refresh(ctx, Kind.ACTIVITY, false).levels().orElseThrow();
    Dataset<Row> daily =
        ctx.store()
            .readFiles(ChurnTable.DAILY_ACTIVITY)
            .where(col(Columns.EVENT_DATE).leq(Date.valueOf(upTo)));
    return encodeLevels(daily, levels);
  }

  /** Daily purchases up to date with {@code transactions}, rows on or before {@code upTo}. */
  public static Dataset<Row> purchasesUpTo(JobContext ctx, LocalDate upTo) {
    refresh(ctx, Kind.PURCHASES, false);
    return ctx.store()
        .readFiles(ChurnTable.DAILY_PURCHASES)
        .where(col(Columns.EVENT_DATE).leq(Date.valueOf(upTo)));
  }

  /**
   * The stored (string) {@code last_level} as a code column carrying {@code levels}, which must
   * hold every level of the rows (another one fails the query, naming it).
   */
  static Dataset<Row> encodeLevels(Dataset<Row> daily, LevelCodes levels) {
    String c = BuildCustomerFeatures.LAST_LEVEL;
    List<Column> out = new ArrayList<>();
    for (String name : daily.columns()) {
      out.add(name.equals(c) ? levels.code(col(c)).as(c, levels.metadata()) : col(name));
    }
    return daily.select(out.toArray(new Column[0]));
  }

  /** The stored form of an aggregate: {@code last_level} decoded to the level's name. */
  static Dataset<Row> decodeLevels(Dataset<Row> daily) {
    String c = BuildCustomerFeatures.LAST_LEVEL;
    LevelCodes levels = LevelCodes.from(daily.schema().apply(c));
    List<Column> out = new ArrayList<>();
    for (String name : daily.columns()) {
      out.add(name.equals(c) ? levels.decode(col(c)).as(c) : col(name));
    }
    return daily.select(out.toArray(new Column[0]));
  }

  /** Brings every daily table whose source exists up to date; {@code rebuild} forces a rebuild. */
  public static List<Refresh> refreshAll(JobContext ctx, boolean rebuild) {
    List<Refresh> out = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (ctx.store().exists(k.source)) {
        out.add(refresh(ctx, k, rebuild));
      }
    }
    return out;
  }

  /**
   * Brings one daily table up to date with its source (which must exist): nothing when it is, else
   * the changed days or, when it cannot tell which (or {@code rebuild}), every day.
   */
  public static Refresh refresh(JobContext ctx, Kind kind, boolean rebuild) {
    TableStore store = ctx.store();
    TableStore.TableVersion source =
        store
            .current(kind.source)
            .orElseThrow(
                () ->
                    ChurnErrors.tableMissing(
                        kind.source.tableName(),
                        store.location(kind.source),
                        "ingest a source of kind " + kind.source.tableName() + " first"));
    String fingerprint = fingerprint(kind, ctx);
    Built now = new Built(source.id(), source.version(), fingerprint);
    Optional<Built> before = store.latestTag(kind.table, TAG + " ").flatMap(Built::parse);
    Optional<String> reason = rebuildReason(kind, rebuild, before, now, store.exists(kind.table));
    Optional<Set<String>> changed = Optional.empty();
    if (reason.isEmpty()) {
      long from = before.orElseThrow().sourceVersion();
      changed = store.changedPartitions(kind.source, from, source.version());
      if (changed.isEmpty()) {
        reason =
            Optional.of(kind.source.tableName() + "'s log no longer holds versions after " + from);
      }
    }
    Refresh done;
    if (reason.isPresent()) {
      Dataset<Row> rows = store.read(kind.source);
      Optional<LevelCodes> levels = levelsIn(ctx, kind, rows, Optional.empty());
      store.overwrite(kind.table, aggregate(ctx, kind, rows, levels), recorded(now, levels).tag());
      done = new Refresh(kind, reason.get(), List.of(), levels);
    } else {
      List<LocalDate> days = changed.orElseThrow().stream().map(LocalDate::parse).sorted().toList();
      Optional<LevelCodes> known = before.orElseThrow().levelCodes();
      if (kind == Kind.ACTIVITY && known.isEmpty()) {
        // A table built before its tags recorded the levels: found once in its rows.
        known =
            Optional.of(LevelCodes.in(store.read(kind.table), BuildCustomerFeatures.LAST_LEVEL));
      }
      Optional<LevelCodes> levels = known;
      if (!days.isEmpty()) {
        Column changedDays =
            col(Columns.EVENT_DATE).isin(days.stream().map(Date::valueOf).toArray());
        Dataset<Row> rows = store.read(kind.source).where(changedDays);
        levels = levelsIn(ctx, kind, rows, known);
        store.replaceWhere(
            kind.table,
            aggregate(ctx, kind, rows, levels),
            History.datesPredicate(Columns.EVENT_DATE, days),
            recorded(now, levels).tag());
      }
      done = new Refresh(kind, "", days, levels);
    }
    LOG.info("{} (from {} version {})", done.line(), kind.source.tableName(), source.version());
    return done;
  }

  /**
   * Why the table must be rebuilt rather than refreshed by day, judged from what it was last built
   * from; empty when a refresh by day can serve.
   */
  private static Optional<String> rebuildReason(
      Kind kind, boolean asked, Optional<Built> before, Built now, boolean exists) {
    String source = kind.source.tableName();
    if (asked) {
      return Optional.of("asked for");
    }
    if (before.isEmpty()) {
      return Optional.of(exists ? "no build recorded in its recent commits" : "new table");
    }
    if (!before.get().sourceId().equals(now.sourceId())) {
      return Optional.of(source + " was created again");
    }
    if (!before.get().fingerprint().equals(now.fingerprint())) {
      return Optional.of(
          "the churn event, counted event types, level events or aggregate format changed");
    }
    if (before.get().sourceVersion() > now.sourceVersion()) {
      return Optional.of(source + " is older than the version it was built from");
    }
    return Optional.empty();
  }

  /**
   * For {@code daily_activity}, the levels of {@code rows} (one distinct over the source rows
   * aggregated) joined with those the table already holds and those the configured level events set
   * (what the aggregate's codes hold, {@link AggregateDailyActivity}); empty for other kinds.
   */
  private static Optional<LevelCodes> levelsIn(
      JobContext ctx, Kind kind, Dataset<Row> rows, Optional<LevelCodes> known) {
    if (kind != Kind.ACTIVITY) {
      return Optional.empty();
    }
    List<String> all = new ArrayList<>(LevelCodes.in(rows).levels());
    known.ifPresent(k -> all.addAll(k.levels()));
    all.addAll(ctx.config().features().eventTypes().levelsSet());
    return Optional.of(LevelCodes.of(all));
  }

  private static Built recorded(Built now, Optional<LevelCodes> levels) {
    return levels.map(now::withLevels).orElse(now);
  }

  /** The stored aggregate of some source rows ({@code levels}: those of the rows, for activity). */
  static Dataset<Row> aggregate(
      JobContext ctx, Kind kind, Dataset<Row> source, Optional<LevelCodes> levels) {
    return switch (kind) {
      case ACTIVITY -> decodeLevels(FeaturesJob.daily(ctx, source, levels.orElseThrow()));
      case PURCHASES -> new AggregateDailyPurchases().apply(source);
    };
  }
}
