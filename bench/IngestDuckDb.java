import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The DuckDB peer of bench/ingest.sh: the same JSON-lines files read with {@code read_json_auto}
 * and written to one Parquet file, in-process, with the given threads. Prints the seconds and the
 * records written.
 *
 * <p>Run (single-file source): {@code java -cp duckdb_jdbc.jar bench/IngestDuckDb.java INPUT_DIR
 * OUT.parquet THREADS}
 */
public final class IngestDuckDb {
  public static void main(String[] args) throws Exception {
    String input = args[0];
    String out = args[1];
    int threads = Integer.parseInt(args[2]);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      long start = System.nanoTime();
      s.execute(
          "COPY (SELECT * FROM read_json_auto('"
              + input
              + "/*.json', format = 'newline_delimited')) TO '"
              + out
              + "' (FORMAT parquet)");
      double seconds = (System.nanoTime() - start) / 1e9;
      long rows;
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM read_parquet('" + out + "')")) {
        r.next();
        rows = r.getLong(1);
      }
      System.out.printf("duckdb json -> parquet: %d records in %.2f s%n", rows, seconds);
      if (rows <= 0) {
        System.exit(1);
      }
    }
  }
}
