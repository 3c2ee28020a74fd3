package io.churnlake.jobs.archfixture.cycleb;

import io.churnlake.jobs.archfixture.cyclea.UsesB;

/** Architecture test fixture, never run: the other half of {@link UsesB}'s cycle. */
public final class UsesA {
  private UsesA() {}

  public static int next(int n) {
    return n > 0 ? UsesB.next(n - 1) : 0;
  }
}
