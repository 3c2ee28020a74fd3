package io.churnlake.common.table;

/** Column names that downstream users and later stages rely on; keep them stable. */
public final class Columns {
  private Columns() {}

  public static final String CUSTOMER_ID = "customer_id";
  public static final String EVENT_TIME = "event_time";
  public static final String EVENT_DATE = "event_date";
  public static final String EVENT_TYPE = "event_type";
  public static final String SESSION_ID = "session_id";
  public static final String AMOUNT = "amount";
  public static final String LEVEL = "level";
  public static final String SOURCE_FILE = "source_file";
  public static final String INGEST_RUN_ID = "ingest_run_id";
  public static final String AS_OF_DATE = "as_of_date";
  public static final String HORIZON_DAYS = "horizon_days";
  public static final String CHURNED = "churned";
  public static final String CHURN_PROBABILITY = "churn_probability";
  public static final String MODEL_VERSION = "model_version";
  public static final String RISK_TIER = "risk_tier";
}
