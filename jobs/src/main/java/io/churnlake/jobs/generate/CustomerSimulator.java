package io.churnlake.jobs.generate;

import io.churnlake.jobs.tables.TableSchemas;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Simulates one customer's whole life in the log: traits, the daily behaviour path, the events that
 * show it (Sparkify-shaped) and, on truth days, the Monte-Carlo probability of churning within each
 * horizon. Deterministic for (seed, customer id).
 */
final class CustomerSimulator {
  private static final long DAY_MS = 86_400_000L;

  /** A customer's userId is this plus its index. */
  static final long USER_ID_BASE = 100_000L;

  /** The share of customers whose frustrating experiences are frequent (the fragile group). */
  static final double FRAGILE_SHARE = 0.25;

  private static final long EFFECT_SALT = 0xEFFEC7L;
  private static final int WARM_UP_DAYS = 120;
  private static final String[] FIRST = {
    "Ada", "Ben", "Chloe", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jon"
  };
  private static final String[] LAST = {
    "Meyer", "Okafor", "Silva", "Tanaka", "Novak", "Berg", "Rossi", "Khan"
  };
  private static final String[] LOCATIONS = {
    "Boston-Cambridge-Newton, MA-NH", "Los Angeles-Long Beach-Anaheim, CA",
        "Chicago-Naperville-Elgin, IL-IN-WI",
    "Dallas-Fort Worth-Arlington, TX", "Seattle-Tacoma-Bellevue, WA",
        "Miami-Fort Lauderdale-West Palm Beach, FL"
  };
  private static final String[] AGENTS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"
  };
  private static final String[] ARTISTS = {
    "Kings Of Leon", "Coldplay", "Florence + The Machine", "Dwight Yoakam", "Björk"
  };
  private static final String[] SONGS = {
    "Use Somebody", "Yellow", "Dog Days Are Over", "You're The One", "Undo", "Revelry"
  };

  private final SimulationSpec spec;
  private final long customerId;
  private final String userId;
  private final SplittableRandom pathRng;
  private final SplittableRandom detailRng;
  private final SplittableRandom monteCarloRng;
  private final int firstDay;
  private final long registrationMs;
  private final Behaviour behaviour;
  private final String gender;
  private final String location;
  private final String agent;
  private final String firstName;
  private final String lastName;
  private final CampaignResponse response;

  CustomerSimulator(SimulationSpec spec, long customerId) {
    this(spec, customerId, List.of());
  }

  /**
   * @param contacts the customer's rows in the retention plans the log plays ({@link
   *     CampaignResponse}), by day
   */
  CustomerSimulator(SimulationSpec spec, long customerId, List<CampaignResponse.Contact> contacts) {
    this.spec = spec;
    this.customerId = customerId;
    this.userId = Long.toString(USER_ID_BASE + customerId);
    SplittableRandom traits = new SplittableRandom(mix(spec.seed(), customerId));
    this.pathRng = traits.split();
    this.detailRng = traits.split();
    this.monteCarloRng = traits.split();
    boolean isNew = traits.nextDouble() < spec.newCustomerShare();
    // Drawn over the arrival days, not the log's: a longer log keeps a shorter one's customers.
    int registrationDay =
        isNew ? traits.nextInt(spec.arrivalDays()) : -WARM_UP_DAYS - traits.nextInt(400);
    this.firstDay = isNew ? registrationDay : -WARM_UP_DAYS;
    this.registrationMs =
        (spec.startEpochDay() + registrationDay) * DAY_MS + traits.nextInt(86_400) * 1000L;
    double activity = spec.sessionsPerDay() * Math.exp(0.5 * Behaviour.gaussian(traits) - 0.125);
    double friction = traits.nextDouble();
    double contentment = traits.nextDouble();
    this.behaviour =
        new Behaviour(
            activity,
            friction < FRAGILE_SHARE ? 0.08 : 0.004,
            0.02 + 0.08 * contentment,
            0.3 + 2.2 * traits.nextDouble() * traits.nextDouble(),
            traits.nextDouble() < spec.paidShare(),
            firstDay,
            spec.shiftDay(),
            spec.errorFactor());
    this.gender = traits.nextBoolean() ? "F" : "M";
    this.location = LOCATIONS[traits.nextInt(LOCATIONS.length)];
    this.agent = AGENTS[traits.nextInt(AGENTS.length)];
    this.firstName = FIRST[traits.nextInt(FIRST.length)];
    this.lastName = LAST[traits.nextInt(LAST.length)];
    // The steady customers who give the fewest thumbs down (their base rate in the lowest
    // do-not-disturb-share / 0.75 of its range): content customers whom a contact annoys. Read
    // from the traits above, so a log without campaigns is unchanged.
    boolean doNotDisturb =
        friction >= FRAGILE_SHARE && contentment < spec.doNotDisturbShare() / (1 - FRAGILE_SHARE);
    this.response =
        new CampaignResponse(
            doNotDisturb
                ? CampaignResponse.Group.DO_NOT_DISTURB
                : friction < FRAGILE_SHARE
                    ? CampaignResponse.Group.FRAGILE
                    : CampaignResponse.Group.STEADY,
            contacts,
            spec.effectDays());
  }

  /** Who the customer is to a retention contact. */
  CampaignResponse.Group group() {
    return response.group();
  }

  /** The customer's latent traits (what the groups are drawn from). */
  Behaviour behaviour() {
    return behaviour;
  }

  /** Emits the customer's raw events (rows of {@link SparkifyLog.SCHEMA}). */
  void events(Consumer<Row> out) {
    run(out, null);
  }

  /** Emits ground-truth rows (rows of {@link TableSchemas#GENERATOR_TRUTH}). */
  void truth(Consumer<Row> out) {
    run(null, out, null);
  }

  /**
   * Emits the true effect of each planned action (rows of {@link TableSchemas#GENERATED_EFFECTS})
   * on the customer alive at the end of the plan's day.
   */
  void effects(Consumer<Row> out) {
    run(null, null, out);
  }

  private void run(Consumer<Row> events, Consumer<Row> truth) {
    run(events, truth, null);
  }

  private void run(Consumer<Row> events, Consumer<Row> truth, Consumer<Row> effects) {
    int sessionSeq = 0;
    long paidSince = behaviour.paid ? firstDay - pathRng.nextInt(30) : Long.MIN_VALUE;
    for (int day = firstDay; day < spec.days(); day++) {
      boolean visible = day >= 0;
      Behaviour.Day d =
          behaviour.step(day, pathRng, visible, response.factorOn(day, Integer.MAX_VALUE));
      if (events != null && visible) {
        if (behaviour.paid && paidSince != Long.MIN_VALUE && (day - paidSince) % 30 == 0) {
          events.accept(billing(day));
        }
        if (d.sessions() > 0) {
          sessionSeq = emitSessions(day, d, sessionSeq, events);
        }
      }
      if (d.upgraded()) {
        paidSince = day;
      } else if (d.downgraded()) {
        paidSince = Long.MIN_VALUE;
      }
      if (d.churned()) {
        return;
      }
      if (truth != null && visible && spec.isTruthDay(day)) {
        emitTruth(day, truth);
      }
      if (effects != null && visible) {
        for (CampaignResponse.Contact c : response.contacts()) {
          if (c.day() == day) {
            emitEffect(c, effects);
          }
        }
      }
    }
  }

  /**
   * The planned action's true effect over each truth horizon: Monte-Carlo continuations from the
   * end of the plan's day with and without the contact, pairwise on the same random numbers (so the
   * difference is the contact's alone), and earlier contacts acting in both.
   */
  private void emitEffect(CampaignResponse.Contact c, Consumer<Row> out) {
    int day = c.day();
    int maxH = spec.maxHorizon();
    double factor = response.factor(c.action());
    boolean steady = response.group() == CampaignResponse.Group.STEADY;
    int[] untreated = new int[maxH + 1];
    int[] treated = new int[maxH + 1];
    SplittableRandom seeds = new SplittableRandom(mix(spec.seed() ^ EFFECT_SALT, customerId) + day);
    for (int p = 0; p < spec.truthPaths(); p++) {
      long seed = seeds.nextLong();
      int u = churnDay(day, maxH, new SplittableRandom(seed), Double.NaN);
      untreated[u]++;
      // A steady customer's factors are all 1: both continuations are the same.
      treated[steady ? u : churnDay(day, maxH, new SplittableRandom(seed), factor)]++;
    }
    for (int h = 2; h <= maxH; h++) {
      untreated[h] += untreated[h - 1];
      treated[h] += treated[h - 1];
    }
    double paths = spec.truthPaths();
    for (int h : spec.truthHorizons()) {
      double pu = untreated[h] / paths;
      double pt = treated[h] / paths;
      out.accept(
          RowFactory.create(
              userId,
              Date.valueOf(spec.date(day)),
              h,
              c.action(),
              c.contacted(),
              response.group().label(),
              pu,
              pt,
              pu - pt));
    }
  }

  /**
   * The day (1..maxH) a continuation from the end of {@code day} churns on, or 0 when it does not
   * within maxH days: earlier contacts act as they do in the log, and {@code factor} (NaN: no
   * contact on this day's plan) acts while a contact on this day's plan would last.
   */
  private int churnDay(int day, int maxH, SplittableRandom rng, double factor) {
    Behaviour b = behaviour.copy();
    for (int h = 1; h <= maxH; h++) {
      double f =
          !Double.isNaN(factor) && response.lasts(day, day + h)
              ? factor
              : response.factorOn(day + h, day);
      if (b.step(day + h, rng, true, f).churned()) {
        return h;
      }
    }
    return 0;
  }

  private void emitTruth(int day, Consumer<Row> out) {
    int maxH = spec.maxHorizon();
    int[] churnedWithin = new int[maxH + 1];
    for (int p = 0; p < spec.truthPaths(); p++) {
      Behaviour b = behaviour.copy();
      for (int h = 1; h <= maxH; h++) {
        if (b.step(day + h, monteCarloRng, true, response.factorOn(day + h, day + 1)).churned()) {
          churnedWithin[h]++;
          break;
        }
      }
    }
    for (int h = 2; h <= maxH; h++) {
      churnedWithin[h] += churnedWithin[h - 1];
    }
    List<String> drivers = behaviour.drivers(day);
    for (int h : spec.truthHorizons()) {
      if (!spec.isTruthDay(day, h)) {
        continue;
      }
      out.accept(
          RowFactory.create(
              userId,
              Date.valueOf(spec.date(day)),
              h,
              churnedWithin[h] / (double) spec.truthPaths(),
              drivers.toArray(new String[0])));
    }
  }

  private int emitSessions(int day, Behaviour.Day d, int sessionSeq, Consumer<Row> out) {
    int n = d.sessions();
    List<List<String>> pages = sessionPages(d, n);
    List<List<Page>> planned = new ArrayList<>();
    long busy = 0;
    for (int i = 0; i < n; i++) {
      List<String> p = pages.get(i);
      Collections.shuffle(p, new java.util.Random(detailRng.nextLong()));
      p.add(0, "Home");
      boolean last = i == n - 1;
      if (last && d.upgraded()) {
        p.add("Upgrade");
        p.add("Submit Upgrade");
      }
      if (last && d.downgraded()) {
        p.add("Downgrade");
        p.add("Submit Downgrade");
      }
      if (last && d.churned()) {
        p.add("Cancel");
        p.add("Cancellation Confirmation");
      } else if (detailRng.nextDouble() < 0.3) {
        p.add("Logout");
      }
      List<Page> session = plan(p);
      busy += session.stream().mapToLong(Page::durationMs).sum();
      planned.add(session);
    }
    // Sessions and the gaps between them fit in 00:30-23:30, so every event of the day is dated
    // on the day whose behaviour it shows.
    long dayStart = (spec.startEpochDay() + day) * DAY_MS;
    long free = Math.max(0, 23 * 3_600_000L - busy);
    double[] gaps = new double[n + 1];
    double total = 0;
    for (int i = 0; i <= n; i++) {
      gaps[i] = detailRng.nextDouble();
      total += gaps[i];
    }
    long cursor = dayStart + 1_800_000L;
    for (int i = 0; i < n; i++) {
      cursor += (long) (free * gaps[i] / total);
      long sessionId = customerId * 10_000L + sessionSeq++;
      if (detailRng.nextDouble() < 0.1) {
        out.accept(loggedOut(sessionId, cursor - 30_000));
      }
      cursor = emitSession(sessionId, planned.get(i), cursor, d, out);
    }
    return sessionSeq;
  }

  /** The day's sessions' pages before ordering: content and engagement, then the friction. */
  private List<List<String>> sessionPages(Behaviour.Day d, int n) {
    List<List<String>> pages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> p = new ArrayList<>();
      int songs = d.churned() ? detailRng.nextInt(3) : 1 + Behaviour.poisson(detailRng, 3.0);
      for (int k = 0; k < songs; k++) {
        p.add("NextSong");
      }
      if (detailRng.nextDouble() < 0.35) p.add("Thumbs Up");
      if (detailRng.nextDouble() < 0.12) p.add("Add to Playlist");
      if (detailRng.nextDouble() < 0.05) p.add("Add Friend");
      if (detailRng.nextDouble() < 0.05) p.add("Settings");
      pages.add(p);
    }
    scatter(pages, "Thumbs Down", d.thumbsDown());
    scatter(pages, "Help", d.help());
    scatter(pages, "Error", d.errors());
    scatter(pages, "Roll Advert", d.adverts());
    return pages;
  }

  /** One page of a session with its dwell time (a song's length for NextSong). */
  private record Page(String page, long durationMs, Double length, String artist, String song) {}

  private List<Page> plan(List<String> pages) {
    List<Page> out = new ArrayList<>();
    for (String page : pages) {
      if (page.equals("NextSong")) {
        double length = 120 + detailRng.nextInt(240) + detailRng.nextDouble();
        String artist = ARTISTS[detailRng.nextInt(ARTISTS.length)];
        String song = SONGS[detailRng.nextInt(SONGS.length)];
        out.add(new Page(page, (long) (length * 1000), length, artist, song));
      } else {
        out.add(new Page(page, (5 + detailRng.nextInt(40)) * 1000L, null, null, null));
      }
    }
    return out;
  }

  private long emitSession(
      long sessionId, List<Page> pages, long cursor, Behaviour.Day d, Consumer<Row> out) {
    // The level shown is the level before the day's change, until the change is submitted.
    boolean paidShown = d.upgraded() ? false : d.downgraded() || behaviour.paid;
    int item = 0;
    for (Page p : pages) {
      out.accept(
          event(cursor, sessionId, item++, p.page(), paidShown, p.artist(), p.song(), p.length()));
      if (p.page().equals("Submit Upgrade")) paidShown = true;
      if (p.page().equals("Submit Downgrade")) paidShown = false;
      cursor += p.durationMs();
    }
    return cursor;
  }

  private static void scatter(List<List<String>> pages, String page, int count) {
    for (int k = 0; k < count; k++) {
      pages.get(k % pages.size()).add(page);
    }
  }

  private Row event(
      long ts,
      long sessionId,
      int item,
      String page,
      boolean paid,
      String artist,
      String song,
      Double length) {
    String method =
        page.startsWith("Submit") || page.startsWith("Cancel") && page.length() > 6 ? "PUT" : "GET";
    int status =
        page.equals("Error")
            ? 404
            : page.startsWith("Submit") || page.equals("Cancellation Confirmation") ? 307 : 200;
    return RowFactory.create(
        artist,
        page.equals("Cancellation Confirmation") ? "Cancelled" : "Logged In",
        firstName,
        gender,
        item,
        lastName,
        length,
        paid ? "paid" : "free",
        location,
        method,
        page,
        registrationMs,
        sessionId,
        song,
        status,
        ts,
        agent,
        userId,
        null);
  }

  private Row billing(int day) {
    long ts = (spec.startEpochDay() + day) * DAY_MS + 60_000L;
    return RowFactory.create(
        null,
        "Logged In",
        firstName,
        gender,
        0,
        lastName,
        null,
        "paid",
        location,
        "PUT",
        "Billing",
        registrationMs,
        null,
        null,
        200,
        ts,
        agent,
        userId,
        spec.monthlyPrice());
  }

  private Row loggedOut(long sessionId, long ts) {
    return RowFactory.create(
        null,
        "Logged Out",
        null,
        null,
        0,
        null,
        null,
        "free",
        null,
        "GET",
        "Home",
        null,
        sessionId,
        null,
        200,
        ts,
        null,
        "",
        null);
  }

  static long mix(long seed, long id) {
    long z = seed * 0x9E3779B97F4A7C15L + id * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
