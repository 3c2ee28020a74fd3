package io.churnlake.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * Invariant: CSV lines join into RFC 4180 records exactly when a quoted field is open at a line's
 * end, each record at its first line's offset, and no line is lost or read twice: an unterminated
 * quote gives its own line back and the lines after it are records again. No Spark.
 */
class QuotedRecordsTest {
  private static final QuotedRecords.Syntax CSV = new QuotedRecords.Syntax(",", "\"", "\"");

  /** "offset:text" of each record of the lines (offsets as a reader gives them). */
  private static List<String> records(String... lines) {
    List<Tuple2<LongWritable, Text>> in = new ArrayList<>();
    long offset = 0;
    Text reused = new Text();
    LongWritable key = new LongWritable();
    List<Tuple2<LongWritable, Text>> copies = new ArrayList<>();
    for (String l : lines) {
      copies.add(new Tuple2<>(new LongWritable(offset), new Text(l)));
      offset += l.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    // Hadoop's reader hands out the same objects for every line: so does this one.
    java.util.Iterator<Tuple2<LongWritable, Text>> reusing =
        copies.stream()
            .map(
                t -> {
                  key.set(t._1().get());
                  reused.set(t._2());
                  return new Tuple2<>(key, reused);
                })
            .iterator();
    List<String> out = new ArrayList<>();
    new QuotedRecords(reusing, CSV)
        .forEachRemaining(t -> out.add(t._1().get() + ":" + t._2().toString()));
    return out;
  }

  @Test
  void plainLinesAreRecordsAsTheyAre() {
    assertThat(records("a,b,c", "d,e,f", "")).containsExactly("0:a,b,c", "6:d,e,f", "12:");
  }

  @Test
  void aQuotedFieldSpansLinesAndDoubledQuotesStayInside() {
    assertThat(records("1,\"x", "y\"\"", "z\",2", "3,4"))
        .containsExactly("0:1,\"x\ny\"\"\nz\",2", "14:3,4");
    assertThat(records("1,\"a\"\"", "b\"", "2")).containsExactly("0:1,\"a\"\"\nb\"", "10:2");
  }

  @Test
  void aBackslashEscapeKeepsTheQuoteItEscapesInside() {
    List<String> out = new ArrayList<>();
    List<Tuple2<LongWritable, Text>> lines =
        List.of(
            new Tuple2<>(new LongWritable(0), new Text("1,\"a\\\"")),
            new Tuple2<>(new LongWritable(7), new Text("b\",2")),
            new Tuple2<>(new LongWritable(12), new Text("3")));
    new QuotedRecords(lines.iterator(), new QuotedRecords.Syntax(",", "\"", "\\"))
        .forEachRemaining(t -> out.add(t._1().get() + ":" + t._2()));
    assertThat(out).containsExactly("0:1,\"a\\\"\nb\",2", "12:3");
  }

  @Test
  void quotesInsideAnUnquotedFieldAndClosedFieldsDoNotContinue() {
    assertThat(records("1,12\" VINYL,2", "3,\"a,b\",\"\"", "4,\"x\"\"\""))
        .containsExactly("0:1,12\" VINYL,2", "14:3,\"a,b\",\"\"", "25:4,\"x\"\"\"");
  }

  @Test
  void anUnterminatedQuoteGivesBackItsLineAndTheRestAreRecordsAgain() {
    assertThat(records("1,\"open", "2,b", "3,c")).containsExactly("0:1,\"open", "8:2,b", "12:3,c");
    List<String> many = new ArrayList<>();
    many.add("\"never closed");
    for (int i = 0; i < QuotedRecords.MAX_LINES + 5; i++) {
      many.add("r" + i);
    }
    List<String> got = records(many.toArray(new String[0]));
    assertThat(got).hasSize(many.size());
    assertThat(got.get(0)).isEqualTo("0:\"never closed");
    assertThat(got.get(got.size() - 1)).endsWith(":r" + (QuotedRecords.MAX_LINES + 4));
  }
}
