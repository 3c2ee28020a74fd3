package io.churnlake.jobs.ingest;

import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.errors.ChurnErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;

/**
 * Lists a source's input files: every file directly under its path whose name matches its file
 * pattern (or the path itself when it is a file), with size, modification time and the date in the
 * name when the source says where it is. One entry per file, not per record: driver-sized.
 */
final class SourceFiles {
  /** One input file; {@code name} is relative to the source path and keys the ingest ledger. */
  record SourceFile(
      String name, String path, long size, long modificationTime, Optional<LocalDate> date) {}

  private SourceFiles() {}

  static List<SourceFile> list(SourceSpec spec, Configuration hadoop) {
    Path root = new Path(spec.path());
    Optional<Pattern> datePattern = spec.fileDate().map(Pattern::compile);
    try {
      FileSystem fs = root.getFileSystem(hadoop);
      if (!fs.exists(root)) {
        throw ChurnErrors.inputPathMissing(
            spec.path(),
            "source '" + spec.name() + "', churnlake.sources." + spec.name() + ".path");
      }
      FileStatus[] statuses;
      if (fs.getFileStatus(root).isDirectory()) {
        statuses = fs.listStatus(root, new GlobFilter(spec.filePattern()));
      } else {
        statuses = new FileStatus[] {fs.getFileStatus(root)};
      }
      List<SourceFile> files = new ArrayList<>();
      for (FileStatus status : statuses) {
        String name = status.getPath().getName();
        if (!status.isFile() || name.startsWith(".") || name.startsWith("_")) {
          continue;
        }
        Optional<LocalDate> date = Optional.empty();
        if (datePattern.isPresent()) {
          Matcher m = datePattern.get().matcher(name);
          if (!m.find() || m.groupCount() < 1) {
            throw ChurnErrors.badInputFile(
                spec.name(),
                name,
                "its name has no date matching file-date " + spec.fileDate().get());
          }
          date = Optional.of(parse(spec, name, m.group(1)));
        }
        files.add(
            new SourceFile(
                name,
                status.getPath().toString(),
                status.getLen(),
                status.getModificationTime(),
                date));
      }
      files.sort(
          Comparator.comparing((SourceFile f) -> f.date().orElse(LocalDate.MIN))
              .thenComparing(SourceFile::name));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LocalDate parse(SourceSpec spec, String name, String date) {
    try {
      return LocalDate.parse(date);
    } catch (DateTimeParseException e) {
      throw ChurnErrors.badInputFile(
          spec.name(), name, "the date '" + date + "' in its name is not a yyyy-MM-dd date");
    }
  }
}
