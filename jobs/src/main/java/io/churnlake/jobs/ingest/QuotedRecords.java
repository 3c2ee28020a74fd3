package io.churnlake.jobs.ingest;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import scala.Tuple2;

/**
 * A CSV file's lines joined into records (RFC 4180): a line that ends inside a quoted field
 * continues on the next, joined by a line feed, and the record keeps its first line's byte offset.
 * A field is quoted only when it starts with the quote character; inside it, a doubled quote is one
 * quote character. Quotes inside an unquoted field ({@code 12" VINYL}) are ordinary characters.
 *
 * <p>A quote that is never closed would swallow the rest of the file: a record spans at most {@link
 * #MAX_LINES} lines and {@link #MAX_BYTES} bytes; beyond that (or at the end of the file) its first
 * line is a record of its own (malformed, an unterminated quote) and the lines after it are read
 * again as records. Bytes are compared, so the encoding must be ASCII-compatible, as sources
 * require.
 */
final class QuotedRecords implements Iterator<Tuple2<LongWritable, Text>> {
  static final int MAX_LINES = 1_000;
  static final int MAX_BYTES = 1 << 20;

  /** The delimiter, quote and escape characters of a CSV source (checked ASCII by the config). */
  record Syntax(byte delimiter, byte quote, byte escape) implements Serializable {
    Syntax(String delimiter, String quote, String escape) {
      this(ascii(delimiter, "delimiter"), ascii(quote, "quote"), ascii(escape, "escape"));
    }

    private static byte ascii(String c, String what) {
      if (c.length() != 1 || c.charAt(0) > 127) {
        throw new IllegalArgumentException("a CSV " + what + " is one ASCII character: " + c);
      }
      return (byte) c.charAt(0);
    }
  }

  private record Line(long offset, byte[] bytes) {}

  private final Iterator<Tuple2<LongWritable, Text>> lines;
  private final Syntax syntax;
  private final Deque<Line> again = new ArrayDeque<>();

  QuotedRecords(Iterator<Tuple2<LongWritable, Text>> lines, Syntax syntax) {
    this.lines = lines;
    this.syntax = syntax;
  }

  @Override
  public boolean hasNext() {
    return !again.isEmpty() || lines.hasNext();
  }

  @Override
  public Tuple2<LongWritable, Text> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Line first = take();
    Scan scan = new Scan(syntax);
    if (!scan.line(first.bytes())) {
      return tuple(first.offset(), first.bytes());
    }
    List<Line> span = new ArrayList<>();
    span.add(first);
    long bytes = first.bytes().length;
    boolean open = true;
    while (open && span.size() < MAX_LINES && bytes < MAX_BYTES && hasNext()) {
      Line l = take();
      span.add(l);
      bytes += l.bytes().length + 1;
      open = scan.line(l.bytes());
    }
    if (open) {
      // Never closed within the limits: the first line alone; the others are records again.
      for (int i = span.size() - 1; i >= 1; i--) {
        again.addFirst(span.get(i));
      }
      return tuple(first.offset(), first.bytes());
    }
    byte[] record = new byte[(int) bytes];
    int at = 0;
    for (Line l : span) {
      if (at > 0) {
        record[at++] = '\n';
      }
      System.arraycopy(l.bytes(), 0, record, at, l.bytes().length);
      at += l.bytes().length;
    }
    return tuple(first.offset(), record);
  }

  /** The next line, copied: Hadoop's reader reuses its objects. */
  private Line take() {
    if (!again.isEmpty()) {
      return again.removeFirst();
    }
    Tuple2<LongWritable, Text> t = lines.next();
    return new Line(t._1().get(), Arrays.copyOf(t._2().getBytes(), t._2().getLength()));
  }

  private static Tuple2<LongWritable, Text> tuple(long offset, byte[] bytes) {
    return new Tuple2<>(new LongWritable(offset), new Text(bytes));
  }

  /** The quoting state across the lines of one record. */
  static final class Scan {
    private final Syntax syntax;
    private boolean quoted;
    private boolean quoteSeen; // inside a quoted field: a quote that closes it or doubles
    private boolean fieldStart = true;
    private boolean escaped; // inside a quoted field, after an escape other than the quote

    Scan(Syntax syntax) {
      this.syntax = syntax;
    }

    /** Reads one line; true when the record continues on the next line (a quoted field is open). */
    boolean line(byte[] bytes) {
      for (byte b : bytes) {
        if (quoted && escaped) {
          escaped = false; // the character after an escape is part of the field
          continue;
        }
        if (quoted && syntax.escape() != syntax.quote() && b == syntax.escape()) {
          escaped = true;
          continue;
        }
        if (quoted) {
          if (quoteSeen) {
            quoteSeen = false;
            if (b == syntax.quote()) {
              continue; // a doubled quote: one quote character, still inside
            }
            quoted = false; // the quote closed the field; b follows it
          } else {
            if (b == syntax.quote()) {
              quoteSeen = true;
            }
            continue;
          }
        }
        if (fieldStart && b == syntax.quote()) {
          quoted = true;
          fieldStart = false;
        } else {
          fieldStart = b == syntax.delimiter();
        }
      }
      if (quoted && quoteSeen) {
        quoted = false; // the line's last quote closed the field
        quoteSeen = false;
      }
      fieldStart = false;
      return quoted;
    }
  }
}
