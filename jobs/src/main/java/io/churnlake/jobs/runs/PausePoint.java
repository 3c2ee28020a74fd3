package io.churnlake.jobs.runs;

import io.churnlake.common.config.ChurnConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-injection hook of the cluster integration test ({@code runs.pause-at-stages}, {@code
 * runs.pause-dir}): a named stage announces {@code STAGE.paused} in the directory when it starts
 * and waits until {@code STAGE.resume} appears, so the test can kill a worker or the driver while
 * that stage runs, without sleeps. Off (nothing named) in every shipped configuration.
 */
public final class PausePoint {
  private static final Logger LOG = LoggerFactory.getLogger(PausePoint.class);
  private static final Duration LIMIT = Duration.ofMinutes(15);

  private PausePoint() {}

  /** Pauses when {@code stage} is configured to; returns at once otherwise. */
  public static void at(ChurnConfig.RunSettings runs, String stage) {
    if (!runs.pauseAtStages().contains(stage) || runs.pauseDir().isBlank()) {
      return;
    }
    Path dir = Path.of(runs.pauseDir());
    Path resume = dir.resolve(stage + ".resume");
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(stage + ".paused"), ProcessHandle.current().pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot announce the pause in " + dir, e);
    }
    LOG.warn("stage {} paused until {} exists (runs.pause-at-stages)", stage, resume);
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!Files.exists(resume)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "stage " + stage + " paused for " + LIMIT.toMinutes() + " minutes: " + resume);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while paused at " + stage, e);
      }
    }
    LOG.warn("stage {} resumed", stage);
  }
}
