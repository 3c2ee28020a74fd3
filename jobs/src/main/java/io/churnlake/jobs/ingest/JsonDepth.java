package io.churnlake.jobs.ingest;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * The deepest nesting of objects and arrays in a JSON text, brackets inside strings not counted.
 * Spark has no column function for it; {@link ParseRecords} evaluates it only for records that did
 * not parse, to tell one nested beyond the source's {@code max-depth} from a malformed one.
 */
final class JsonDepth {
  private static final UserDefinedFunction UDF =
      functions.udf((UDF1<String, Integer>) JsonDepth::depth, DataTypes.IntegerType);

  private JsonDepth() {}

  static Column of(Column text) {
    return UDF.apply(text);
  }

  static Integer depth(String text) {
    if (text == null) {
      return null;
    }
    int depth = 0;
    int deepest = 0;
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++; // the escaped character
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        deepest = Math.max(deepest, ++depth);
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    return deepest;
  }
}
