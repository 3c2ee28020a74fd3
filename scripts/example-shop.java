import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Writes conf/examples/data/shop: a year of an online shop's invoice lines in the layout of the
 * public "Online Retail" data set, one gzipped CSV per month, for the README's "your own data in
 * five steps" (conf/examples/online-shop.conf; CI runs the five steps on it). It is not the
 * churnlake generator's log: customers follow the BG/NBD story (buy at a personal rate, and after
 * each purchase leave with a personal probability), raised by friction (a return makes leaving
 * likelier) and lowered by large baskets. Deterministic (java.util.Random, fixed seed); the files
 * are committed, so nothing runs this but a person who wants other data:
 *
 * <pre>java scripts/example-shop.java conf/examples/data/shop [customers]</pre>
 *
 * It also writes a few records a real export holds and a loader must not take as purchases: guest
 * lines without a customer id, exact repeats of a line, and cancelled invoices ("C" numbers).
 */
public class ExampleShop {
  record Product(String code, String name, double price) {}

  static final List<Product> CATALOG =
      List.of(
          new Product("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 2.55),
          new Product("71053", "WHITE METAL LANTERN", 3.39),
          new Product("84406B", "CREAM CUPID HEARTS COAT HANGER", 2.75),
          new Product("84029G", "KNITTED UNION FLAG HOT WATER BOTTLE", 3.39),
          new Product("22752", "SET 7 BABUSHKA NESTING BOXES", 7.65),
          new Product("21730", "GLASS STAR FROSTED T-LIGHT HOLDER", 4.25),
          new Product("22633", "HAND WARMER UNION JACK, RED", 1.85),
          new Product("22632", "HAND WARMER RED POLKA DOT", 1.85),
          new Product("84879", "ASSORTED COLOUR BIRD ORNAMENT", 1.69),
          new Product("22745", "POPPY'S PLAYHOUSE BEDROOM", 2.10),
          new Product("22748", "POPPY'S PLAYHOUSE KITCHEN", 2.10),
          new Product("22749", "FELTCRAFT PRINCESS CHARLOTTE DOLL", 3.75),
          new Product("22310", "IVORY KNITTED MUG COSY", 1.65),
          new Product("84969", "BOX OF 6 ASSORTED COLOUR TEASPOONS", 4.25),
          new Product("22623", "BOX OF VINTAGE JIGSAW BLOCKS", 5.95),
          new Product("22622", "BOX OF VINTAGE ALPHABET BLOCKS", 9.95),
          new Product("21754", "HOME BUILDING BLOCK WORD", 5.95),
          new Product("21755", "LOVE BUILDING BLOCK WORD", 5.95),
          new Product("21777", "RECIPE BOX WITH METAL HEART", 7.95),
          new Product("48187", "DOORMAT NEW ENGLAND", 7.95),
          new Product("22960", "JAM MAKING SET WITH JARS", 4.25),
          new Product("22913", "RED COAT RACK PARIS FASHION", 4.95),
          new Product("22912", "YELLOW COAT RACK PARIS FASHION", 4.95),
          new Product("22914", "BLUE COAT RACK PARIS FASHION", 4.95),
          new Product("21756", "BATH BUILDING BLOCK WORD", 5.95));

  static final String[] COUNTRIES = {
    "United Kingdom", "United Kingdom", "United Kingdom", "United Kingdom", "United Kingdom",
    "United Kingdom", "France", "Germany", "EIRE", "Netherlands"
  };

  static final LocalDate FIRST = LocalDate.of(2026, 1, 1);
  static final LocalDate LAST = LocalDate.of(2026, 11, 30);

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "conf/examples/data/shop");
    int customers = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    Random rng = new Random(2026);
    // Lines by month, each month's lines in time order.
    TreeMap<YearMonth, List<String[]>> months = new TreeMap<>();
    int invoice = 536000;
    int days = (int) (LAST.toEpochDay() - FIRST.toEpochDay()) + 1;
    for (int c = 0; c < customers; c++) {
      String id = String.valueOf(12000 + c * 7);
      String country = COUNTRIES[rng.nextInt(COUNTRIES.length)];
      // Rate: a purchase every 4 to 24 days on average; leaving after a purchase: 1% to 10%.
      double meanGap = 4 + rng.nextDouble() * 20;
      double leave = 0.01 + rng.nextDouble() * 0.09;
      double basketSize = 1 + rng.nextDouble() * 2;
      // First purchases over the whole period, the last ones in its final week.
      LocalDate day = FIRST.plusDays(rng.nextInt(days - 7));
      while (!day.isAfter(LAST)) {
        int lines = 1 + (int) Math.floor(rng.nextDouble() * basketSize * 2);
        LocalDateTime time =
            day.atTime(8 + rng.nextInt(11), rng.nextInt(60)); // shop hours, minute precision
        String number = String.valueOf(invoice++);
        double spent = 0;
        List<Product> bought = new ArrayList<>();
        for (int l = 0; l < lines; l++) {
          Product p = CATALOG.get(rng.nextInt(CATALOG.size()));
          int quantity = 1 + rng.nextInt(12);
          spent += quantity * p.price();
          bought.add(p);
          add(months, time, number, p, quantity, id, country);
          if (rng.nextDouble() < 0.004) {
            add(months, time, number, p, quantity, id, country); // an exact repeat in the export
          }
        }
        boolean friction = false;
        if (rng.nextDouble() < 0.08) {
          // A return a few days later: a negative quantity under a cancellation invoice.
          Product p = bought.get(0);
          LocalDateTime back = time.plusDays(1 + rng.nextInt(5));
          if (!back.toLocalDate().isAfter(LAST)) {
            add(months, back, "C" + (invoice++), p, -1 - rng.nextInt(3), id, country);
            friction = true;
          }
        }
        double p = leave * (friction ? 2.5 : 1.0) * (spent > 60 ? 0.6 : 1.0);
        if (rng.nextDouble() < Math.min(p, 0.9)) {
          break; // gone: never buys again
        }
        day = day.plusDays(1 + Math.round(-Math.log(1 - rng.nextDouble()) * meanGap));
      }
    }
    // Guest purchases: no customer id (a loader quarantines them).
    for (int g = 0; g < 40; g++) {
      LocalDateTime time = FIRST.plusDays(rng.nextInt(days)).atTime(9 + rng.nextInt(9), 0);
      Product p = CATALOG.get(rng.nextInt(CATALOG.size()));
      add(months, time, String.valueOf(invoice++), p, 1 + rng.nextInt(6), "", "United Kingdom");
    }
    Files.createDirectories(out);
    for (var month : months.entrySet()) {
      List<String[]> rows = month.getValue();
      rows.sort((a, b) -> a[0].compareTo(b[0])); // by time, stable
      Path file = out.resolve("invoices-" + month.getKey() + ".csv.gz");
      try (OutputStream raw = Files.newOutputStream(file);
          PrintWriter w =
              new PrintWriter(new GZIPOutputStream(raw), false, StandardCharsets.ISO_8859_1)) {
        w.print("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
        for (String[] r : rows) {
          w.print(r[1] + "\n");
        }
      }
      System.out.println(file + ": " + rows.size() + " lines");
    }
  }

  static void add(
      TreeMap<YearMonth, List<String[]>> months,
      LocalDateTime time,
      String invoice,
      Product p,
      int quantity,
      String customer,
      String country) {
    String name = p.name().contains(",") ? "\"" + p.name() + "\"" : p.name();
    String date =
        time.getMonthValue()
            + "/"
            + time.getDayOfMonth()
            + "/"
            + time.getYear()
            + " "
            + time.getHour()
            + ":"
            + String.format(Locale.ROOT, "%02d", time.getMinute());
    String line =
        String.join(
            ",",
            invoice,
            p.code(),
            name,
            String.valueOf(quantity),
            date,
            String.format(Locale.ROOT, "%.2f", p.price()),
            customer,
            country);
    months
        .computeIfAbsent(YearMonth.from(time), m -> new ArrayList<>())
        .add(new String[] {time.toString(), line});
  }
}
