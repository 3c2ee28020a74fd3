package io.churnlake.common.spark;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.errors.ExitCode;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** A standalone master that does not answer is named at once with exit code 1; others pass. */
class ChurnSparkTest {
  @Test
  void aStandaloneMasterThatDoesNotAnswerFailsWithItsUrl() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    String url = "spark://127.0.0.1:" + closed;
    assertThatThrownBy(() -> ChurnSpark.checkStandaloneMaster(url))
        .isInstanceOfSatisfying(
            ChurnException.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.exitCode())
                    .isEqualTo(ExitCode.RUNTIME_FAILURE))
        .hasMessageStartingWith("Spark master " + url + " does not answer within 10 s: 127.0.0.1:")
        .hasMessageEndingWith(
            "check the URL (spark://HOST:PORT, port 7077 by default), that the master runs and"
                + " that this host can reach it");
  }

  @Test
  void anAnsweringMasterOrALocalMasterPasses() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int closed;
      try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        closed = other.getLocalPort();
      }
      // With standby masters, one that answers is enough.
      assertThatCode(
              () ->
                  ChurnSpark.checkStandaloneMaster(
                      "spark://127.0.0.1:" + closed + ",127.0.0.1:" + s.getLocalPort()))
          .doesNotThrowAnyException();
    }
    assertThatCode(() -> ChurnSpark.checkStandaloneMaster("local[2]")).doesNotThrowAnyException();
    assertThatCode(() -> ChurnSpark.checkStandaloneMaster("yarn")).doesNotThrowAnyException();
  }
}
