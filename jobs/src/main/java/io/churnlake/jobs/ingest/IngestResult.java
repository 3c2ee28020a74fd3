package io.churnlake.jobs.ingest;

import java.util.List;

/** What one ingest run did, per source. */
public record IngestResult(List<SourceResult> sources) {
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
