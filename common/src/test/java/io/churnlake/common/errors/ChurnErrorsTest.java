package io.churnlake.common.errors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Invariant: an exception churnlake did not raise reaches a message or {@code pipeline_runs}
 * without the values it quotes (they may be a customer's record), keeping what locates the problem:
 * the error class, Spark's type names, paths and {@code `identifiers`}.
 */
class ChurnErrorsTest {
  @Test
  void quotedValuesAreLeftOutAndPathsTypesAndIdentifiersKept() {
    assertThat(
            ChurnErrors.withoutQuotedValues(
                "[CAST_INVALID_INPUT] The value 'alice@example.com' of the type \"STRING\" cannot"
                    + " be cast to \"DECIMAL(10,2)\" because it is malformed."))
        .isEqualTo(
            "[CAST_INVALID_INPUT] The value '<value left out>' of the type \"STRING\" cannot be"
                + " cast to \"DECIMAL(10,2)\" because it is malformed.");
    assertThat(
            ChurnErrors.withoutQuotedValues(
                "Lost task 0.0 in stage 3.0: java.lang.NumberFormatException: For input string:"
                    + " \"Alice Smith\""))
        .isEqualTo(
            "Lost task 0.0 in stage 3.0: java.lang.NumberFormatException: For input string:"
                + " \"<value left out>\"");
    assertThat(
            ChurnErrors.withoutQuotedValues(
                "Unrecognized token 'bob': was expecting (JSON String, Number, Array, Object)"))
        .isEqualTo(
            "Unrecognized token '<value left out>': was expecting (JSON String, Number, Array,"
                + " Object)");
    String located =
        "cannot read 'file:/data/in/events.json' nor '/data/in/x.csv': column `customer_id` of"
            + " \"BIGINT\"";
    assertThat(ChurnErrors.withoutQuotedValues(located)).isEqualTo(located);
    assertThat(
            ChurnErrors.unexpected(
                new IllegalStateException("bad row 'Bob Jones'\n at line 'second line'")))
        .isEqualTo("bad row '<value left out>'");
  }
}
