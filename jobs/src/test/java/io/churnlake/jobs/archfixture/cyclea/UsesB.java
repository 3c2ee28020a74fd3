package io.churnlake.jobs.archfixture.cyclea;

import io.churnlake.jobs.archfixture.cycleb.UsesA;

/**
 * Architecture test fixture, never run: with {@link UsesA} a cycle between two packages, the shape
 * {@code score} importing {@code train} and {@code train} importing {@code score} had before the
 * {@code model} package existed.
 */
public final class UsesB {
  private UsesB() {}

  public static int next(int n) {
    return n > 0 ? UsesA.next(n - 1) : 0;
  }
}
