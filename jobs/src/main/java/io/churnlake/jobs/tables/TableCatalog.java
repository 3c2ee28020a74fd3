package io.churnlake.jobs.tables;

import io.churnlake.common.table.ChurnTable;
import io.churnlake.jobs.model.ExplainScores;
import io.churnlake.jobs.model.ModelsTable;
import io.churnlake.jobs.runs.PipelineRuns;
import io.churnlake.jobs.runs.RunLease;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Every table churnlake writes, documented: the source of {@code docs/tables.md} ({@code churnlake
 * tables}). Schemas are the jobs' own constants where a job writes from one; the others are
 * declared here and checked against the tables the nightly tests write.
 */
public final class TableCatalog {
  private TableCatalog() {}

  private static final DataType STRING = DataTypes.StringType;
  private static final DataType DATE = DataTypes.DateType;
  private static final DataType TIME = DataTypes.TimestampType;
  private static final DataType DOUBLE = DataTypes.DoubleType;
  private static final DataType INT = DataTypes.IntegerType;
  private static final DataType LONG = DataTypes.LongType;
  private static final DataType BOOL = DataTypes.BooleanType;

  private static final String LINEAGE_SOURCE = "name of the configured source the row came from";
  private static final String LINEAGE_FILE = "file the row was read from (file name)";
  private static final String LINEAGE_RUN = "id of the ingest run that loaded the row";
  private static final String DRIVERS =
      "the three features pushing this customer's score up most: array of (feature, value (the"
          + " customer's), contribution (to the raw score, log-odds), reason (a phrase for people),"
          + " category (what a retention team acts on: friction, disengagement, billing,"
          + " plan-change, tenure or other; score.reason-categories))";
  private static final String RUN_ID = "id of the command run that wrote the row";

  /** The documentation of one table. */
  public static TableDoc of(ChurnTable table) {
    return all().stream().filter(d -> d.table() == table).findFirst().orElseThrow();
  }

  /** The documentation of every table, in the order of {@link ChurnTable}. */
  public static List<TableDoc> all() {
    return List.of(
        events(),
        transactions(),
        customers(),
        quarantine(),
        ingestedFiles(),
        dailyActivity(),
        dailyPurchases(),
        customerFeatures(),
        churnLabels(),
        churnScores(),
        riskSegments(),
        segmentSummary(),
        modelEvaluations(),
        models(),
        modelSearch(),
        churnDrivers(),
        featureDrift(),
        customerValue(),
        clvModels(),
        churnKpis(),
        cohortRetention(),
        campaignOutcomes(),
        actionEffects(),
        upliftModels(),
        upliftScores(),
        generatedTruth(),
        generatedEffects(),
        pipelineRuns(),
        pipelineLeases());
  }

  static TableDoc events() {
    return TableDoc.of(ChurnTable.EVENTS)
        .grain("one row per loaded event record (exact duplicates are quarantined)")
        .writtenBy("`ingest`, `nightly`; rows removed by `forget`")
        .about(
            "Canonical interaction events (app and web logs) from every `kind = events` source;"
                + " duplicates and bad records are in `quarantine`, never here.")
        .schema(
            new StructType()
                .add("customer_id", STRING)
                .add("event_time", TIME)
                .add("event_date", DATE)
                .add("event_type", STRING)
                .add("session_id", STRING)
                .add("amount", DOUBLE)
                .add("source", STRING)
                .add("source_file", STRING)
                .add("ingest_run_id", STRING))
        .col("customer_id", "the customer (the source's id, or its keyed hash when configured)")
        .col("event_time", "when the event happened (UTC)")
        .col("event_date", "UTC date of `event_time`; the partition column")
        .col("event_type", "normalised event name, e.g. `next_song`, `thumbs_down`, `cancellation`")
        .col("session_id", "the source's session, null for events outside a session (billing)")
        .col(
            "amount", "money the event carries (billing), in the source's currency; null otherwise")
        .col("source", LINEAGE_SOURCE)
        .col("source_file", LINEAGE_FILE)
        .col("ingest_run_id", LINEAGE_RUN)
        .moreColumns(
            "after `amount`, each source's mapped attributes in alphabetical order (the generator's"
                + " log: `artist, auth, gender, item_in_session, length, level, location, method,"
                + " page, registration_time, song, status`); see docs/sources-events.md")
        .example(
            "Events per day and type in the last week",
            "SELECT event_date, event_type, count(*) AS events FROM events"
                + " WHERE event_date >= date_sub(current_date(), 7)"
                + " GROUP BY event_date, event_type ORDER BY event_date, events DESC")
        .example(
            "Daily active customers",
            "SELECT event_date, count(DISTINCT customer_id) AS active_customers FROM events"
                + " GROUP BY event_date ORDER BY event_date")
        .example(
            "Which source file a customer's events came from",
            "SELECT source, source_file, min(event_time) AS first, max(event_time) AS last,"
                + " count(*) AS events FROM events WHERE customer_id = '100001'"
                + " GROUP BY source, source_file ORDER BY first")
        .build();
  }

  static TableDoc transactions() {
    return TableDoc.of(ChurnTable.TRANSACTIONS)
        .grain("one row per loaded order line (exact duplicates are quarantined)")
        .writtenBy("`ingest`, `nightly`; rows removed by `forget`")
        .about(
            "Order or invoice lines (purchases, cancellations, returns) from every `kind ="
                + " transactions` source; the input of purchase features, inactivity labels and"
                + " BG/NBD customer value.")
        .schema(
            new StructType()
                .add("order_id", STRING)
                .add("customer_id", STRING)
                .add("event_time", TIME)
                .add("event_date", DATE)
                .add("product_id", STRING)
                .add("quantity", DOUBLE)
                .add("unit_price", DOUBLE)
                .add("amount", DOUBLE)
                .add("line_type", STRING)
                .add("source", STRING)
                .add("source_file", STRING)
                .add("ingest_run_id", STRING))
        .col("order_id", "the order or invoice the line belongs to")
        .col("customer_id", "the buying customer")
        .col("event_time", "when the order was placed (UTC)")
        .col("event_date", "UTC date of `event_time`; the partition column")
        .col("product_id", "the product (stock code) of the line")
        .col("quantity", "units; negative on cancellation and return lines")
        .col("unit_price", "price per unit in the source's currency")
        .col("amount", "quantity x unit price, in the source's currency (negative for returns)")
        .col("line_type", "`purchase`, `cancellation` or `return`")
        .col("source", LINEAGE_SOURCE)
        .col("source_file", LINEAGE_FILE)
        .col("ingest_run_id", LINEAGE_RUN)
        .moreColumns(
            "after `line_type`, each source's mapped attributes in alphabetical order (the retail"
                + " example: `country, description`); see docs/sources-transactions.md")
        .example(
            "Net revenue per month",
            "SELECT trunc(event_date, 'MM') AS month, sum(amount) AS net_revenue,"
                + " count(DISTINCT customer_id) AS buyers FROM transactions"
                + " GROUP BY 1 ORDER BY 1")
        .example(
            "Return rate per product",
            "SELECT product_id, sum(CASE WHEN line_type = 'return' THEN 1 ELSE 0 END) / count(*)"
                + " AS return_share, count(*) AS lines FROM transactions GROUP BY product_id"
                + " HAVING count(*) >= 50 ORDER BY return_share DESC LIMIT 20")
        .example(
            "Orders per customer",
            "SELECT customer_id, count(DISTINCT order_id) AS orders, sum(amount) AS net_spend"
                + " FROM transactions GROUP BY customer_id ORDER BY net_spend DESC LIMIT 20")
        .build();
  }

  static TableDoc customers() {
    return TableDoc.of(ChurnTable.CUSTOMERS)
        .grain("one row per customer and snapshot date", "customer_id", "snapshot_date")
        .writtenBy("`ingest`, `nightly`; rows removed by `forget`")
        .about(
            "CRM or billing attributes per snapshot (contract, plan, region, charges...), with the"
                + " source's churn flag when it has one (`labels.definition = given`).")
        .schema(
            new StructType()
                .add("customer_id", STRING)
                .add("snapshot_date", DATE)
                .add("churned", BOOL)
                .add("source", STRING)
                .add("source_file", STRING)
                .add("ingest_run_id", STRING))
        .col("customer_id", "the customer")
        .col("snapshot_date", "the date the attributes were true on; the partition column")
        .col("churned", "the source's churn flag (null when the source has none)")
        .col("source", LINEAGE_SOURCE)
        .col("source_file", LINEAGE_FILE)
        .col("ingest_run_id", LINEAGE_RUN)
        .moreColumns(
            "after `churned`, each source's mapped attributes in alphabetical order (the telco"
                + " example: `contract, dependents, gender, internet_service, monthly_charges, ...`);"
                + " see docs/sources-customers.md")
        .example(
            "Customers per snapshot",
            "SELECT snapshot_date, count(*) AS customers FROM customers GROUP BY 1 ORDER BY 1")
        .example(
            "Churn flag share per snapshot (given labels)",
            "SELECT snapshot_date, avg(CASE WHEN churned THEN 1.0 ELSE 0.0 END) AS churn_share"
                + " FROM customers WHERE churned IS NOT NULL GROUP BY 1 ORDER BY 1")
        .example(
            "A customer's history of snapshots",
            "SELECT * FROM customers WHERE customer_id = '7590-VHVEG' ORDER BY snapshot_date")
        .build();
  }

  static TableDoc quarantine() {
    return TableDoc.of(ChurnTable.QUARANTINE)
        .grain("one row per raw record that did not load", "source", "source_file", "source_offset")
        .writtenBy("`ingest`, `nightly`; purged after `ingest.quarantine-retention-days`, `forget`")
        .about(
            "Raw records that did not become rows, each with the reason (docs/sources.md lists"
                + " them). **Can hold personal data**: the record is kept as read.")
        .schema(TableSchemas.QUARANTINE)
        .col("source", LINEAGE_SOURCE)
        .col("source_file", LINEAGE_FILE)
        .col(
            "source_offset",
            "byte offset of the record's line in its file; null for Parquet/Delta; for"
                + " `corrupt_file`, the bytes that decompressed")
        .col(
            "reason",
            "why: `malformed_json`, `missing_customer_id`, `bad_value:<column>`,"
                + " `duplicate_record`, `corrupt_file` (a compressed file that does not"
                + " decompress: one row for the file, none of its records loaded) ...")
        .col(
            "record",
            "the record's text as read; for `corrupt_file`, the codec's complaint (no content)")
        .col("customer_id", "the customer when the record names one readably, else null")
        .col("ingest_run_id", LINEAGE_RUN)
        .col("quarantined_at", "when the record was quarantined (UTC)")
        .example(
            "Quarantined records per reason and source",
            "SELECT source, reason, count(*) AS records FROM quarantine"
                + " GROUP BY source, reason ORDER BY records DESC")
        .example(
            "The files with most bad records",
            "SELECT source_file, count(*) AS records FROM quarantine GROUP BY source_file"
                + " ORDER BY records DESC LIMIT 10")
        .example(
            "A sample of one reason's records",
            "SELECT source_file, source_offset, record FROM quarantine"
                + " WHERE reason = 'malformed_json' ORDER BY source_file, source_offset LIMIT 20")
        .build();
  }

  static TableDoc ingestedFiles() {
    return TableDoc.of(ChurnTable.INGESTED_FILES)
        .grain("one row per source file ingested", "source", "file_name")
        .writtenBy("`ingest`, `nightly`")
        .about(
            "The ingest ledger: which files were loaded, their fingerprint, and the reconciliation"
                + " `rows_read = rows_loaded + rows_quarantined + rows_dropped`; a file is not"
                + " ingested twice.")
        .schema(TableSchemas.INGESTED_FILES)
        .col("source", "the configured source")
        .col("file_name", "the file's name")
        .col("file_path", "the file's full path or URI when it was read")
        .col("file_size", "size in bytes")
        .col("file_modified", "the file's modification time (UTC)")
        .col("file_date", "the date in the file's name (null when names carry no date)")
        .col(
            "content_hash",
            "fingerprint of the content: the sum of the xxhash64 of every record with its offset")
        .col("ingest_run_id", LINEAGE_RUN)
        .col("ingested_at", "when the file's rows were committed (UTC)")
        .col("rows_read", "records read from the file")
        .col("rows_loaded", "records written to the target table")
        .col("rows_quarantined", "records written to `quarantine`")
        .col("rows_dropped", "records dropped on purpose: `rows_blank + rows_filtered`")
        .col("rows_blank", "blank lines")
        .col("rows_filtered", "records the source's `filter` excluded")
        .col("unmapped_fields", "fields in the file that no mapping reads (comma-separated)")
        .example(
            "Loaded and quarantined records per day of files",
            "SELECT file_date, sum(rows_read) AS records, sum(rows_loaded) AS loaded,"
                + " sum(rows_quarantined) AS quarantined FROM ingested_files"
                + " GROUP BY file_date ORDER BY file_date")
        .example(
            "Files with a quarantine share above 1%",
            "SELECT source, file_name, rows_quarantined / rows_read AS quarantine_share"
                + " FROM ingested_files WHERE rows_quarantined > 0.01 * rows_read"
                + " ORDER BY quarantine_share DESC")
        .example(
            "The last files ingested per source",
            "SELECT source, max(ingested_at) AS last_ingest, max(file_date) AS newest_file"
                + " FROM ingested_files GROUP BY source")
        .build();
  }

  private static final String DAILY_REFRESH =
      " Brought up to date with its source before every read: only the days whose source rows"
          + " changed since it was last built (late files and `forget` included) are aggregated"
          + " again; the whole table is rebuilt when the source was created again, its log no"
          + " longer reaches back, the aggregate's definition changed, or with `nightly --force`."
          + " Its newest refresh commit's `userMetadata` records the source version it is"
          + " current with.";

  static TableDoc dailyActivity() {
    return TableDoc.of(ChurnTable.DAILY_ACTIVITY)
        .grain("one row per customer and day with events", "customer_id", "event_date")
        .writtenBy(
            "`features`, `labels`, `train`, `backtest`, `nightly` (refreshed from `events`); rows"
                + " removed by `forget`")
        .about(
            "Events aggregated per customer and day: what activity features and explicit labels"
                + " are built from, so that no run aggregates every event of the history again."
                + DAILY_REFRESH)
        .schema(
            new StructType()
                .add("customer_id", STRING)
                .add("event_date", DATE)
                .add("events", INT)
                .add("sessions", INT)
                .add("session_seconds", LONG)
                .add("max_session_seconds", LONG)
                .add("churn_events", INT)
                .add("billed_amount", DOUBLE)
                .add("registration_time", TIME)
                .add("last_level", STRING))
        .col("customer_id", "the customer")
        .col("event_date", "the UTC day; the partition column")
        .col("events", "interactions on the day (billing events excluded)")
        .col(
            "sessions",
            "sessions with at least one interaction on the day (a session across midnight counts"
                + " on each of its days)")
        .col("session_seconds", "seconds between first and last interaction, summed over sessions")
        .col("max_session_seconds", "the longest session's seconds on the day")
        .col("churn_events", "events of the configured churn event type (`labels.churn-event`)")
        .col("billed_amount", "sum of billing events' amounts on the day (0 without)")
        .col("registration_time", "the earliest registration time the day's events carry")
        .col(
            "last_level",
            "the plan level after the day's last event (an event of `features.plan.level-events`"
                + " counts as the level it sets); null when the log has no level")
        .moreColumns(
            "after `max_session_seconds`, `n_<type>` (int): events of each counted type, those"
                + " of `features.event-types` (negative, positive, plan-change, content)")
        .example(
            "Active customers and interactions per day",
            "SELECT event_date, count(*) AS active_customers, sum(events) AS interactions"
                + " FROM daily_activity GROUP BY event_date ORDER BY event_date")
        .example(
            "Customers on each plan level at their latest active day",
            "SELECT last_level, count(*) AS customers FROM (SELECT customer_id,"
                + " max_by(last_level, event_date) AS last_level FROM daily_activity"
                + " GROUP BY customer_id) GROUP BY last_level")
        .example(
            "Customers whose weekly activity fell by half or more",
            "SELECT customer_id, sum(CASE WHEN event_date > date_sub(current_date(), 7) THEN"
                + " events ELSE 0 END) AS last_week, sum(CASE WHEN event_date <="
                + " date_sub(current_date(), 7) THEN events ELSE 0 END) AS week_before"
                + " FROM daily_activity WHERE event_date > date_sub(current_date(), 14)"
                + " GROUP BY customer_id HAVING last_week * 2 <= week_before"
                + " ORDER BY week_before DESC LIMIT 20")
        .build();
  }

  static TableDoc dailyPurchases() {
    return TableDoc.of(ChurnTable.DAILY_PURCHASES)
        .grain("one row per customer and day with order lines", "customer_id", "event_date")
        .writtenBy(
            "`features`, `clv`, `train`, `nightly` (refreshed from `transactions`); rows removed by"
                + " `forget`")
        .about(
            "Order lines aggregated per customer and day: what purchase features and BG/NBD"
                + " customer value are built from."
                + DAILY_REFRESH)
        .schema(
            new StructType()
                .add("customer_id", STRING)
                .add("event_date", DATE)
                .add("orders", INT)
                .add("purchase_amount", DOUBLE)
                .add("items", DOUBLE)
                .add("return_lines", INT)
                .add("return_amount", DOUBLE)
                .add("cancelled_orders", INT)
                .add("cancelled_amount", DOUBLE))
        .col("customer_id", "the customer")
        .col("event_date", "the UTC day; the partition column")
        .col("orders", "distinct orders with purchase lines")
        .col("purchase_amount", "sum of purchase lines' amounts")
        .col("items", "units bought on purchase lines")
        .col("return_lines", "return lines")
        .col("return_amount", "money refunded by returns (positive)")
        .col("cancelled_orders", "distinct orders with cancellation lines")
        .col("cancelled_amount", "money taken back by cancellations (positive)")
        .example(
            "Revenue and buyers per month",
            "SELECT trunc(event_date, 'MM') AS month, sum(purchase_amount) AS revenue,"
                + " count(DISTINCT customer_id) AS buyers FROM daily_purchases GROUP BY 1"
                + " ORDER BY 1")
        .example(
            "Days between purchases per customer",
            "SELECT customer_id, count(*) AS purchase_days, datediff(max(event_date),"
                + " min(event_date)) / greatest(count(*) - 1, 1) AS mean_days_between"
                + " FROM daily_purchases WHERE orders > 0 GROUP BY customer_id"
                + " ORDER BY purchase_days DESC LIMIT 20")
        .example(
            "Return share of spend per month",
            "SELECT trunc(event_date, 'MM') AS month, sum(return_amount) / sum(purchase_amount)"
                + " AS return_share FROM daily_purchases GROUP BY 1 ORDER BY 1")
        .build();
  }

  static TableDoc customerFeatures() {
    return TableDoc.of(ChurnTable.CUSTOMER_FEATURES)
        .grain("one row per customer and as-of date", "customer_id", "as_of_date")
        .writtenBy("`features`, `nightly` (its own date)")
        .about(
            "Per-customer features as of the end of a date, built only from rows dated on or"
                + " before it; one row per customer known on the date and not churned before it.")
        .schema(new StructType().add("customer_id", STRING).add("as_of_date", DATE))
        .col("customer_id", "the customer")
        .col("as_of_date", "the date the features describe (end of day, UTC); the partition column")
        .moreColumns(
            "the feature families present for the configured sources and windows (activity from"
                + " `events`, purchases from `transactions`, attributes from `customers`), each"
                + " column with its meaning and unit in docs/customer_features.md, generated by"
                + " `./churnlake dictionary`")
        .example(
            "Average activity of the latest snapshot",
            "SELECT as_of_date, count(*) AS customers, avg(days_since_last_activity) AS"
                + " mean_days_since_last_activity FROM customer_features"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM customer_features)"
                + " GROUP BY as_of_date")
        .example(
            "One customer's features over time",
            "SELECT * FROM customer_features WHERE customer_id = '100001' ORDER BY as_of_date")
        .example(
            "Features of churners vs retained customers (with labels)",
            "SELECT l.churned, count(*) AS customers, avg(f.days_since_last_activity) AS recency"
                + " FROM customer_features f JOIN churn_labels l"
                + " ON f.customer_id = l.customer_id AND f.as_of_date = l.as_of_date"
                + " GROUP BY l.churned")
        .build();
  }

  static TableDoc churnLabels() {
    return TableDoc.of(ChurnTable.CHURN_LABELS)
        .grain("one row per customer and as-of date", "customer_id", "as_of_date")
        .writtenBy("`labels`")
        .about(
            "Whether the customer churned within the horizon after the as-of date, by the"
                + " configured definition (docs/labels.md). Censored customers (horizon past the"
                + " data) are left out, never labelled retained.")
        .schema(
            new StructType()
                .add("customer_id", STRING)
                .add("as_of_date", DATE)
                .add("horizon_days", INT)
                .add("churned", BOOL)
                .add("churn_date", DATE)
                .add("label_definition", STRING))
        .col("customer_id", "the customer")
        .col("as_of_date", "the date the label looks forward from; the partition column")
        .col("horizon_days", "days after the as-of date in which churn counts (null: given flag)")
        .col("churned", "true when the customer churned within the horizon")
        .col("churn_date", "the day churn happened (null when retained or the flag is given)")
        .col("label_definition", "`explicit`, `inactivity` or `given`")
        .example(
            "Churn rate per as-of date",
            "SELECT as_of_date, avg(CASE WHEN churned THEN 1.0 ELSE 0.0 END) AS churn_rate,"
                + " count(*) AS customers FROM churn_labels GROUP BY as_of_date ORDER BY 1")
        .example(
            "Days from the as-of date to churn",
            "SELECT datediff(churn_date, as_of_date) AS days_to_churn, count(*) AS customers"
                + " FROM churn_labels WHERE churned GROUP BY 1 ORDER BY 1")
        .example(
            "How well a scored date's probabilities matched (calibration by decile)",
            "SELECT round(s.churn_probability, 1) AS predicted, avg(CASE WHEN l.churned THEN 1.0"
                + " ELSE 0.0 END) AS observed, count(*) AS customers FROM churn_scores s"
                + " JOIN churn_labels l USING (customer_id, as_of_date) GROUP BY 1 ORDER BY 1")
        .build();
  }

  static TableDoc churnScores() {
    return TableDoc.of(ChurnTable.CHURN_SCORES)
        .grain("one row per customer and as-of date", "customer_id", "as_of_date")
        .writtenBy("`score`, `nightly`")
        .about("The champion model's churn probability for each customer, with the reasons.")
        .schema(
            new StructType()
                .add("customer_id", STRING)
                .add("as_of_date", DATE)
                .add("churn_probability", DOUBLE)
                .add("raw_score", DOUBLE)
                .add("rank_percentile", DOUBLE)
                .add("model_version", STRING)
                .add("drivers", DataTypes.createArrayType(ExplainScores.DRIVER)))
        .col("customer_id", "the customer")
        .col("as_of_date", "the date scored; the partition column")
        .col(
            "churn_probability",
            "calibrated probability (0..1) of churning within the horizon after the as-of date")
        .col("raw_score", "the model's margin (log-odds) before calibration")
        .col(
            "rank_percentile",
            "share of the date's customers with a lower raw score (0..1, to within 0.1%)")
        .col("model_version", "the model that scored (see `models`)")
        .col("drivers", DRIVERS)
        .example(
            "The 20 customers most likely to churn",
            "SELECT customer_id, churn_probability, drivers[0].reason AS main_reason"
                + " FROM churn_scores"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM churn_scores)"
                + " ORDER BY churn_probability DESC LIMIT 20")
        .example(
            "Expected churners per date",
            "SELECT as_of_date, sum(churn_probability) AS expected_churners, count(*) AS customers"
                + " FROM churn_scores GROUP BY as_of_date ORDER BY as_of_date")
        .example(
            "How often each feature is a customer's main reason",
            "SELECT drivers[0].feature AS main_driver, count(*) AS customers FROM churn_scores"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM churn_scores)"
                + " GROUP BY 1 ORDER BY customers DESC")
        .build();
  }

  static TableDoc riskSegments() {
    return TableDoc.of(ChurnTable.RISK_SEGMENTS)
        .grain("one row per customer and as-of date", "customer_id", "as_of_date")
        .writtenBy("`segment`, `nightly`; read by `export`")
        .about(
            "The retention plan for CRM systems: risk tier x value tier = segment, its action, the"
                + " expected net value of acting and whether the customer is targeted, held out as"
                + " control, or left alone (docs/segments.md).")
        .schema(SegmentColumns.RISK_SEGMENTS)
        .col("customer_id", "the customer")
        .col("as_of_date", "the plan's date; the partition column")
        .col("churn_probability", "from `churn_scores` (0..1)")
        .col("risk_tier", "`low`, `medium` or `high` (configured cut points or score quantiles)")
        .col(
            "value",
            "value at risk in currency: what losing the customer now would cost (`customer_value`)")
        .col("value_tier", "`low`, `medium` or `high` (quantiles of value; 0 stays low)")
        .col("segment", "the matrix cell, e.g. `high value, high risk`")
        .col("action", "the segment's configured action, e.g. `personal_offer`, `none`")
        .col(
            "expected_net_value",
            "P(churn) x value x the action's save rate - its cost, in currency")
        .col(
            "targeting",
            "`targeted` (positive net value, within budget), `control` (random hold-out among"
                + " positive net values) or `none`")
        .col("drivers", DRIVERS)
        .col("model_version", "the model whose probability the plan used")
        .col("run_id", RUN_ID)
        .example(
            "The most valuable customers at risk",
            "SELECT customer_id, churn_probability, value, segment, action, targeting"
                + " FROM risk_segments"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM risk_segments)"
                + " AND risk_tier = 'high' ORDER BY churn_probability * value DESC LIMIT 25")
        .example(
            "The plan per action",
            "SELECT action, targeting, count(*) AS customers, sum(expected_net_value) AS"
                + " expected_net_value FROM risk_segments"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM risk_segments)"
                + " GROUP BY action, targeting ORDER BY action, targeting")
        .example(
            "Customers who moved into high risk since the previous plan",
            "SELECT n.customer_id, o.risk_tier AS before, n.churn_probability FROM risk_segments n"
                + " JOIN risk_segments o ON n.customer_id = o.customer_id"
                + " WHERE n.as_of_date = (SELECT max(as_of_date) FROM risk_segments)"
                + " AND o.as_of_date = date_sub(n.as_of_date, 1)"
                + " AND n.risk_tier = 'high' AND o.risk_tier <> 'high'")
        .build();
  }

  static TableDoc segmentSummary() {
    return TableDoc.of(ChurnTable.SEGMENT_SUMMARY)
        .grain("one row per as-of date and segment", "as_of_date", "segment")
        .writtenBy("`segment`, `nightly`; read by `report`")
        .about("The risk-value matrix of a plan: customers, value at risk and the plan's figures.")
        .schema(SegmentColumns.SEGMENT_SUMMARY)
        .col("as_of_date", "the plan's date; the partition column")
        .col("segment", "the matrix cell, e.g. `high value, high risk`")
        .col("value_tier", "the cell's value tier")
        .col("risk_tier", "the cell's risk tier")
        .col("action", "the cell's configured action")
        .col("customers", "customers in the cell")
        .col("mean_probability", "mean churn probability of the cell's customers")
        .col("value", "sum of the customers' value, in currency")
        .col("revenue_at_risk", "sum of P(churn) x value, in currency")
        .col("targeted", "customers targeted")
        .col("control", "customers held out as the control group")
        .col(
            "expected_saved_value",
            "over targeted customers: sum of P(churn) x value x save rate, in currency")
        .col("cost", "over targeted customers: the actions' cost, in currency")
        .col("expected_net_value", "expected_saved_value - cost, in currency")
        .example(
            "The latest risk-value matrix",
            "SELECT value_tier, risk_tier, customers, revenue_at_risk FROM segment_summary"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM segment_summary)"
                + " ORDER BY value_tier, risk_tier")
        .example(
            "Budget and expected return per plan",
            "SELECT as_of_date, sum(targeted) AS targeted, sum(cost) AS cost,"
                + " sum(expected_net_value) AS expected_net_value FROM segment_summary"
                + " GROUP BY as_of_date ORDER BY as_of_date")
        .example(
            "Revenue at risk in high-value segments over time",
            "SELECT as_of_date, sum(revenue_at_risk) AS revenue_at_risk FROM segment_summary"
                + " WHERE value_tier = 'high' GROUP BY as_of_date ORDER BY as_of_date")
        .build();
  }

  static TableDoc modelEvaluations() {
    return TableDoc.of(ChurnTable.MODEL_EVALUATIONS)
        .grain(
            "one row per model, as-of date, kind and metric",
            "model_version",
            "as_of_date",
            "kind",
            "metric")
        .writtenBy("`train`, `nightly`, `backtest`")
        .about(
            "Every figure a model earned: on its held-out date, against the champion, realised on"
                + " matured scored dates and in backtests (docs/models.md).")
        .schema(TableSchemas.MODEL_EVALUATIONS)
        .col("model_version", "the model (`backtest@T` for a backtest origin)")
        .col("as_of_date", "the date evaluated")
        .col(
            "kind",
            "`holdout`, `champion_comparison`, `realised` (scored date vs matured labels) or"
                + " `backtest`")
        .col(
            "metric",
            "`roc_auc`, `pr_auc`, `log_loss`, `brier`, `ece`, `lift_decile_NN`,"
                + " `capture_decile_NN`, `mean_probability_decile_NN`, `customers_decile_NN`,"
                + " `churners_decile_NN`, `precision_at_top`, `recall_at_top`, baselines"
                + " (`baseline_recency_roc_auc`, its gain curve `baseline_recency_gain_customers_NN`"
                + " / `_churners_NN`: cumulative shares at its decile cuts), counts")
        .col("value", "the figure (rates 0..1, counts as numbers)")
        .example(
            "ROC AUC of every model on its held-out date",
            "SELECT model_version, as_of_date, value AS roc_auc FROM model_evaluations"
                + " WHERE kind = 'holdout' AND metric = 'roc_auc' ORDER BY model_version")
        .example(
            "Realised performance over time",
            "SELECT as_of_date, model_version, value AS roc_auc FROM model_evaluations"
                + " WHERE kind = 'realised' AND metric = 'roc_auc' ORDER BY as_of_date")
        .example(
            "Backtest metrics per origin",
            "SELECT as_of_date, metric, value FROM model_evaluations WHERE kind = 'backtest'"
                + " AND metric IN ('roc_auc', 'pr_auc', 'brier') ORDER BY as_of_date, metric")
        .build();
  }

  static TableDoc models() {
    return TableDoc.of(ChurnTable.MODELS)
        .grain("one row per trained model", "model_version")
        .writtenBy("`train`, `nightly` (when it retrains)")
        .about(
            "The model registry: what each model is, what it was trained on (down to the Delta"
                + " versions of its inputs), how it scored and whether it is the champion.")
        .schema(ModelsTable.SCHEMA)
        .col("model_version", "`vNNNN`; the saved pipeline is `<warehouse>/_models/churn/vNNNN/`")
        .col("created_at", "when it was trained (UTC)")
        .col("algorithm", "`logistic`, `gbt` or `random-forest`")
        .col("parameters", "hyper-parameters and training settings, as text")
        .col("features", "the feature columns, in the model's order")
        .col("label_definition", "`explicit`, `inactivity` or `given`")
        .col("horizon_days", "the churn horizon it predicts")
        .col("trained_as_of", "the as-of date of the `train` run")
        .col("training_dates", "the as-of dates of its training rows")
        .col("calibration", "`isotonic` or `none`")
        .col("calibration_date", "the held-out date the calibration was fitted on")
        .col("evaluation_date", "the held-out date its metrics come from")
        .col(
            "validation",
            "`time-based` (earlier dates train, a later one evaluates) or `cross-sectional`"
                + " (seeded label-stratified split), in words")
        .col("table_versions", "Delta versions of the input tables it read")
        .col("metrics", "its held-out metrics (also in `model_evaluations`)")
        .col("status", "`champion`, `candidate` or `retired`")
        .col("status_reason", "why (the promotion decision and its figures)")
        .col("status_changed_at", "when the status last changed (UTC)")
        .example(
            "The champion and how it was chosen",
            "SELECT model_version, algorithm, metrics['roc_auc'] AS roc_auc, status_reason"
                + " FROM models WHERE status = 'champion'")
        .example(
            "Every model with its training dates and validation",
            "SELECT model_version, created_at, algorithm, validation, size(training_dates) AS"
                + " training_dates, evaluation_date, status FROM models ORDER BY created_at")
        .example(
            "Which events table version each model read",
            "SELECT model_version, table_versions['events'] AS events_version FROM models"
                + " ORDER BY model_version")
        .build();
  }

  static TableDoc modelSearch() {
    return TableDoc.of(ChurnTable.MODEL_SEARCH)
        .grain("one row per model and search candidate", "model_version", "candidate")
        .writtenBy("`train`, `nightly` (when it retrains)")
        .about(
            "The hyper-parameter search behind each model: every candidate's parameters and"
                + " validation figures; one row saying why when no search ran.")
        .schema(TableSchemas.MODEL_SEARCH)
        .col("model_version", "the model the search chose parameters for")
        .col("as_of_date", "the `train` run's as-of date")
        .col("candidate", "the candidate's number, from 0")
        .col("parameters", "the parameters the candidate varied")
        .col("validation", "how it was validated: rolling origins (with dates) or k-fold")
        .col("metric", "the metric compared, e.g. `roc_auc`")
        .col("folds", "the folds (origin dates or fold numbers)")
        .col("fold_values", "the metric on each fold")
        .col("mean", "mean over folds (NaN when no search ran)")
        .col("chosen", "true for the candidate the model was trained with")
        .example(
            "The candidates of the newest model",
            "SELECT candidate, parameters, mean, chosen FROM model_search"
                + " WHERE model_version = (SELECT max(model_version) FROM model_search)"
                + " ORDER BY mean DESC")
        .example(
            "How far the chosen candidate beat the runner-up",
            "SELECT model_version, max(mean) - max(CASE WHEN NOT chosen THEN mean END) AS margin"
                + " FROM model_search GROUP BY model_version ORDER BY model_version")
        .example(
            "Spread across folds",
            "SELECT model_version, candidate, array_min(fold_values) AS worst,"
                + " array_max(fold_values) AS best FROM model_search WHERE chosen")
        .build();
  }

  static TableDoc churnDrivers() {
    return TableDoc.of(ChurnTable.CHURN_DRIVERS)
        .grain(
            "one row per model, as-of date and feature", "model_version", "as_of_date", "feature")
        .writtenBy("`score`, `nightly`")
        .about("Global churn drivers of a scoring run: what the model leans on, and which way.")
        .schema(
            new StructType()
                .add("model_version", STRING)
                .add("as_of_date", DATE)
                .add("rank", INT)
                .add("feature", STRING)
                .add("importance", DOUBLE)
                .add("direction", STRING)
                .add("mean_contribution_high_risk", DOUBLE)
                .add("high_risk_customers", LONG))
        .col("model_version", "the scoring model")
        .col("as_of_date", "the date scored")
        .col("rank", "1 = most important")
        .col("feature", "the feature column")
        .col(
            "importance",
            "mean absolute contribution to the raw score (log-odds) over all customers")
        .col("direction", "`higher raises risk` or `higher lowers risk`")
        .col(
            "mean_contribution_high_risk",
            "mean contribution (log-odds) among high-risk customers; null when there are none")
        .col("high_risk_customers", "customers in the high risk tier on the date")
        .example(
            "The top ten drivers of the latest scoring",
            "SELECT rank, feature, importance, direction FROM churn_drivers"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM churn_drivers)"
                + " ORDER BY rank LIMIT 10")
        .example(
            "How a feature's importance changed across models",
            "SELECT model_version, max(importance) AS importance FROM churn_drivers"
                + " WHERE feature = 'days_since_last_activity' GROUP BY model_version ORDER BY 1")
        .example(
            "What pushes high-risk customers most",
            "SELECT feature, mean_contribution_high_risk FROM churn_drivers"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM churn_drivers)"
                + " ORDER BY mean_contribution_high_risk DESC LIMIT 10")
        .build();
  }

  static TableDoc featureDrift() {
    return TableDoc.of(ChurnTable.FEATURE_DRIFT)
        .grain(
            "one row per model, as-of date and feature", "model_version", "as_of_date", "feature")
        .writtenBy("`score`, `nightly`")
        .about(
            "Population stability of each monitored feature of a scored snapshot against the"
                + " model's training rows (ages and lifetime totals, which grow by construction,"
                + " are not monitored); a drift past the threshold can trigger retraining.")
        .schema(
            new StructType()
                .add("model_version", STRING)
                .add("as_of_date", DATE)
                .add("feature", STRING)
                .add("psi", DOUBLE)
                .add("drifted", BOOL)
                .add("threshold", DOUBLE))
        .col("model_version", "the scoring model (its training rows are the reference)")
        .col("as_of_date", "the date scored")
        .col("feature", "the feature column")
        .col("psi", "population stability index over decile bins and a missing bin")
        .col("drifted", "psi above the threshold")
        .col("threshold", "`score.psi-threshold` at the time")
        .example(
            "Features that drifted on the latest date",
            "SELECT feature, psi FROM feature_drift"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM feature_drift) AND drifted"
                + " ORDER BY psi DESC")
        .example(
            "Drift of one feature over time",
            "SELECT as_of_date, psi FROM feature_drift"
                + " WHERE feature = 'days_since_last_activity' ORDER BY as_of_date")
        .example(
            "Drifted features per date",
            "SELECT as_of_date, count_if(drifted) AS drifted, count(*) AS features"
                + " FROM feature_drift GROUP BY as_of_date ORDER BY as_of_date")
        .build();
  }

  static TableDoc customerValue() {
    return TableDoc.of(ChurnTable.CUSTOMER_VALUE)
        .grain("one row per customer and as-of date", "customer_id", "as_of_date")
        .writtenBy("`clv`, `nightly`")
        .about(
            "Customer lifetime value: BG/NBD + Gamma-Gamma for transaction data, contract value for"
                + " subscriptions (docs/clv.md). For inactivity risk rank by `expected_purchases`,"
                + " not `1 - p_alive` (1 by construction without a repeat purchase).")
        .schema(
            new StructType()
                .add("customer_id", STRING)
                .add("as_of_date", DATE)
                .add("first_purchase_date", DATE)
                .add("frequency", INT)
                .add("recency_days", INT)
                .add("age_days", INT)
                .add("mean_repeat_spend", DOUBLE)
                .add("p_alive", DOUBLE)
                .add("expected_purchases", DOUBLE)
                .add("expected_spend", DOUBLE)
                .add("clv", DOUBLE)
                .add("value_at_risk", DOUBLE)
                .add("value_model", STRING))
        .col("customer_id", "the customer")
        .col("as_of_date", "the date valued; the partition column")
        .col("first_purchase_date", "the first day with a purchase (BG/NBD only)")
        .col("frequency", "x: repeat purchase days (purchase days after the first)")
        .col("recency_days", "t_x: days from the first to the last purchase day")
        .col("age_days", "T: days from the first purchase day to the as-of date")
        .col("mean_repeat_spend", "mean spend of the repeat purchase days, in currency")
        .col("p_alive", "BG/NBD probability the customer is still active (1 without a repeat)")
        .col(
            "expected_purchases",
            "expected purchase days in the next `clv.expected-purchases-days`")
        .col("expected_spend", "expected spend per purchase (Gamma-Gamma), in currency")
        .col("clv", "discounted value over `clv.horizon-days`, in currency")
        .col(
            "value_at_risk",
            "what churning now would lose, in currency: the CLV (BG/NBD) or the contract's"
                + " discounted revenue; the plan's value")
        .col("value_model", "`bg_nbd_gamma_gamma` or `contractual` (BG/NBD columns null)")
        .example(
            "The most valuable customers",
            "SELECT customer_id, clv, p_alive, expected_purchases FROM customer_value"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM customer_value)"
                + " ORDER BY clv DESC LIMIT 20")
        .example(
            "Total and average CLV per date",
            "SELECT as_of_date, sum(clv) AS clv_total, avg(clv) AS clv_mean FROM customer_value"
                + " GROUP BY as_of_date ORDER BY as_of_date")
        .example(
            "Valuable customers expected to buy little (inactivity risk)",
            "SELECT customer_id, value_at_risk, expected_purchases FROM customer_value"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM customer_value)"
                + " AND value_at_risk > 100 ORDER BY expected_purchases LIMIT 20")
        .build();
  }

  static TableDoc clvModels() {
    return TableDoc.of(ChurnTable.CLV_MODELS)
        .grain("one row per as-of date, model and parameter", "as_of_date", "model", "parameter")
        .writtenBy("`clv`, `nightly` (transaction data)")
        .about("Fitted BG/NBD and Gamma-Gamma parameters, with standard errors and convergence.")
        .schema(TableSchemas.CLV_MODELS)
        .col("as_of_date", "the date fitted")
        .col("model", "`bg_nbd` or `gamma_gamma`")
        .col("parameter", "`r`, `alpha`, `a`, `b` (BG/NBD); `p`, `q`, `gamma` (Gamma-Gamma)")
        .col("value", "the maximum-likelihood estimate")
        .col("standard_error", "from the Hessian of the log-likelihood (null when singular)")
        .col("log_likelihood", "the fit's log-likelihood")
        .col("converged", "whether the optimiser converged")
        .col("status", "the optimiser's status message")
        .col("customers", "customers in the fit")
        .col("groups", "distinct (x, t_x, T) groups the likelihood was summed over")
        .example(
            "The latest fit",
            "SELECT model, parameter, value, standard_error, converged FROM clv_models"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM clv_models)"
                + " ORDER BY model, parameter")
        .example(
            "Parameter stability over time",
            "SELECT as_of_date, parameter, value FROM clv_models WHERE model = 'bg_nbd'"
                + " ORDER BY parameter, as_of_date")
        .example(
            "Fits that did not converge",
            "SELECT DISTINCT as_of_date, model, status FROM clv_models WHERE NOT converged")
        .build();
  }

  static TableDoc churnKpis() {
    return TableDoc.of(ChurnTable.CHURN_KPIS)
        .grain(
            "one row per as-of date, period, dimension value, metric and goal",
            "as_of_date",
            "period_grain",
            "period_start",
            "dimension",
            "dimension_value",
            "metric",
            "goal_id")
        .writtenBy("`kpis`, `nightly`; read by `report`")
        .about(
            "KPIs per month (or week) as known on the as-of date, per dimension, and each goal's"
                + " path (docs/kpis.md). A rate whose horizon has not passed is null and"
                + " `immature`, never reported early.")
        .schema(KpiColumns.CHURN_KPIS)
        .col("as_of_date", "the date the KPIs were computed on; the partition column")
        .col("period_grain", "`month` or `week`")
        .col("period_start", "first day of the period")
        .col("period_end", "last day of the period")
        .col(
            "dimension",
            "`all`, `risk_tier`, `value_tier`, `segment` or a configured customer attribute")
        .col("dimension_value", "the dimension's value (`all` for the whole base)")
        .col(
            "metric",
            "`active_customers`, `churned_customers`, `new_customers`, `churn_rate`,"
                + " `retention_rate`, `repeat_purchase_rate`, `clv_mean`, `clv_total`,"
                + " `revenue_at_risk`, `treated_churn_rate`, `control_churn_rate`,"
                + " `treatment_effect`")
        .col("value", "the figure: counts, rates 0..1, currency for CLV and revenue; null if none")
        .col("lower", "lower bound of the 95% interval (campaign rates), else null")
        .col("upper", "upper bound of the 95% interval (campaign rates), else null")
        .col("status", "`mature`, `immature`, `snapshot` or `undefined`")
        .col("note", "why a value is null or how it was taken, in words")
        .col("goal_id", "the goal a row tracks (goal rows repeat the metric), else null")
        .col("target", "the goal's straight-path target for the period")
        .col("on_track", "whether the period's value is on the goal's path")
        .col("run_id", RUN_ID)
        .example(
            "Monthly churn and retention rates",
            "SELECT period_start, metric, value, status FROM churn_kpis"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM churn_kpis)"
                + " AND dimension = 'all' AND goal_id IS NULL"
                + " AND metric IN ('churn_rate', 'retention_rate') ORDER BY period_start, metric")
        .example(
            "Is each goal on track?",
            "SELECT goal_id, period_start, value, target, on_track, note FROM churn_kpis"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM churn_kpis)"
                + " AND goal_id IS NOT NULL ORDER BY goal_id, period_start")
        .example(
            "Churn rate per risk tier",
            "SELECT period_start, dimension_value AS risk_tier, value AS churn_rate"
                + " FROM churn_kpis WHERE as_of_date = (SELECT max(as_of_date) FROM churn_kpis)"
                + " AND dimension = 'risk_tier' AND metric = 'churn_rate' ORDER BY 1, 2")
        .build();
  }

  static TableDoc cohortRetention() {
    return TableDoc.of(ChurnTable.COHORT_RETENTION)
        .grain(
            "one row per as-of date, cohort month and period offset",
            "as_of_date",
            "cohort_month",
            "period_offset")
        .writtenBy("`kpis`, `nightly`; read by `report`")
        .about("Monthly cohorts' retention and Kaplan-Meier survival (docs/kpis.md).")
        .schema(KpiColumns.COHORT_RETENTION)
        .col("as_of_date", "the date computed on; the partition column")
        .col("cohort_month", "month of the customers' first activity")
        .col("period_offset", "months after the cohort month (0 = the end of the cohort month)")
        .col("cohort_customers", "customers in the cohort")
        .col("retained_customers", "of them, active at the end of month `period_offset`")
        .col("retention_rate", "retained_customers / cohort_customers (0..1)")
        .col("survival_days", "30 x (period_offset + 1): the day the survival is read at")
        .col(
            "km_survival",
            "Kaplan-Meier probability of no churn by `survival_days` (censored customers count"
                + " until their follow-up ends); null beyond the youngest member's follow-up")
        .col(
            "km_survival_se",
            "Greenwood's standard error of `km_survival` (km_survival x sqrt of the sum of"
                + " d / (n (n - d)) over its steps); `km_survival` +- 1.96 x it is the 95% band the"
                + " report draws")
        .col("run_id", RUN_ID)
        .example(
            "The retention triangle",
            "SELECT cohort_month, period_offset, retention_rate FROM cohort_retention"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM cohort_retention)"
                + " ORDER BY cohort_month, period_offset")
        .example(
            "Three-month retention per cohort",
            "SELECT cohort_month, cohort_customers, retention_rate FROM cohort_retention"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM cohort_retention)"
                + " AND period_offset = 3 ORDER BY cohort_month")
        .example(
            "Survival at 90 days per cohort",
            "SELECT cohort_month, km_survival FROM cohort_retention"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM cohort_retention)"
                + " AND survival_days = 90 ORDER BY cohort_month")
        .build();
  }

  static TableDoc campaignOutcomes() {
    return campaignOutcomeExamples(
            TableDoc.of(ChurnTable.CAMPAIGN_OUTCOMES)
                .grain(
                    "one row per as-of date, campaign wave, action and segment",
                    "as_of_date",
                    "wave_date",
                    "action",
                    "segment")
                .writtenBy("`kpis`, `nightly`; read by analysts")
                .about(
                    "Did each campaign wave work? The first retention plan of each KPI period is a wave;"
                        + " its targeted and control customers (the randomised hold-out of"
                        + " `risk_segments.targeting`) are followed for the label horizon, intent to treat,"
                        + " and compared per action and segment (docs/kpis.md). Rates and effects are null"
                        + " until the horizon has passed: an immature wave is never read as no effect.")
                .schema(KpiColumns.CAMPAIGN_OUTCOMES)
                .col("as_of_date", "the date computed on; the partition column")
                .col("wave_date", "the plan's as-of date: the first plan dated in its KPI period")
                .col("action", "the action the plan recommended (treated and control alike)")
                .col("segment", "the plan's segment (value tier x risk tier)")
                .col(
                    "horizon_days",
                    "how long customers are followed after the wave (labels.horizon-days)")
                .col(
                    "status",
                    "`mature`; `immature` (the horizon ends after `as_of_date`: no rate yet); `undefined`"
                        + " (no treated or no control customer: no effect)")
                .col("treated", "targeted customers of the wave in this action and segment")
                .col("treated_churned", "of them, churned within the horizon")
                .col("control", "control customers (held out at random, not contacted)")
                .col("control_churned", "of them, churned within the horizon")
                .col("treated_churn_rate", "treated_churned / treated; null unless mature")
                .col("treated_churn_rate_lower", "95% Wilson interval, lower bound")
                .col("treated_churn_rate_upper", "95% Wilson interval, upper bound")
                .col("control_churn_rate", "control_churned / control; null unless mature")
                .col("control_churn_rate_lower", "95% Wilson interval, lower bound")
                .col("control_churn_rate_upper", "95% Wilson interval, upper bound")
                .col(
                    "effect",
                    "treated_churn_rate - control_churn_rate (negative: the action kept customers); null"
                        + " unless mature with both groups")
                .col("effect_lower", "Newcombe's 95% interval of the difference, lower bound")
                .col("effect_upper", "Newcombe's 95% interval of the difference, upper bound")
                .col(
                    "relative_effect",
                    "the save rate the wave realised: (control - treated rate) / control rate; null when"
                        + " the control rate is 0 or the effect is null")
                .col(
                    "expected_net_value",
                    "the plan's expected net value summed over the treated customers")
                .col(
                    "realised_net_value",
                    "(control - treated rate) x the treated customers' value - their contact cost"
                        + " (segment.actions); null when the effect is")
                .col("note", "how the row was counted, and why a rate is missing")
                .col("run_id", RUN_ID))
        .build();
  }

  /** The example queries of {@code campaignOutcomes}. */
  private static TableDoc.Builder campaignOutcomeExamples(TableDoc.Builder b) {
    return b.example(
            "Matured waves: effect and realised against expected value",
            "SELECT wave_date, action, segment, treated, control, effect, effect_lower,"
                + " effect_upper, realised_net_value, expected_net_value"
                + " FROM campaign_outcomes"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM campaign_outcomes)"
                + " AND status = 'mature'"
                + " ORDER BY wave_date, action, segment")
        .example(
            "Each action's realised save rate, pooled over matured waves",
            "SELECT action, sum(treated) AS treated, sum(control) AS control,"
                + " 1 - (sum(treated_churned) / sum(treated))"
                + " / (sum(control_churned) / sum(control)) AS pooled_save_rate"
                + " FROM campaign_outcomes"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM campaign_outcomes)"
                + " AND status = 'mature'"
                + " GROUP BY action ORDER BY action")
        .example(
            "Waves still maturing, and when they will",
            "SELECT wave_date, date_add(wave_date, horizon_days) AS matures_on,"
                + " sum(treated) AS treated, sum(control) AS control"
                + " FROM campaign_outcomes"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM campaign_outcomes)"
                + " AND status = 'immature'"
                + " GROUP BY wave_date, horizon_days ORDER BY wave_date");
  }

  static TableDoc actionEffects() {
    return TableDoc.of(ChurnTable.ACTION_EFFECTS)
        .grain("one row per as-of date and configured action", "as_of_date", "action")
        .writtenBy("`kpis`, `nightly`; read by analysts")
        .about(
            "What each retention action really saves: the configured save-rate as a prior,"
                + " updated by every matured wave of `campaign_outcomes` (treated vs control per"
                + " wave and segment, each with its own control churn probability integrated out;"
                + " docs/kpis.md). An action with no matured wave keeps its prior and says so.")
        .schema(KpiColumns.ACTION_EFFECTS)
        .col("as_of_date", "the date computed on; the partition column")
        .col("action", "a configured action (segment.actions)")
        .col("waves", "matured waves with treated and control customers of the action")
        .col("strata", "of them, the wave-and-segment groups the posterior combines")
        .col("treated", "treated customers in those groups")
        .col("control", "control customers in those groups")
        .col("prior_save_rate", "the configured save-rate (segment.actions.<action>.save-rate)")
        .col(
            "prior_strength",
            "the prior's weight in pseudo-customers (segment.save-rate-prior-strength)")
        .col(
            "save_rate",
            "posterior mean of the share of would-be churners the action keeps (-1..1; negative:"
                + " the action raises churn)")
        .col("save_rate_lower", "95% credible interval, lower bound")
        .col("save_rate_upper", "95% credible interval, upper bound")
        .col("source", "`learned` (at least one matured group) or `prior` (the configured rate)")
        .col("note", "where the rate came from, in words")
        .col("run_id", RUN_ID)
        .example(
            "The save rates as of the latest run",
            "SELECT action, source, round(save_rate, 3) AS save_rate,"
                + " round(save_rate_lower, 3) AS lower, round(save_rate_upper, 3) AS upper,"
                + " prior_save_rate, waves"
                + " FROM action_effects"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM action_effects)"
                + " ORDER BY action")
        .example(
            "How an action's learned rate moved over time",
            "SELECT as_of_date, save_rate, save_rate_lower, save_rate_upper, waves"
                + " FROM action_effects"
                + " WHERE action = 'personal-offer'"
                + " ORDER BY as_of_date")
        .example(
            "Actions whose evidence contradicts the configured rate",
            "SELECT action, prior_save_rate, save_rate, save_rate_lower, save_rate_upper"
                + " FROM action_effects"
                + " WHERE as_of_date = (SELECT max(as_of_date) FROM action_effects)"
                + " AND (prior_save_rate < save_rate_lower OR prior_save_rate > save_rate_upper)"
                + " ORDER BY action")
        .build();
  }

  static TableDoc generatedTruth() {
    return TableDoc.of(ChurnTable.GENERATED_TRUTH)
        .grain(
            "one row per customer, as-of date and horizon",
            "customer_id",
            "as_of_date",
            "horizon_days")
        .writtenBy("`generate` (synthetic data only)")
        .about(
            "The generator's true churn probabilities: what a perfect model would say; used to"
                + " judge models on synthetic data (docs/generator.md).")
        .schema(TableSchemas.GENERATOR_TRUTH)
        .col("customer_id", "the simulated customer")
        .col("as_of_date", "the date the probability looks forward from; the partition column")
        .col("horizon_days", "the horizon the probability is for")
        .col("true_probability", "the simulation's probability of churning within the horizon")
        .col("drivers", "the simulated hazard's active drivers for the customer")
        .example(
            "Mean true churn probability per date",
            "SELECT as_of_date, avg(true_probability) AS mean_probability FROM generated_truth"
                + " GROUP BY as_of_date ORDER BY as_of_date")
        .example(
            "Model probability vs truth",
            "SELECT round(t.true_probability, 1) AS truth, avg(s.churn_probability) AS model,"
                + " count(*) AS customers FROM generated_truth t JOIN churn_scores s"
                + " USING (customer_id, as_of_date) GROUP BY 1 ORDER BY 1")
        .example(
            "How often each simulated driver is active",
            "SELECT d AS driver, count(*) AS customers FROM generated_truth"
                + " LATERAL VIEW explode(drivers) x AS d GROUP BY d ORDER BY customers DESC")
        .build();
  }

  static TableDoc upliftModels() {
    return TableDoc.of(ChurnTable.UPLIFT_MODELS)
        .grain("one row per uplift model trained", "model_version")
        .writtenBy("`uplift`, `nightly` (once a campaign wave with a control group has matured)")
        .about(
            "The uplift model registry's index (the pipelines under"
                + " `<warehouse>/_models/uplift/<model_version>/`, one per action or"
                + " `{treated,control}`): the `segment.uplift-learner` trained on the randomised"
                + " customers of every matured wave but the"
                + " latest, evaluated on the latest by its Qini coefficient beside a random"
                + " score's and, on generated data, the oracle's (ranking by the true effect) and"
                + " the comparison of that wave's plan with uplift targeting at its budget"
                + " (docs/models.md, Uplift).")
        .schema(TableSchemas.UPLIFT_MODELS)
        .col("model_version", "the model's version (v0000, v0001, ...)")
        .col("as_of_date", "the night it was trained")
        .col(
            "algorithm",
            "`isotonic transformed outcome`, or `two-model` and the classifier of both models"
                + " (train.algorithm)")
        .col("training_waves", "the plan dates whose randomised customers it learned from")
        .col("evaluation_wave", "the later wave it is evaluated on; null with one matured wave")
        .col("treated", "targeted customers it learned from")
        .col("control", "control customers it learned from")
        .col(
            "features",
            "its inputs: the churn model's raw score and any feature an action's effect was split"
                + " on (isotonic), or the churn model's features and one indicator per action"
                + " (two-model)")
        .col(
            "qini_coefficient",
            "area between its Qini curve and random targeting on the evaluation wave (customers"
                + " kept per treated customer); higher is better")
        .col("random_qini_coefficient", "the same for a random score: what noise gives")
        .col("oracle_qini_coefficient", "the same ranking by the true effect (generated data only)")
        .col(
            "expected_qini_coefficient",
            "the model's Qini coefficient from the evaluation wave's true effects instead of its"
                + " outcomes: the same ranking without the outcomes' noise (generated data only)")
        .col(
            "random_expected_qini_coefficient",
            "a random score's, from the true effects (generated data only; about 0)")
        .col(
            "oracle_expected_qini_coefficient",
            "the oracle's, from the true effects: the most any ranking reaches (generated data only)")
        .col("average_effect", "customers kept per treated customer when everyone is contacted")
        .col("qini_curve", "the model's Qini curve: (share contacted, customers kept) points")
        .col("oracle_qini_curve", "the oracle's Qini curve (generated data only)")
        .col(
            "compared_budget",
            "what the evaluation wave's plan spent (generated data only, with that night's"
                + " uplift_scores)")
        .col(
            "plan_true_net_value",
            "true effect x value - cost over the customers the plan targeted (churn risk)")
        .col("plan_targeted", "customers the plan targeted")
        .col(
            "uplift_true_net_value",
            "the same over the customers uplift targeting picks at the same budget")
        .col("uplift_targeted", "customers uplift targeting picks")
        .col("created_at", "when it was registered")
        .col("run_id", "the run that trained it")
        .example(
            "Each model's Qini against the oracle",
            "SELECT model_version, as_of_date, evaluation_wave, round(qini_coefficient, 4) AS qini,"
                + " round(random_qini_coefficient, 4) AS random, round(oracle_qini_coefficient, 4)"
                + " AS oracle, round(expected_qini_coefficient, 4) AS expected,"
                + " round(oracle_expected_qini_coefficient, 4) AS oracle_expected FROM uplift_models"
                + " ORDER BY model_version")
        .example(
            "Which targeting won",
            "SELECT evaluation_wave, round(plan_true_net_value, 2) AS churn_risk,"
                + " round(uplift_true_net_value, 2) AS uplift FROM uplift_models"
                + " WHERE compared_budget IS NOT NULL ORDER BY evaluation_wave")
        .example(
            "The latest model's Qini curve",
            "SELECT p.share, round(p.kept, 4) AS kept FROM (SELECT qini_curve FROM uplift_models"
                + " ORDER BY model_version DESC LIMIT 1) LATERAL VIEW explode(qini_curve) x AS p")
        .build();
  }

  static TableDoc upliftScores() {
    return TableDoc.of(ChurnTable.UPLIFT_SCORES)
        .grain(
            "one row per customer with features, as-of date and acting action",
            "customer_id",
            "as_of_date",
            "action")
        .writtenBy("`uplift`, `nightly`; read by `segment` with `segment.targeting = uplift`")
        .about(
            "Each customer's predicted response to each retention action on the date, from the"
                + " latest uplift model: churn with and without the contact and their difference."
                + " A negative uplift marks a customer to leave alone.")
        .schema(TableSchemas.UPLIFT_SCORES)
        .col("customer_id", "the customer")
        .col("as_of_date", "the date scored; the partition column")
        .col("action", "a configured action that costs or saves something")
        .col(
            "p_churn_contacted",
            "predicted P(churn within the horizon) when contacted (isotonic: p_churn_not_contacted"
                + " - the learned uplift, within 0..1); null where the action has no model")
        .col(
            "p_churn_not_contacted",
            "predicted P(churn within the horizon) when left alone (isotonic: the churn model's"
                + " calibrated probability; null for a customer it did not score)")
        .col(
            "uplift",
            "the churn the action prevents: p_churn_not_contacted - p_churn_contacted; null where"
                + " the action has no model")
        .col(
            "do_not_disturb",
            "true when the contact is predicted to raise churn (uplift < 0); false without an uplift")
        .col("model_version", "the uplift model (uplift_models)")
        .col("run_id", "the run that wrote the row")
        .example(
            "Best action per customer",
            "SELECT customer_id, max_by(action, uplift) AS action, round(max(uplift), 4) AS uplift"
                + " FROM uplift_scores WHERE as_of_date = (SELECT max(as_of_date) FROM"
                + " uplift_scores) GROUP BY customer_id ORDER BY uplift DESC LIMIT 20")
        .example(
            "Customers to leave alone per action",
            "SELECT action, count_if(do_not_disturb) AS leave_alone, count(*) AS customers FROM"
                + " uplift_scores WHERE as_of_date = (SELECT max(as_of_date) FROM uplift_scores)"
                + " GROUP BY action")
        .example(
            "Uplift by risk tier",
            "SELECT r.risk_tier, u.action, round(avg(u.uplift), 4) AS mean_uplift FROM"
                + " uplift_scores u JOIN risk_segments r USING (customer_id, as_of_date)"
                + " GROUP BY 1, 2 ORDER BY 1, 2")
        .build();
  }

  static TableDoc generatedEffects() {
    return TableDoc.of(ChurnTable.GENERATED_EFFECTS)
        .grain(
            "one row per planned customer (an action other than none), plan date and horizon",
            "customer_id",
            "as_of_date",
            "horizon_days")
        .writtenBy("`generate` with `generate.campaign.apply-plans = true` (synthetic data only)")
        .about(
            "The generator's truth of each planned retention action: the customer's churn"
                + " probability over the horizon after the plan's date without and with the"
                + " contact (paired Monte-Carlo continuations), whether or not the plan made it."
                + " What an uplift model tries to learn; used to judge learned save rates, uplift"
                + " models and targeting on synthetic data (docs/generator.md).")
        .schema(TableSchemas.GENERATED_EFFECTS)
        .col("customer_id", "the simulated customer")
        .col("as_of_date", "the plan's date; the contact acts from the next day. Partition column")
        .col("horizon_days", "churn counted in the days after the plan's date, up to this many")
        .col("action", "the plan's action for the customer's segment")
        .col("contacted", "true when the plan targeted the customer (the log has the contact)")
        .col(
            "response_group",
            "the planted response: fragile (the action cuts the hazard), steady (no effect) or"
                + " do-not-disturb (contact raises it)")
        .col("p_churn_not_contacted", "P(churn within the horizon) without this contact")
        .col("p_churn_contacted", "P(churn within the horizon) with it")
        .col(
            "true_effect",
            "p_churn_not_contacted - p_churn_contacted: the churn the contact prevents"
                + " (negative: the contact drives the customer away)")
        .example(
            "Planted save rate per action among the targeted",
            "SELECT action, round(sum(true_effect) / sum(p_churn_not_contacted), 3) AS save_rate,"
                + " count(*) AS customers FROM generated_effects WHERE contacted"
                + " GROUP BY action ORDER BY action")
        .example(
            "Effect by response group",
            "SELECT response_group, round(avg(true_effect), 4) AS mean_effect, count(*) AS customers"
                + " FROM generated_effects GROUP BY response_group")
        .example(
            "Predicted against true uplift",
            "SELECT round(u.uplift, 2) AS predicted, round(avg(e.true_effect), 4) AS true_effect,"
                + " count(*) AS customers FROM uplift_scores u JOIN generated_effects e"
                + " USING (customer_id, as_of_date, action) GROUP BY 1 ORDER BY 1")
        .build();
  }

  static TableDoc pipelineRuns() {
    return pipelineRunExamples(
            pipelineRunColumns(
                TableDoc.of(ChurnTable.PIPELINE_RUNS)
                    .grain(
                        "stage start or end of a command run (two rows per finished stage)",
                        "run_id",
                        "stage_seq",
                        "status")
                    .writtenBy(
                        "every command but `sql` and `status` (when `runs.ledger = true`); read by"
                            + " `status`")
                    .about(
                        "The run ledger: each stage appends a `running` row when it starts and a `succeeded`"
                            + " or `failed` row when it ends, so a run killed mid-stage shows that stage as"
                            + " still `running`. The latest row per (`run_id`, `stage_seq`) is the stage's"
                            + " status. `nightly` skips a stage whose latest success for the date was"
                            + " nightly's with the same `inputs` (one `skipped` row naming that run), so a"
                            + " failed run resumes from the failed stage; `--force` reruns everything. A run"
                            + " that got as far as its warehouse ends with an `exit` row holding the"
                            + " command's exit code.")
                    .schema(PipelineRuns.SCHEMA)))
        .build();
  }

  /** The documented columns of {@code pipeline_runs}, in its schema's order. */
  private static TableDoc.Builder pipelineRunColumns(TableDoc.Builder b) {
    return b.col(
            "run_id",
            "the command run (one per invocation): a random UUID, or the caller's `--run-id`")
        .col("command", "the command, e.g. `nightly`")
        .col("as_of_date", "the command's as-of date, null for commands without one")
        .col("stage_seq", "the stage's number within the run, from 1, in start order")
        .col(
            "stage",
            "the stage, e.g. `ingest events`, `train`, `segment`; `exit` for how the run"
                + " ended")
        .col("status", "`running`, `succeeded`, `failed` or `skipped`")
        .col("started_at", "when the stage started (UTC)")
        .col("ended_at", "when it ended (UTC); null on `running` rows")
        .col("seconds", "duration in seconds; null on `running` rows")
        .col(
            "error", "the one-line error of a failed stage; for a skipped one, the run that did it")
        .col("host", "host/pid of the driver that ran it")
        .col("churnlake_version", "the churnlake version that ran it")
        .col(
            "inputs",
            "nightly: fingerprint of what the stage read (configuration, date, ingested files"
                + " dated on or before it, champion model); null for other commands")
        .col(
            "tables_read",
            "each table the stage read and the Delta version it read (the first read of each);"
                + " null on `running` and `skipped` rows")
        .col(
            "tables_written",
            "each table the stage wrote: the last Delta version it committed, the rows its"
                + " commits wrote (Delta's `numOutputRows`) and the number of commits; a failed"
                + " stage lists what it committed before failing")
        .col("rows_written", "rows written to all tables by the stage")
        .col(
            "git_commit",
            "the git commit churnlake was built from (`-dirty` when built from changed files),"
                + " `unknown` when built outside git")
        .col(
            "exit_code",
            "on the run's last row, stage `exit`: the code the command exited with (0 done, 1"
                + " failed, 2 usage or configuration, 3 another run held the lease), also when"
                + " the exit code does not reach the caller (cluster deploy mode: `status"
                + " --run ID --exit-code`); null on stage rows");
  }

  /** The example queries of {@code pipelineRuns}. */
  private static TableDoc.Builder pipelineRunExamples(TableDoc.Builder b) {
    return b.example(
            "Which table versions the latest scores came from",
            "SELECT run_id, stage, tables_read, tables_written FROM pipeline_runs"
                + " WHERE stage = 'score' AND status = 'succeeded' ORDER BY ended_at DESC LIMIT 1")
        .example(
            "The stages of the latest nightly runs",
            "SELECT run_id, as_of_date, stage, status, seconds, rows_written FROM pipeline_runs"
                + " WHERE command = 'nightly' AND status <> 'running'"
                + " ORDER BY started_at DESC LIMIT 50")
        .example(
            "Stages that failed, with their errors",
            "SELECT started_at, command, as_of_date, stage, error FROM pipeline_runs"
                + " WHERE status = 'failed' ORDER BY started_at DESC");
  }

  static TableDoc pipelineLeases() {
    return TableDoc.of(ChurnTable.PIPELINE_LEASES)
        .grain("one row per command and date ever run under a lease", "lease_key")
        .writtenBy("`nightly`")
        .about(
            "Leases that keep two runs of the same command and date apart: taken by one MERGE"
                + " (Delta's optimistic concurrency lets one of two simultaneous runs win; the"
                + " other exits 3), renewed by a heartbeat, released at the end; a lease without"
                + " a heartbeat for `runs.lease-stale-minutes` can be taken over.")
        .schema(RunLease.SCHEMA)
        .col("lease_key", "command and date, e.g. `nightly 2026-07-19`")
        .col("run_id", "the run holding (or that last held) the lease")
        .col("holder", "host/pid of that run's driver")
        .col("acquired_at", "when the run took the lease (UTC)")
        .col("heartbeat_at", "the holder's last heartbeat (UTC)")
        .col("released_at", "when the holder released it (UTC); null while held")
        .example(
            "Leases held now",
            "SELECT lease_key, run_id, holder, acquired_at, heartbeat_at FROM pipeline_leases"
                + " WHERE released_at IS NULL")
        .example(
            "Leases whose holder has been silent for over 30 minutes",
            "SELECT lease_key, holder, heartbeat_at FROM pipeline_leases WHERE released_at IS NULL"
                + " AND heartbeat_at < current_timestamp() - INTERVAL 30 MINUTES")
        .example(
            "How long each nightly held its lease",
            "SELECT lease_key, (unix_timestamp(released_at) - unix_timestamp(acquired_at)) / 60"
                + " AS minutes FROM pipeline_leases WHERE lease_key LIKE 'nightly %'"
                + " ORDER BY lease_key DESC")
        .build();
  }
}
