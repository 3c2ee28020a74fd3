package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.Columns;
import io.churnlake.jobs.JobContext;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
  public static IngestResult run(
      JobContext ctx, Optional<LocalDate> asOf, List<String> sourceNames) {
    return run(ctx, asOf, sourceNames, Optional.empty());
  }

  /**
   * A dry run: the pending files are read, judged and de-duplicated as {@link #run} does, and
   * {@code preview} describes the outcome; nothing is written (no table, ledger row or purge).
   */
  public static IngestResult preview(
      JobContext ctx, Optional<LocalDate> asOf, List<String> sourceNames, IngestPreview preview) {
    return run(ctx, asOf, sourceNames, Optional.of(preview));
  }

  private static IngestResult run(
      JobContext ctx,
      Optional<LocalDate> asOf,
      List<String> sourceNames,
      Optional<IngestPreview> preview) {
    ChurnConfig c = ctx.config();
    List<SourceSpec> specs =
        (sourceNames.isEmpty() ? c.ingest().sources() : sourceNames)
            .stream().map(c::source).collect(Collectors.toList());
    if (preview.isEmpty()) {
      ctx.stage("ingest purge quarantine", () -> QuarantinePurge.run(ctx));
    }
    List<SourceResult> results = new ArrayList<>();
    for (SourceSpec spec : specs) {
      results.add(ctx.stage("ingest " + spec.name(), () -> ingest(ctx, spec, asOf, preview)));
    }
    return new IngestResult(List.copyOf(results));
  }

  public static IngestResult run(JobContext ctx, Optional<LocalDate> asOf) {
    return run(ctx, asOf, List.of());
  }

  /** A source's batch in one run: its files, what they parse to, judged, and marked for loading. */
  private record Batch(
      List<SourceFiles.SourceFile> files,
      List<CorruptFiles.Corrupt> corrupt,
      SourceReader.Parsed parsed,
      Dataset<Row> judged,
      Dataset<Row> marked,
      String predicate,
      String runId) {}

  private static SourceResult ingest(
      JobContext ctx, SourceSpec spec, Optional<LocalDate> asOf, Optional<IngestPreview> preview) {
    Optional<String> hashKey = hashKey(ctx, spec);
    ChurnTable target = table(spec.kind());
    List<SourceFiles.SourceFile> listed = PendingFiles.of(ctx, spec, asOf);
    preview.ifPresent(p -> p.source(spec, target, listed.size()));
    if (listed.isEmpty()) {
      LOG.info("ingest {}: no new files under {}", spec.name(), spec.path());
      return new SourceResult(spec.name(), target.tableName(), 0, 0, 0, 0, 0, 0);
    }
    String runId = UUID.randomUUID().toString();
    List<CorruptFiles.Corrupt> corrupt = CorruptFiles.find(ctx, listed);
    corrupt.forEach(
        c -> LOG.warn("ingest {}: file {} {}", spec.name(), c.file().name(), c.describe()));
    List<SourceFiles.SourceFile> pending = new ArrayList<>(listed);
    corrupt.forEach(c -> pending.remove(c.file()));
    if (pending.isEmpty()) {
      return preview.isPresent()
          ? preview.get().onlyCorrupt(spec, target, CorruptFiles.lines(corrupt))
          : CorruptFiles.quarantineOnly(ctx, spec, target, corrupt, ofFiles(spec, listed), runId);
    }
    String predicate = ofFiles(spec, pending);
    // A large batch is worth compiling for even when the tables are still small (a first load).
    ctx.generateCodeFor(
        "ingest " + spec.name(), pending.stream().mapToLong(SourceFiles.SourceFile::size).sum());
    SourceReader.Parsed parsed =
        SourceReader.parse(ctx, spec, pending, ctx.spark().sparkContext().hadoopConfiguration());
    Dataset<Row> judged = new CanonicalRecords(spec, runId, hashKey).apply(parsed.records());
    Marked marked = mark(ctx, spec, target, judged, predicate);
    try {
      if (preview.isPresent()) {
        return preview
            .get()
            .describe(
                spec, target, pending, CorruptFiles.lines(corrupt), parsed, judged, marked.rows());
      }
      return load(
          ctx,
          spec,
          target,
          new Batch(pending, corrupt, parsed, judged, marked.rows(), predicate, runId),
          marked.batchCache());
    } finally {
      marked.rows().unpersist();
      marked.batchCache().ifPresent(Dataset::unpersist);
    }
  }

  /** The judged batch with its duplicates marked (persisted), and the cache it was read through. */
  private record Marked(Dataset<Row> rows, Optional<Dataset<Row>> batchCache) {}

  /**
   * Marks the duplicates of a judged batch, within it and against the rows the table already holds
   * for the batch's keys, carrying each row's text only where it may be needed.
   */
  private static Marked mark(
      JobContext ctx, SourceSpec spec, ChurnTable target, Dataset<Row> judged, String predicate) {
    Column textNeeded = textNeeded();
    Dataset<Row> batch =
        judged
            .withColumn(FileStats.LINE_HASH, xxhash64(col(ReadLines.OFFSET), col(ReadLines.RECORD)))
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
            ? Optional.of(
                DuplicateSources.existingRows(ctx, spec, target, predicate, pruneBy, batch))
            : Optional.empty();
    Dataset<Row> marked =
        dedup
            .apply(batch, existing)
            .withColumn(ReadLines.RECORD, when(textNeeded, col(ReadLines.RECORD)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new Marked(marked, batchCache);
  }

  /**
   * Whether a judged row keeps its text through the de-duplication shuffle. A loaded row's text is
   * only needed for its hash and for the key sample: it is dropped before the shuffle, so the
   * shuffle and the cache carry it for rejected rows and each file's first 64 KB only (and for
   * columnar sources' rows, whose duplicates have no line to be fetched back from). The rare line
   * duplicates beyond that get theirs back from the files.
   */
  private static Column textNeeded() {
    return col(CanonicalRecords.REASON)
        .isNotNull()
        .or(col(ReadLines.OFFSET).lt(SourceReader.KEY_SAMPLE_BYTES));
  }

  /**
   * Checks a marked batch's files, replaces their rows in the target table and in quarantine (one
   * commit each, tagged with the run), reconciles what the commits wrote with what the batch holds,
   * and records the files in the ledger last.
   */
  private static SourceResult load(
      JobContext ctx,
      SourceSpec spec,
      ChurnTable target,
      Batch batch,
      Optional<Dataset<Row>> batchCache) {
    Map<String, FileStats> stats = FileStats.of(batch.marked());
    batchCache.ifPresent(Dataset::unpersist);
    LOG.info("ingest {}: {} files read, parsed and judged", spec.name(), stats.size());
    Map<String, String> unmapped =
        SourceReader.unmappedFields(spec, batch.parsed(), batch.marked(), batch.files());
    LOG.info("ingest {}: field check done", spec.name());
    FileStats.check(spec, stats.values());
    Dataset<Row> rows =
        batch
            .marked()
            .where(CanonicalRecords.loadable())
            .select(
                CanonicalRecords.tableColumns(batch.judged()).stream()
                    .map(n -> col(n))
                    .toArray(Column[]::new));
    String tag = "ingest " + batch.runId() + " " + spec.name();
    ctx.store().replaceWhere(target, rows, batch.predicate(), tag);
    ctx.store()
        .replaceWhere(
            ChurnTable.QUARANTINE,
            QuarantineRecords.apply(
                    batch.marked(),
                    DuplicateSources.duplicateLines(ctx, spec, batch.files(), stats))
                .unionByName(
                    CorruptFiles.quarantineRows(ctx, spec.name(), batch.runId(), batch.corrupt())),
            ofFiles(spec, listed(batch)),
            tag);
    // What the two commits wrote must be what the batch holds: a lost or partial write fails
    // the run before the ledger marks the files ingested.
    long toLoad = stats.values().stream().mapToLong(FileStats::loaded).sum();
    long toQuarantine =
        stats.values().stream().mapToLong(FileStats::quarantined).sum() + batch.corrupt().size();
    // Delta makes no commit for an overwrite with nothing to write or remove: none found is 0.
    long wroteLoaded = Math.max(0, ctx.store().committedRows(target, tag));
    long wroteQuarantined = Math.max(0, ctx.store().committedRows(ChurnTable.QUARANTINE, tag));
    if (wroteLoaded != toLoad || wroteQuarantined != toQuarantine) {
      throw ChurnErrors.reconciliationFailed(
          spec.name() + " (" + batch.files().size() + " files)",
          stats.values().stream().mapToLong(FileStats::read).sum(),
          wroteLoaded,
          wroteQuarantined,
          stats.values().stream().mapToLong(FileStats::dropped).sum());
    }
    return IngestLedger.record(
        ctx,
        spec,
        target,
        batch.files(),
        stats,
        unmapped,
        batch.runId(),
        CorruptFiles.lines(batch.corrupt()));
  }

  /**
   * The rows of a source's files. A corrupt file's quarantine row is replaced like a file's rows;
   * rows an earlier, readable version of it loaded stay, as its ledger row does.
   */
  private static String ofFiles(SourceSpec spec, List<SourceFiles.SourceFile> files) {
    return "source = '"
        + spec.name()
        + "' AND "
        + inList(Columns.SOURCE_FILE, files.stream().map(SourceFiles.SourceFile::name));
  }

  private static List<SourceFiles.SourceFile> listed(Batch batch) {
    List<SourceFiles.SourceFile> all = new ArrayList<>(batch.files());
    batch.corrupt().forEach(c -> all.add(c.file()));
    return all;
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

  static String inList(String column, java.util.stream.Stream<String> values) {
    return column
        + " IN ("
        + values.map(v -> "'" + v.replace("'", "''") + "'").collect(Collectors.joining(", "))
        + ")";
  }
}
