package io.churnlake.jobs.testing;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small invoice log for tests: customers buying at their own rate (one purchase every 3 to 15
 * days); 60% stop buying for good at a random day, after buying half as often in their last 30 days
 * (the signal an inactivity model can learn).
 */
public final class SimulatedPurchases {
  private SimulatedPurchases() {}

  /** One purchase: order id, customer id, day, amount. */
  public record Purchase(String order, String customer, LocalDate day, double amount) {}

  public static List<Purchase> of(int customers, LocalDate start, int days, long seed) {
    Random random = new Random(seed);
    List<Purchase> out = new ArrayList<>();
    for (int c = 0; c < customers; c++) {
      double gap = 3 + 12 * random.nextDouble();
      int stop = random.nextDouble() < 0.6 ? 40 + random.nextInt(days) : days + 1;
      int order = 0;
      for (double day = random.nextDouble() * gap; day < Math.min(stop, days); ) {
        double amount = Math.round((5 + 50 * random.nextDouble()) * 100) / 100.0;
        out.add(
            new Purchase(
                "o" + c + "-" + order++,
                String.format("c%03d", c),
                start.plusDays((long) day),
                amount));
        day += gap * (day > stop - 30 ? 2 : 1) * (0.5 + random.nextDouble());
      }
    }
    return out;
  }
}
