package io.churnlake.jobs.runs.archfixture;

import io.churnlake.jobs.segment.PlanRetention;

/**
 * Breaks the layers on purpose ({@code ArchitectureTest}): a class of the shared layer (its package
 * lies under {@code runs}) that depends on a stage's class, the shape {@code TableCatalog} had when
 * it read the writers' schemas.
 */
public final class LooksUpAtAStage {
  private PlanRetention plan;

  public PlanRetention plan() {
    return plan;
  }
}
