package io.churnlake.jobs.ingest;

import java.util.List;

/** Row counts of one source in one run (zero files when nothing was new). */
public record SourceResult(
    String source,
    String table,
    int files,
    long rowsRead,
    long rowsLoaded,
    long rowsQuarantined,
    long blankLines,
    long rowsFiltered,
    List<String> corruptFiles) {
  public SourceResult {
    corruptFiles = List.copyOf(corruptFiles);
  }

  /** A source's counts with no corrupt file. */
  public SourceResult(
      String source,
      String table,
      int files,
      long rowsRead,
      long rowsLoaded,
      long rowsQuarantined,
      long blankLines,
      long rowsFiltered) {
    this(
        source,
        table,
        files,
        rowsRead,
        rowsLoaded,
        rowsQuarantined,
        blankLines,
        rowsFiltered,
        List.of());
  }

  /** Records left out on purpose: blank lines and records the source's filter rejects. */
  public long rowsDropped() {
    return blankLines + rowsFiltered;
  }

  /**
   * The reconciliation line: read = loaded + quarantined + dropped (by reason when any), then one
   * line per corrupt file (not counted in the files or records: none of its records was read).
   */
  public String reconciliation() {
    StringBuilder corrupt = new StringBuilder();
    for (String c : corruptFiles) {
      corrupt.append(System.lineSeparator()).append(source).append(": file ").append(c);
    }
    return records() + corrupt;
  }

  private String records() {
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
