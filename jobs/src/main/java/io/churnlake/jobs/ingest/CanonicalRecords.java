package io.churnlake.jobs.ingest;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.when;

import io.churnlake.common.config.SourceSpec;
import io.churnlake.common.table.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Maps parsed source records ({@link ParseRecords}, or a columnar source's rows cast to strings) to
 * the canonical columns of the source's kind, and judges each record: {@code _reason} is null for a
 * loadable record, otherwise the first rule it breaks; {@code _drop} is set for records left out on
 * purpose (blank lines, the source's filter). Reasons, in order: {@code invalid_encoding}, {@code
 * record_too_large}, {@code record_too_deep}, {@code malformed_<format>}, {@code
 * missing_customer_id}, {@code customer_id_too_long}, the kind's own ({@code missing_event_time},
 * {@code unparseable_event_time}, {@code event_time_before_1970}, {@code
 * event_time_before_earliest_date} (the source's {@code earliest-date}), {@code
 * event_time_after_file_date}, {@code event_time_in_future}, {@code missing_event_type}, {@code
 * missing_order_id}, {@code missing_snapshot_date}, ...), then {@code bad_value:<column>} (present
 * but not of the column's type), {@code non_finite:<column>} (a number column's NaN or infinity,
 * e.g. "1e400"), {@code negative:unit_price} and {@code out_of_range:<column>} (beyond the source's
 * limit). Personal fields are dropped, hashed or kept as configured. Pure transform.
 */
final class CanonicalRecords {
  static final String REASON = "_reason";
  static final String DROP = "_drop";

  /** A record that neither breaks a rule nor is dropped: it loads (unless a duplicate). */
  static Column loadable() {
    return col(REASON).isNull().and(col(DROP).isNull());
  }

  static final int MAX_CUSTOMER_ID_LENGTH = 256;

  private final SourceSpec spec;
  private final String runId;
  private final Optional<String> hashKey;

  /**
   * @param hashKey the secret for keyed hashes; required when the source hashes anything
   */
  CanonicalRecords(SourceSpec spec, String runId, Optional<String> hashKey) {
    this.spec = spec;
    this.runId = runId;
    this.hashKey = hashKey;
    if (hashKey.isEmpty()
        && (spec.pseudonymiseCustomerId()
            || (spec.personalMode() == SourceSpec.PersonalMode.HASH
                && !spec.personal().isEmpty()))) {
      throw new IllegalArgumentException("a hash key is required for source " + spec.name());
    }
  }

  /** The column names of the table rows, in order (without the judging columns). */
  static List<String> tableColumns(Dataset<Row> canonical) {
    List<String> out = new ArrayList<>();
    for (String c : canonical.columns()) {
      if (!c.startsWith("_")) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Three projections, so that every parsed value is computed once however many rules read it
   * (Spark does not merge a projection into the next when that would repeat non-trivial work):
   * trimmed source fields, then typed values, then outputs and rules over plain column references.
   */
  Dataset<Row> apply(Dataset<Row> parsed) {
    lets.clear();
    List<Column> trimmed = new ArrayList<>();
    for (String c : parsed.columns()) {
      trimmed.add(c.startsWith("_") ? col(c) : trimmedText(c).as(c));
    }
    Dataset<Row> stage1 = parsed.select(trimmed.toArray(new Column[0]));
    List<Rule> rules = new ArrayList<>();
    rules.add(new Rule(col(ReadLines.BAD_ENCODING), "invalid_encoding"));
    for (String limit : List.of("record_too_large", "record_too_deep")) {
      rules.add(new Rule(col(ParseRecords.LIMIT).equalTo(limit), limit));
    }
    rules.add(new Rule(col(ParseRecords.MALFORMED), "malformed_" + spec.format().id()));
    Column customer = value("customer_id").orElseThrow();
    rules.add(new Rule(customer.isNull(), "missing_customer_id"));
    rules.add(new Rule(length(customer).gt(MAX_CUSTOMER_ID_LENGTH), "customer_id_too_long"));
    List<Column> out =
        switch (spec.kind()) {
          case EVENTS -> eventColumns(customer, rules);
          case TRANSACTIONS -> transactionColumns(customer, rules);
          case CUSTOMERS -> customerColumns(customer, rules);
        };
    for (SourceSpec.Attribute a : spec.attributes()) {
      Column raw = raw(a.from());
      Column typed = let("attr_" + a.name(), cast(raw, a.type(), a.format()));
      rules.add(new Rule(raw.isNotNull().and(typed.isNull()), "bad_value:" + a.name()));
      if (a.type() == SourceSpec.AttributeType.DOUBLE) {
        rules.add(new Rule(nonFinite(typed), "non_finite:" + a.name()));
      }
      out.add(typed.as(a.name()));
    }
    out.addAll(personal());
    out.add(lit(spec.name()).as("source"));
    out.add(col(ReadLines.FILE).as(Columns.SOURCE_FILE));
    out.add(lit(runId).as(Columns.INGEST_RUN_ID));

    if (spec.filter().isPresent()) {
      let("filter_ok", coalesce(expr(spec.filter().get()), lit(false)));
    }
    List<Column> stage2 = new ArrayList<>();
    for (String c : stage1.columns()) {
      stage2.add(col("`" + c + "`"));
    }
    lets.forEach((name, e) -> stage2.add(e.as(name)));
    Dataset<Row> typed = stage1.select(stage2.toArray(new Column[0]));
    out.addAll(outcome(rules));
    return typed.select(out.toArray(new Column[0]));
  }

  private List<Column> eventColumns(Column customer, List<Rule> rules) {
    Column time = time("event_time", rules);
    Column type = value("event_type").orElseThrow();
    rules.add(new Rule(type.isNull(), "missing_event_type"));
    List<Column> out = new ArrayList<>();
    out.add(customerId(customer));
    out.add(time.as(Columns.EVENT_TIME));
    out.add(to_date(time).as(Columns.EVENT_DATE));
    out.add(mapped(type).as(Columns.EVENT_TYPE));
    out.add(optional("session_id").as(Columns.SESSION_ID));
    out.add(number("amount", rules).as(Columns.AMOUNT));
    return out;
  }

  private List<Column> transactionColumns(Column customer, List<Rule> rules) {
    Column order = value("order_id").orElseThrow();
    rules.add(new Rule(order.isNull(), "missing_order_id"));
    Column time = time("event_time", rules);
    Column quantity = number("quantity", rules);
    Column price = number("unit_price", rules);
    // A return or cancellation has a negative quantity, never a negative price (ledger
    // adjustments such as "bad debt" lines do): such a line is no purchase.
    rules.add(new Rule(price.lt(0), "negative:unit_price"));
    Column amount =
        let(
            "amount_or_product",
            coalesce(number("amount", rules), round(quantity.multiply(price), 4)));
    rules.add(new Rule(amount.isNull(), "missing_amount"));
    rules.add(new Rule(abs(amount).gt(spec.limits().get("amount")), "out_of_range:amount"));
    List<Column> out = new ArrayList<>();
    out.add(order.as("order_id"));
    out.add(customerId(customer));
    out.add(time.as(Columns.EVENT_TIME));
    out.add(to_date(time).as(Columns.EVENT_DATE));
    out.add(optional("product_id").as("product_id"));
    out.add(quantity.as("quantity"));
    out.add(price.as("unit_price"));
    out.add(amount.as(Columns.AMOUNT));
    out.add(lineType(order, quantity).as("line_type"));
    return out;
  }

  private List<Column> customerColumns(Column customer, List<Rule> rules) {
    Column snapshot = snapshotDate(rules);
    List<Column> out = new ArrayList<>();
    out.add(customerId(customer));
    out.add(snapshot.as("snapshot_date"));
    out.add(churnFlag(rules).as(Columns.CHURNED));
    return out;
  }

  /**
   * The record's fate: the first broken rule's reason (null when loadable), and why it is dropped
   * uncounted as a record (a blank line) or counted as filtered; its offset and text last.
   */
  private List<Column> outcome(List<Rule> rules) {
    Column reason = lit(null).cast(DataTypes.StringType);
    for (int i = rules.size() - 1; i >= 0; i--) {
      Rule r = rules.get(i);
      reason = when(r.broken(), lit(r.reason())).otherwise(reason);
    }
    Column drop =
        when(col(ParseRecords.BLANK), lit("blank_line"))
            .otherwise(lit(null).cast(DataTypes.StringType));
    if (spec.filter().isPresent()) {
      drop =
          when(col(ParseRecords.BLANK), lit("blank_line"))
              .when(
                  reason
                      .isNull()
                      .and(coalesce(expr(spec.filter().get()), lit(false)).unary_$bang()),
                  lit("filtered"))
              .otherwise(lit(null).cast(DataTypes.StringType));
    }
    List<Column> out = new ArrayList<>();
    out.add(when(col(ParseRecords.BLANK), lit(null)).otherwise(reason).as(REASON));
    out.add(drop.as(DROP));
    out.add(col(ReadLines.OFFSET));
    out.add(col(ReadLines.RECORD));
    return out;
  }

  private static final String LET = "_let_";
  private final java.util.Map<String, Column> lets = new java.util.LinkedHashMap<>();

  /** Computes {@code value} once, in the typed-values projection; returns a reference to it. */
  private Column let(String name, Column value) {
    lets.put(LET + name, value);
    return col(LET + name);
  }

  /** A rule a record breaks when {@code broken} is true (null counts as not broken). */
  private record Rule(Column broken, String reason) {
    @Override
    public Column broken() {
      return coalesce(broken, lit(false));
    }
  }

  /** A source field's trimmed text, null when absent or empty. */
  private static Column trimmedText(String field) {
    Column t = trim(col("`" + field + "`"));
    return when(t.equalTo(""), lit(null).cast(DataTypes.StringType)).otherwise(t);
  }

  /** A source field after the first projection (trimmed, null when empty). */
  static Column raw(String field) {
    return col("`" + field + "`");
  }

  private Optional<Column> value(String canonical) {
    return spec.field(canonical).map(CanonicalRecords::raw);
  }

  private Column optional(String canonical) {
    return value(canonical).orElse(lit(null).cast(DataTypes.StringType));
  }

  private Column customerId(Column customer) {
    return (spec.pseudonymiseCustomerId() ? keyed(customer) : customer).as(Columns.CUSTOMER_ID);
  }

  private Column keyed(Column value) {
    return when(
        value.isNotNull(), sha2(concat(lit(hashKey.orElseThrow()), lit("\u0001"), value), 256));
  }

  /** Parses a time field, adding the rules that judge it. */
  private Column time(String canonical, List<Rule> rules) {
    Column raw = value(canonical).orElseThrow();
    Column time = let(canonical, parseTime(raw, spec.timeFormat()));
    rules.add(new Rule(raw.isNull(), "missing_" + canonical));
    rules.add(new Rule(time.isNull(), "unparseable_" + canonical));
    rules.add(
        new Rule(
            time.lt(lit("1970-01-01 00:00:00").cast("timestamp")), canonical + "_before_1970"));
    rules.add(
        new Rule(
            time.lt(lit(spec.earliestDate().toString() + " 00:00:00").cast("timestamp")),
            canonical + "_before_earliest_date"));
    spec.fileDate()
        .ifPresent(
            regex ->
                rules.add(
                    new Rule(
                        to_date(time)
                            .gt(
                                date_add(
                                    to_date(regexp_extract(col(ReadLines.FILE), regex, 1)), 1)),
                        canonical + "_after_file_date")));
    rules.add(
        new Rule(
            time.gt(current_timestamp().plus(expr("INTERVAL 1 DAY"))), canonical + "_in_future"));
    return time;
  }

  static Column parseTime(Column raw, String format) {
    return switch (format) {
      case "epoch-millis" -> {
        Column ms = raw.cast(DataTypes.LongType);
        // Beyond +-1e15 ms (year ~33700) Spark's conversion overflows; call it unparseable.
        yield when(abs(ms).lt(1_000_000_000_000_000L), timestamp_millis(ms));
      }
      case "epoch-seconds" -> {
        Column s = raw.cast(DataTypes.LongType);
        yield when(abs(s).lt(1_000_000_000_000L), timestamp_seconds(s));
      }
      default -> try_to_timestamp(raw, lit(format));
    };
  }

  /**
   * NaN or an infinity: a number's text that parses but holds no usable value ("NaN", "Infinity",
   * "1e400", which is beyond a double's range).
   */
  private static Column nonFinite(Column n) {
    return isnan(n).or(abs(n).equalTo(lit(Double.POSITIVE_INFINITY)));
  }

  /** A numeric canonical column: null when unmapped; judged for type and range. */
  private Column number(String canonical, List<Rule> rules) {
    Optional<Column> raw = value(canonical);
    if (raw.isEmpty()) {
      return lit(null).cast(DataTypes.DoubleType);
    }
    Column n = let(canonical, raw.get().cast(DataTypes.DoubleType));
    rules.add(new Rule(raw.get().isNotNull().and(n.isNull()), "bad_value:" + canonical));
    rules.add(new Rule(nonFinite(n), "non_finite:" + canonical));
    Double limit = spec.limits().get(canonical);
    if (limit != null) {
      rules.add(new Rule(abs(n).gt(limit), "out_of_range:" + canonical));
    }
    return n;
  }

  /** A raw value through the source's value map; unmapped values become snake_case. */
  private Column mapped(Column raw) {
    Column snake = snake(raw);
    if (spec.valueMap().isEmpty()) {
      return snake;
    }
    List<Column> kv = new ArrayList<>();
    for (Map.Entry<String, String> e : spec.valueMap().entrySet()) {
      kv.add(lit(e.getKey()));
      kv.add(lit(e.getValue()));
    }
    return coalesce(
        element_at(org.apache.spark.sql.functions.map(kv.toArray(new Column[0])), raw), snake);
  }

  /** "NextSong" becomes "next_song", "Thumbs Down" becomes "thumbs_down". */
  static Column snake(Column value) {
    Column split = regexp_replace(value, "([a-z])([A-Z])", "$1_$2");
    return lower(regexp_replace(regexp_replace(trim(split), "[^A-Za-z0-9]+", "_"), "^_|_$", ""));
  }

  private Column lineType(Column order, Column quantity) {
    Optional<Column> given = value("line_type");
    if (given.isPresent()) {
      return mapped(given.get());
    }
    Column type = when(quantity.lt(0), lit("return")).otherwise(lit("purchase"));
    if (spec.cancelledOrderPattern().isPresent()) {
      type =
          when(order.rlike(spec.cancelledOrderPattern().get()), lit("cancellation"))
              .otherwise(type);
    }
    return type;
  }

  private Column snapshotDate(List<Rule> rules) {
    Optional<Column> raw = value("snapshot_date");
    if (raw.isPresent()) {
      Column date = let("snapshot_date", to_date(parseTime(raw.get(), spec.timeFormat())));
      rules.add(new Rule(raw.get().isNull(), "missing_snapshot_date"));
      rules.add(new Rule(date.isNull(), "unparseable_snapshot_date"));
      return date;
    }
    if (spec.snapshotDate().isPresent()) {
      return lit(spec.snapshotDate().get().toString()).cast(DataTypes.DateType);
    }
    return to_date(regexp_extract(col(ReadLines.FILE), spec.fileDate().orElseThrow(), 1));
  }

  private Column churnFlag(List<Rule> rules) {
    if (spec.churnFlag().isEmpty()) {
      return lit(null).cast(DataTypes.BooleanType);
    }
    SourceSpec.ChurnFlag flag = spec.churnFlag().get();
    Column raw = raw(flag.field());
    Column value =
        let(
            "churned",
            when(raw.isin(flag.trueValues().toArray()), lit(true))
                .when(raw.isin(flag.falseValues().toArray()), lit(false)));
    rules.add(new Rule(raw.isNotNull().and(value.isNull()), "bad_value:churned"));
    return value;
  }

  private static Column cast(Column raw, SourceSpec.AttributeType type, Optional<String> format) {
    return switch (type) {
      case STRING -> raw;
      case INT -> raw.cast(DataTypes.IntegerType);
      case LONG -> raw.cast(DataTypes.LongType);
      case DOUBLE -> raw.cast(DataTypes.DoubleType);
      case BOOLEAN -> raw.cast(DataTypes.BooleanType);
      case DATE -> to_date(parseTime(raw, format.orElse("yyyy-MM-dd")));
      case TIMESTAMP -> parseTime(raw, format.orElse("yyyy-MM-dd HH:mm:ss"));
    };
  }

  private List<Column> personal() {
    List<Column> out = new ArrayList<>();
    for (String field : spec.personal()) {
      switch (spec.personalMode()) {
        case DROP -> {}
        case KEEP -> out.add(raw(field).as(outputName(field)));
        case HASH -> out.add(keyed(raw(field)).as(outputName(field) + "_hash"));
      }
    }
    return out;
  }

  /** firstName becomes first_name. */
  static String outputName(String field) {
    return field
        .replaceAll("([a-z])([A-Z])", "$1_$2")
        .replaceAll("[^A-Za-z0-9]+", "_")
        .toLowerCase(java.util.Locale.ROOT);
  }
}
