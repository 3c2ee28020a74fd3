package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.json_object_keys;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.common.table.KernelTables;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.tables.TableSchemas;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.delta.tables.DeltaTable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code churnlake ingest}: for each configured source, loads the files not yet in the ingest
 * ledger (dated on or before the as-of date, when one is given and the source's file names carry
 * dates) into the canonical table of the source's kind, quarantines the records that do not fit
 * with a reason, reconciles read = loaded + quarantined + dropped per file, and records each file
 * in {@code ingested_files}. Each file's rows are replaced as a whole, keyed by source and file, so
 * re-running after a failure at any point never duplicates; the ledger is written last.
 */
public final class IngestJob {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  /** Row counts of one source in one run (zero files when nothing was new). */
  public record SourceResult(
      String source,
      String table,
      int files,
      long rowsRead,
      long rowsLoaded,
      long rowsQuarantined,
      long blankLines,
      long rowsFiltered) {
    /** Records left out on purpose: blank lines and records the source's filter rejects. */
    public long rowsDropped() {
      return blankLines + rowsFiltered;
    }

    /** The reconciliation line: read = loaded + quarantined + dropped (by reason when any). */
    public String reconciliation() {
      return String.format(
          "%s: %d files, %d records read = %d loaded into %s + %d quarantined + %d dropped%s",
          source,
          files,
          rowsRead,
          rowsLoaded,
          table,
          rowsQuarantined,
          rowsDropped(),
          rowsDropped() == 0
              ? ""
              : String.format(" (%d blank_line, %d filtered)", blankLines, rowsFiltered));
    }
  }

  /** What one ingest run did, per source. */
  public record Result(List<SourceResult> sources) {
    public int files() {
      return sources.stream().mapToInt(SourceResult::files).sum();
    }

    public long rowsRead() {
      return sources.stream().mapToLong(SourceResult::rowsRead).sum();
    }

    public long rowsLoaded() {
      return sources.stream().mapToLong(SourceResult::rowsLoaded).sum();
    }

    public long rowsQuarantined() {
      return sources.stream().mapToLong(SourceResult::rowsQuarantined).sum();
    }

    public long rowsDropped() {
      return sources.stream().mapToLong(SourceResult::rowsDropped).sum();
    }
  }

  private static final long KEY_SAMPLE_BYTES = 64 * 1024;
  private static final String LINE_HASH = "_line_hash";

  private IngestJob() {}

  /** The canonical table a kind of source lands in. */
  public static ChurnTable table(SourceSpec.Kind kind) {
    return switch (kind) {
      case EVENTS -> ChurnTable.EVENTS;
      case TRANSACTIONS -> ChurnTable.TRANSACTIONS;
      case CUSTOMERS -> ChurnTable.CUSTOMERS;
    };
  }

  /**
   * @param sourceNames sources to load; empty for {@code churnlake.ingest.sources}
   */
  public static Result run(JobContext ctx, Optional<LocalDate> asOf, List<String> sourceNames) {
    ChurnConfig c = ctx.config();
    List<SourceSpec> specs =
        (sourceNames.isEmpty() ? c.ingest().sources() : sourceNames)
            .stream().map(c::source).collect(Collectors.toList());
    ctx.stage("ingest purge quarantine", () -> purgeQuarantine(ctx));
    List<SourceResult> results = new ArrayList<>();
    for (SourceSpec spec : specs) {
      results.add(ctx.stage("ingest " + spec.name(), () -> ingest(ctx, spec, asOf)));
    }
    return new Result(List.copyOf(results));
  }

  public static Result run(JobContext ctx, Optional<LocalDate> asOf) {
    return run(ctx, asOf, List.of());
  }

  private static boolean purgeQuarantine(JobContext ctx) {
    int days = ctx.config().ingest().quarantineRetentionDays();
    // Most nights nothing is old enough: the files' quarantined_at statistics (read with Delta
    // Kernel from the log, no Spark job) show it, and no DELETE is planned. A file without those
    // statistics (a quarantine table created before they were kept) may hold old rows: then the
    // DELETE runs, as it does when a file's oldest row is past the retention. The cutoff is taken
    // here, a moment before the DELETE's own: a row aged in between is purged the next night.
    long cutoffMillis = System.currentTimeMillis() - days * 86_400_000L;
    Predicate older =
        new Predicate(
            "<",
            new io.delta.kernel.expressions.Column("quarantined_at"),
            Literal.ofTimestamp(Math.multiplyExact(cutoffMillis, 1000L)));
    if (!KernelTables.mayHoldRows(
        ctx.store().location(ChurnTable.QUARANTINE),
        ctx.spark().sessionState().newHadoopConf(),
        older)) {
      LOG.info("quarantine: no file holds rows older than {} days (file statistics)", days);
      return false;
    }
    ctx.store()
        .delete(
            ChurnTable.QUARANTINE,
            "quarantined_at < current_timestamp() - INTERVAL " + days + " DAYS");
    return true;
  }

  private static SourceResult ingest(JobContext ctx, SourceSpec spec, Optional<LocalDate> asOf) {
    Optional<String> hashKey = hashKey(ctx, spec);
    ChurnTable target = table(spec.kind());
    Configuration hadoop = ctx.spark().sparkContext().hadoopConfiguration();
    List<SourceFiles.SourceFile> listed =
        spec.format() == SourceSpec.Format.DELTA
            ? List.of(deltaSnapshot(ctx, spec))
            : SourceFiles.list(spec, hadoop);
    List<SourceFiles.SourceFile> pending = pending(ctx, spec, listed, asOf);
    if (pending.isEmpty()) {
      LOG.info("ingest {}: no new files under {}", spec.name(), spec.path());
      return new SourceResult(spec.name(), target.tableName(), 0, 0, 0, 0, 0, 0);
    }
    // A large batch is worth compiling for even when the tables are still small (a first load).
    ctx.generateCodeFor(
        "ingest " + spec.name(), pending.stream().mapToLong(SourceFiles.SourceFile::size).sum());
    String runId = UUID.randomUUID().toString();
    Parsed parsed = parse(ctx, spec, pending, hadoop);
    String predicate =
        "source = '"
            + spec.name()
            + "' AND "
            + inList(Columns.SOURCE_FILE, pending.stream().map(SourceFiles.SourceFile::name));
    Dataset<Row> judged = new CanonicalRecords(spec, runId, hashKey).apply(parsed.records());
    // A loaded row's text is only needed for its hash and for the key sample: it is dropped before
    // the de-duplication shuffle, so the shuffle and the cache carry it for rejected rows and each
    // file's first 64 KB only (and for columnar sources' rows, whose duplicates have no line to be
    // fetched back from). The rare line duplicates beyond that get theirs back from the files.
    Column textNeeded =
        col(CanonicalRecords.REASON).isNotNull().or(col(ReadLines.OFFSET).lt(KEY_SAMPLE_BYTES));
    Dataset<Row> batch =
        judged
            .withColumn(LINE_HASH, xxhash64(col(ReadLines.OFFSET), col(ReadLines.RECORD)))
            .withColumn(
                ReadLines.RECORD,
                when(textNeeded.or(col(ReadLines.OFFSET).isNull()), col(ReadLines.RECORD)));
    MarkDuplicates dedup = new MarkDuplicates(spec.dedupKey(), target.partitionColumn());
    boolean seenBefore = ctx.store().exists(target) && !spec.dedupKey().isEmpty();
    // When equal keys share a partition value, the table is read for the batch's values only; the
    // batch is cached to learn them without reading the files twice.
    Optional<String> pruneBy = seenBefore ? dedup.clusterColumn() : Optional.empty();
    Optional<Dataset<Row>> batchCache =
        pruneBy.map(c -> batch.persist(StorageLevel.MEMORY_AND_DISK()));
    Optional<Dataset<Row>> existing =
        seenBefore
            ? Optional.of(existingRows(ctx, spec, target, predicate, pruneBy, batch))
            : Optional.empty();
    Dataset<Row> marked =
        dedup
            .apply(batch, existing)
            .withColumn(ReadLines.RECORD, when(textNeeded, col(ReadLines.RECORD)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, FileStats> stats = fileStats(marked);
      batchCache.ifPresent(Dataset::unpersist);
      LOG.info("ingest {}: {} files read, parsed and judged", spec.name(), stats.size());
      Map<String, String> unmapped = unmappedFields(spec, parsed, marked, pending);
      LOG.info("ingest {}: field check done", spec.name());
      for (FileStats s : stats.values()) {
        if (s.malformed() > 0 && s.malformed() == s.read() - s.blank()) {
          throw ChurnErrors.badInputFile(
              spec.name(),
              s.file(),
              "no record parses as "
                  + spec.format().id()
                  + "; check the source's format, delimiter and encoding in churnlake.sources."
                  + spec.name());
        }
        Optional<String> unit = unitMismatch(spec, s.read() - s.dropped(), s.badTime());
        if (unit.isPresent()) {
          throw ChurnErrors.badInputFile(spec.name(), s.file(), unit.get());
        }
      }
      Dataset<Row> rows =
          marked
              .where(CanonicalRecords.loadable())
              .select(
                  CanonicalRecords.tableColumns(judged).stream()
                      .map(n -> col(n))
                      .toArray(Column[]::new));
      String tag = "ingest " + runId + " " + spec.name();
      ctx.store().replaceWhere(target, rows, predicate, tag);
      ctx.store()
          .replaceWhere(
              ChurnTable.QUARANTINE,
              QuarantineRecords.apply(marked, duplicateLines(ctx, spec, pending, stats)),
              predicate,
              tag);
      // What the two commits wrote must be what the batch holds: a lost or partial write fails
      // the run before the ledger marks the files ingested.
      long toLoad = stats.values().stream().mapToLong(FileStats::loaded).sum();
      long toQuarantine = stats.values().stream().mapToLong(FileStats::quarantined).sum();
      // Delta makes no commit for an overwrite with nothing to write or remove: none found is 0.
      long wroteLoaded = Math.max(0, ctx.store().committedRows(target, tag));
      long wroteQuarantined = Math.max(0, ctx.store().committedRows(ChurnTable.QUARANTINE, tag));
      if (wroteLoaded != toLoad || wroteQuarantined != toQuarantine) {
        throw ChurnErrors.reconciliationFailed(
            spec.name() + " (" + pending.size() + " files)",
            stats.values().stream().mapToLong(FileStats::read).sum(),
            wroteLoaded,
            wroteQuarantined,
            stats.values().stream().mapToLong(FileStats::dropped).sum());
      }
      List<Row> ledger = new ArrayList<>();
      long read = 0;
      long inTable = 0;
      long inQuarantine = 0;
      long blank = 0;
      long filtered = 0;
      Timestamp now = Timestamp.from(Instant.now());
      for (SourceFiles.SourceFile f : pending) {
        FileStats s = stats.getOrDefault(f.name(), FileStats.empty(f.name()));
        long l = s.loaded();
        long q = s.quarantined();
        if (s.read() != l + q + s.dropped()) {
          throw ChurnErrors.reconciliationFailed(
              spec.name() + ":" + f.name(), s.read(), l, q, s.dropped());
        }
        read += s.read();
        inTable += l;
        inQuarantine += q;
        blank += s.blank();
        filtered += s.dropped() - s.blank();
        ledger.add(
            RowFactory.create(
                spec.name(),
                f.name(),
                f.path(),
                f.size(),
                new Timestamp(f.modificationTime()),
                f.date().map(Date::valueOf).orElse(null),
                s.hash(),
                runId,
                now,
                s.read(),
                l,
                q,
                s.dropped(),
                s.blank(),
                s.dropped() - s.blank(),
                unmapped.get(f.name())));
      }
      // The ledger is written last: a file counts as ingested only once it reconciles.
      ctx.store()
          .replaceWhere(
              ChurnTable.INGESTED_FILES,
              ctx.spark().createDataFrame(ledger, TableSchemas.INGESTED_FILES),
              "source = '"
                  + spec.name()
                  + "' AND "
                  + inList("file_name", pending.stream().map(SourceFiles.SourceFile::name)));
      SourceResult result =
          new SourceResult(
              spec.name(),
              target.tableName(),
              pending.size(),
              read,
              inTable,
              inQuarantine,
              blank,
              filtered);
      LOG.info("ingest {}", result.reconciliation());
      return result;
    } finally {
      marked.unpersist();
      batchCache.ifPresent(Dataset::unpersist);
    }
  }

  /**
   * The rows of the table a batch's records can duplicate: those of the source's other files; with
   * {@code pruneBy} (the partition column equal keys share, {@link MarkDuplicates#clusterColumn})
   * only those of the partitions the batch's loadable records fall in (partition pruning instead of
   * reading the table's whole history).
   */
  private static Dataset<Row> existingRows(
      JobContext ctx,
      SourceSpec spec,
      ChurnTable target,
      String batchFiles,
      Optional<String> pruneBy,
      Dataset<Row> batch) {
    Dataset<Row> others =
        ctx.store()
            .read(target)
            .where("source = '" + spec.name() + "' AND NOT (" + batchFiles + ")");
    if (pruneBy.isEmpty()) {
      return others;
    }
    String column = pruneBy.get();
    // One value per partition (a day), not per customer: driver-sized. No value: nothing to read.
    Object[] values =
        batch
            .where(CanonicalRecords.loadable().and(col(column).isNotNull()))
            .select(column)
            .distinct()
            .collectAsList()
            .stream()
            .map(r -> r.get(0))
            .toArray();
    return others.where(values.length == 0 ? lit(false) : col(column).isin(values));
  }

  /**
   * The lines of the files holding duplicates whose text was dropped before the shuffle (beyond the
   * key sample), for {@link QuarantineRecords} to take their text from; none when every quarantined
   * row kept its text (the usual batch: duplicates are rare).
   */
  private static Optional<Dataset<Row>> duplicateLines(
      JobContext ctx,
      SourceSpec spec,
      List<SourceFiles.SourceFile> pending,
      Map<String, FileStats> stats) {
    List<String> paths =
        pending.stream()
            .filter(f -> stats.containsKey(f.name()) && stats.get(f.name()).untexted() > 0)
            .map(SourceFiles.SourceFile::path)
            .collect(Collectors.toList());
    if (paths.isEmpty()) {
      return Optional.empty();
    }
    LOG.info(
        "ingest {}: re-reading {} files for the text of duplicates beyond the key sample",
        spec.name(),
        paths.size());
    return Optional.of(ReadLines.read(ctx.spark(), paths, spec.encoding()));
  }

  private static Optional<String> hashKey(JobContext ctx, SourceSpec spec) {
    boolean needed =
        spec.pseudonymiseCustomerId()
            || (spec.personalMode() == SourceSpec.PersonalMode.HASH && !spec.personal().isEmpty());
    if (!needed) {
      return Optional.empty();
    }
    String variable = ctx.config().ingest().hashKeyEnv();
    String key = System.getenv(variable);
    if (key == null || key.length() < 16) {
      throw ChurnErrors.missingHashKey(variable, spec.name());
    }
    return Optional.of(key);
  }

  /** Files not yet in the ledger, and changed ones when the configuration reloads them. */
  private static List<SourceFiles.SourceFile> pending(
      JobContext ctx,
      SourceSpec spec,
      List<SourceFiles.SourceFile> listed,
      Optional<LocalDate> asOf) {
    Map<String, Row> done = new HashMap<>();
    if (ctx.store().exists(ChurnTable.INGESTED_FILES)) {
      // One row per file of this source, not per customer: driver-sized.
      for (Row r :
          ctx.store()
              .read(ChurnTable.INGESTED_FILES)
              .where(col("source").equalTo(spec.name()))
              .select("file_name", "file_size", "file_modified")
              .collectAsList()) {
        done.put(r.getString(0), r);
      }
    }
    List<SourceFiles.SourceFile> out = new ArrayList<>();
    for (SourceFiles.SourceFile f : listed) {
      if (asOf.isPresent() && f.date().isPresent() && f.date().get().isAfter(asOf.get())) {
        continue;
      }
      Row before = done.get(f.name());
      if (before == null) {
        out.add(f);
        continue;
      }
      boolean changed =
          before.getLong(1) != f.size() || before.getTimestamp(2).getTime() != f.modificationTime();
      if (!changed) {
        continue;
      }
      if (spec.format() == SourceSpec.Format.DELTA
          || ctx.config().ingest().onChangedFile() == ChurnConfig.OnChangedFile.RELOAD) {
        LOG.warn(
            "ingest {}: file {} changed since it was ingested; reloading it",
            spec.name(),
            f.name());
        out.add(f);
      } else {
        throw ChurnErrors.changedFile(
            spec.name(), f.name(), before.getLong(1), f.size(), "churnlake.ingest.on-changed-file");
      }
    }
    return out;
  }

  /** A Delta source is one snapshot: its version plays the file's size, so a new one reloads. */
  private static SourceFiles.SourceFile deltaSnapshot(JobContext ctx, SourceSpec spec) {
    if (!DeltaTable.isDeltaTable(ctx.spark(), spec.path())) {
      throw ChurnErrors.inputPathMissing(
          spec.path(), "Delta table of source '" + spec.name() + "'");
    }
    Row last =
        DeltaTable.forPath(ctx.spark(), spec.path())
            .history(1)
            .select("version", "timestamp")
            .head();
    return new SourceFiles.SourceFile(
        "delta-table",
        spec.path(),
        last.getLong(0),
        last.getTimestamp(1).getTime(),
        Optional.empty());
  }

  /** The parsed records of a batch, and the fields each file offered (for reporting). */
  private record Parsed(Dataset<Row> records, Map<String, List<String>> fieldsPerFile) {}

  private static Parsed parse(
      JobContext ctx, SourceSpec spec, List<SourceFiles.SourceFile> files, Configuration hadoop) {
    List<String> referenced = referencedFields(spec);
    Map<String, List<String>> fieldsPerFile = new LinkedHashMap<>();
    switch (spec.format()) {
      case JSON, TEXT -> {
        Dataset<Row> lines = ReadLines.read(ctx.spark(), paths(files), spec.encoding());
        List<String> fields = spec.format() == SourceSpec.Format.JSON ? List.of() : spec.fields();
        return new Parsed(new ParseRecords(spec, fields).apply(lines), fieldsPerFile);
      }
      case CSV -> {
        Dataset<Row> lines = ReadLines.read(ctx.spark(), paths(files), spec.encoding());
        if (!spec.header()) {
          return new Parsed(new ParseRecords(spec, spec.fields()).apply(lines), fieldsPerFile);
        }
        Map<List<String>, List<String>> filesByHeader = new LinkedHashMap<>();
        for (SourceFiles.SourceFile f : files) {
          Optional<String> header = ReadLines.firstLine(hadoop, f.path(), spec.encoding());
          if (header.isEmpty()) {
            continue; // an empty file: no records
          }
          List<String> fields = headerFields(header.get(), spec);
          for (String field : referenced) {
            if (!fields.contains(field)) {
              throw ChurnErrors.badInputFile(
                  spec.name(), f.name(), missingHeaderColumn(spec, field, fields));
            }
          }
          fieldsPerFile.put(f.name(), fields);
          filesByHeader.computeIfAbsent(fields, k -> new ArrayList<>()).add(f.name());
        }
        Dataset<Row> out = null;
        for (Map.Entry<List<String>, List<String>> group : filesByHeader.entrySet()) {
          Dataset<Row> part =
              new ParseRecords(spec, group.getKey())
                  .apply(lines.where(col(ReadLines.FILE).isin(group.getValue().toArray())));
          out = out == null ? part : out.unionByName(part, true);
        }
        if (out == null) {
          out = new ParseRecords(spec, spec.fields()).apply(lines.limit(0));
        }
        return new Parsed(out, fieldsPerFile);
      }
      case PARQUET, DELTA -> {
        Dataset<Row> table =
            spec.format() == SourceSpec.Format.PARQUET
                ? ctx.spark().read().parquet(paths(files).toArray(new String[0]))
                : ctx.spark().read().format("delta").load(spec.path());
        List<String> available = List.of(table.columns());
        for (String field : referenced) {
          if (!available.contains(field)) {
            throw ChurnErrors.badInputFile(
                spec.name(),
                files.get(0).name(),
                "it has no column '" + field + "' (columns: " + available + ")");
          }
        }
        Column file =
            spec.format() == SourceSpec.Format.PARQUET
                ? col("_metadata.file_name")
                : lit(files.get(0).name());
        List<Column> out = new ArrayList<>();
        out.add(file.as(ReadLines.FILE));
        out.add(lit(null).cast(DataTypes.LongType).as(ReadLines.OFFSET));
        out.add(
            to_json(struct(available.stream().map(n -> col("`" + n + "`")).toArray(Column[]::new)))
                .as(ReadLines.RECORD));
        out.add(lit(false).as(ReadLines.BAD_ENCODING));
        out.add(lit(false).as(ParseRecords.BLANK));
        out.add(lit(false).as(ParseRecords.MALFORMED));
        for (String f : ParseRecords.sourceFields(spec)) {
          out.add(
              available.contains(f)
                  ? col("`" + f + "`").cast(DataTypes.StringType).as(f)
                  : lit(null).cast(DataTypes.StringType).as(f));
        }
        files.forEach(f -> fieldsPerFile.put(f.name(), available));
        return new Parsed(table.select(out.toArray(new Column[0])), fieldsPerFile);
      }
      default -> throw new IllegalStateException(spec.format().toString());
    }
  }

  /** Fields a record must offer: those mapped to canonical columns and attributes. */
  private static List<String> referencedFields(SourceSpec spec) {
    List<String> out = new ArrayList<>(spec.columns().values());
    spec.attributes().forEach(a -> out.add(a.from()));
    spec.churnFlag().ifPresent(f -> out.add(f.field()));
    return out;
  }

  /** A CSV header's field names (quotes removed). */
  static List<String> headerFields(String header, SourceSpec spec) {
    String quote = spec.quote();
    List<String> out = new ArrayList<>();
    for (String part : header.split(java.util.regex.Pattern.quote(spec.delimiter()), -1)) {
      String p = part.trim();
      if (!quote.isEmpty() && p.length() >= 2 && p.startsWith(quote) && p.endsWith(quote)) {
        p = p.substring(1, p.length() - 1);
      }
      out.add(p);
    }
    return out;
  }

  /**
   * Per file: fields offered but not read (a new column upstream), reported so that a user can map
   * it. JSON keys are collected from the batch: one row per distinct key.
   */
  private static Map<String, String> unmappedFields(
      SourceSpec spec, Parsed parsed, Dataset<Row> marked, List<SourceFiles.SourceFile> files) {
    List<String> read = ParseRecords.sourceFields(spec);
    Map<String, String> out = new HashMap<>();
    Map<String, List<String>> offered = new HashMap<>(parsed.fieldsPerFile());
    if (spec.format() == SourceSpec.Format.JSON) {
      List<String> keys = new ArrayList<>();
      for (Row r :
          marked
              // The keys of each file's first 64 KB of records: enough to see a new field
              // without parsing the whole batch a second time.
              .where(col(ReadLines.OFFSET).lt(KEY_SAMPLE_BYTES))
              .select(explode(json_object_keys(col(ReadLines.RECORD))).as("k"))
              .distinct()
              .collectAsList()) {
        keys.add(r.getString(0));
      }
      for (String required : List.of("customer_id", "event_time", "event_type", "order_id")) {
        Optional<String> field = spec.field(required);
        if (field.isPresent() && !keys.isEmpty() && !keys.contains(field.get())) {
          throw ChurnErrors.badInputFile(
              spec.name(),
              files.size() == 1 ? files.get(0).name() : files.size() + " files",
              "no record has the mapped field '" + field.get() + "' (fields seen: " + keys + ")");
        }
      }
      files.forEach(f -> offered.put(f.name(), keys));
    }
    TreeSet<String> all = new TreeSet<>();
    for (Map.Entry<String, List<String>> e : offered.entrySet()) {
      List<String> extra =
          e.getValue().stream()
              .filter(f -> !read.contains(f))
              .sorted()
              .collect(Collectors.toList());
      if (!extra.isEmpty()) {
        out.put(e.getKey(), String.join(",", extra));
        all.addAll(extra);
      }
    }
    if (!all.isEmpty()) {
      LOG.warn(
          "ingest {}: fields not mapped (add them under attributes to load them): {}",
          spec.name(),
          all);
    }
    return out;
  }

  /** Per-file counts and content hash from the judged batch: one row per file. */
  private record FileStats(
      String file,
      long read,
      long blank,
      long malformed,
      long loaded,
      long quarantined,
      long dropped,
      Long hash,
      long untexted,
      long badTime) {
    static FileStats empty(String file) {
      return new FileStats(file, 0, 0, 0, 0, 0, 0, null, 0, 0);
    }
  }

  /**
   * Why a CSV header lacks a mapped column. The header is quoted only when each of its fields looks
   * like a column name: a first line that is a record (a JSON file given to a CSV source) would put
   * its values, personal ones included, into the message and the run ledger.
   */
  static String missingHeaderColumn(SourceSpec spec, String field, List<String> header) {
    boolean looksLikeHeader =
        header.stream().allMatch(f -> f.matches("[\\p{L}_][\\p{L}\\p{N}_ .()/#-]{0,63}"));
    return "its header lacks the mapped column '"
        + field
        + "' ("
        + (looksLikeHeader
            ? "header: " + header
            : "its first line, "
                + header.size()
                + " fields, does not look like a header: is the file CSV with the delimiter '"
                + spec.delimiter()
                + "'?")
        + ")";
  }

  /** The reasons of a time that parsed to no plausible moment. */
  static final List<String> BAD_TIME =
      List.of(
          "unparseable_event_time",
          "event_time_before_1970",
          "event_time_before_earliest_date",
          "event_time_in_future");

  /**
   * A file whose every record has an implausible epoch time was written in the other unit (seconds
   * read as milliseconds land in January 1970; milliseconds read as seconds, thousands of years
   * ahead): the message names the key to change, not a quarantine of the whole file.
   */
  static Optional<String> unitMismatch(SourceSpec spec, long records, long badTime) {
    if (records == 0 || badTime != records || !spec.timeFormat().startsWith("epoch-")) {
      return Optional.empty();
    }
    String other = spec.timeFormat().equals("epoch-millis") ? "epoch-seconds" : "epoch-millis";
    return Optional.of(
        "every record's time is implausible as "
            + spec.timeFormat()
            + " (before "
            + spec.earliestDate()
            + " or in the future); if the file holds "
            + other
            + ", set churnlake.sources."
            + spec.name()
            + ".time-format = "
            + other
            + " (or an earlier churnlake.sources."
            + spec.name()
            + ".earliest-date if such times are real)");
  }

  private static Map<String, FileStats> fileStats(Dataset<Row> marked) {
    Column reason = col(CanonicalRecords.REASON);
    Column drop = col(CanonicalRecords.DROP);
    Map<String, FileStats> out = new HashMap<>();
    for (Row r :
        marked
            .groupBy(Columns.SOURCE_FILE)
            .agg(
                count(lit(1)),
                sum(when(drop.equalTo("blank_line"), 1).otherwise(0)),
                sum(when(reason.startsWith("malformed_"), 1).otherwise(0)),
                sum(when(reason.isNull().and(drop.isNull()), 1).otherwise(0)),
                sum(when(reason.isNotNull(), 1).otherwise(0)),
                sum(when(drop.isNotNull(), 1).otherwise(0)),
                // Order-independent: the sum of the lines' hashes (with their offsets).
                sum(col(LINE_HASH)),
                // Duplicates whose text was dropped before the shuffle: their files are re-read.
                sum(
                    when(
                            reason
                                .equalTo(MarkDuplicates.DUPLICATE)
                                .and(col(ReadLines.RECORD).isNull()),
                            1)
                        .otherwise(0)),
                sum(when(reason.isin(BAD_TIME.toArray()), 1).otherwise(0)))
            .collectAsList()) {
      String file = r.getString(0);
      out.put(
          file,
          new FileStats(
              file,
              r.getLong(1),
              r.getLong(2),
              r.getLong(3),
              r.getLong(4),
              r.getLong(5),
              r.getLong(6),
              r.isNullAt(7) ? null : r.getLong(7),
              r.getLong(8),
              r.getLong(9)));
    }
    return out;
  }

  private static List<String> paths(List<SourceFiles.SourceFile> files) {
    return files.stream().map(SourceFiles.SourceFile::path).collect(Collectors.toList());
  }

  private static String inList(String column, java.util.stream.Stream<String> values) {
    return column
        + " IN ("
        + values.map(v -> "'" + v.replace("'", "''") + "'").collect(Collectors.joining(", "))
        + ")";
  }
}
