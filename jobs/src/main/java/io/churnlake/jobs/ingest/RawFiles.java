package io.churnlake.jobs.ingest;

import io.churnlake.common.errors.ChurnErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Lists the dated raw files ({@code events-YYYY-MM-DD.json}) of a log directory. */
final class RawFiles {
  static final Pattern NAME = Pattern.compile("events-(\\d{4}-\\d{2}-\\d{2})\\.json");

  /** A raw file and the date in its name. */
  record RawFile(String name, String path, LocalDate date) {}

  private RawFiles() {}

  static List<RawFile> list(String directory, Configuration hadoop) {
    Path dir = new Path(directory);
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
        throw ChurnErrors.inputPathMissing(
            directory, "raw event log directory, churnlake.ingest.events-path");
      }
      List<RawFile> files = new ArrayList<>();
      for (FileStatus status : fs.listStatus(dir)) {
        Matcher m = NAME.matcher(status.getPath().getName());
        if (status.isFile() && m.matches()) {
          files.add(
              new RawFile(
                  status.getPath().getName(),
                  status.getPath().toString(),
                  parse(m.group(1), status)));
        }
      }
      files.sort(Comparator.comparing(RawFile::date));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LocalDate parse(String date, FileStatus status) {
    try {
      return LocalDate.parse(date);
    } catch (DateTimeParseException e) {
      throw ChurnErrors.badOption(
          "raw file name", status.getPath(), "events-YYYY-MM-DD.json with a real date");
    }
  }
}
