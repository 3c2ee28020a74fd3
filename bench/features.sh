#!/usr/bin/env bash
# Benchmark: features for 13 weekly as-of dates (building the daily tables from every event), then,
# after one more day's file is ingested, for that date alone (what nightly does: the daily table
# aggregates only the new day),
# over about 10 million generated events, by churnlake on local Spark and by DuckDB (in-process, same machine, same Parquet files, the same
# activity feature family), and by Spark SQL running DuckDB's query on the same files (the engine's own
# figure: bench/FeaturesSparkSql.java), with the ratios of the times. Then, from churnlake's own tables, the
# planted churn drivers (docs/generator.md) as features: mean for churners vs the others.
# Usage: bench/features.sh [customers] [days]   (defaults: 30000 180, about 9.3 M events)
#   BENCH_DIR=dir keeps the generated log and warehouse there (re-runs skip generate + ingest).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-30000}"; days="${2:-180}"
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
cores="$(nproc)"
wh="$work/warehouse"
OPENS="$(tr '\n' ' ' < "$HERE/conf/jvm-flags")"
cl() { "$HERE/churnlake" "$@" --set warehouse="\"$wh\"" --set generate.output="\"$work/raw\""; }

duck_version=2.0.0.1
duck_jar="$HOME/.m2/repository/org/duckdb/duckdb_jdbc/$duck_version/duckdb_jdbc-$duck_version.jar"
[ -f "$duck_jar" ] || "$HERE/mvnw" -q -B dependency:get -Dartifact="org.duckdb:duckdb_jdbc:$duck_version"

if [ ! -d "$wh/events" ]; then
  cl generate --customers "$customers" --days "$days" --set generate.truth.paths=1 \
    --set generate.truth.first-day=100000 >/dev/null
  # The newest day's file is held back: it arrives as "tonight's file" before the one-date run.
  mkdir -p "$work/held"
  mv "$work/raw/$(ls "$work/raw" | sort | tail -1)" "$work/held/"
  cl ingest > "$work/ingest.txt"
fi
# Cold start for the multi-date run: the daily tables are built within its stage.
rm -rf "$wh/daily_activity" "$wh/daily_purchases"
events=$(cl sql "SELECT count(*) FROM events" --format csv | tail -1)
last=$(cl sql "SELECT max(event_date) FROM events" --format csv | tail -1)
first=$(date -u -d "$last - 84 days" +%F)
dates=(); for i in $(seq 0 12); do dates+=("$(date -u -d "$first + $((7 * i)) days" +%F)"); done
echo "events: $events (to $last); as-of dates: ${dates[0]} .. ${dates[12]} every 7 days; $cores cores"

# One measurement: churnlake's features stage and DuckDB for the given dates, and their ratio. The
# stage's own seconds come from its structured log line (JobContext: stage=features
# status=succeeded ... seconds=S); without a positive figure on either side there is no ratio and
# the benchmark fails.
compare() {
  local label="$1"; shift
  local start end st duck rows
  start=$(date +%s.%N)
  if [ $# -eq 1 ]; then
    cl features --as-of "$1" > "$work/features.txt" 2> "$work/features.log"
  else
    cl features --from "$1" --to "${@: -1}" --every 7 > "$work/features.txt" 2> "$work/features.log"
  fi
  end=$(date +%s.%N)
  st=$(sed -nE 's/.*stage=features status=succeeded .*seconds=([0-9.]+).*/\1/p' "$work/features.log" | tail -1)
  if [ -z "$st" ] || ! awk -v s="$st" 'BEGIN { exit !(s > 0) }'; then
    echo "bench/features.sh: no 'stage=features status=succeeded ... seconds=' line with a positive figure in $work/features.log" >&2
    exit 1
  fi
  rows=$(sed -nE 's/^customer_features as of [0-9-]+: ([0-9]+) customers.*/\1/p' "$work/features.txt" \
    | awk '{ s += $1 } END { print s + 0 }')
  awk -v s="$start" -v t="$end" -v st="$st" -v e="$events" -v r="$rows" -v n=$# -v l="$label" 'BEGIN {
    printf "churnlake features, %s: %d rows in %.0f s wall (%.1f s in the stage, the rest JVM and Spark start) = %.1f s per as-of date, %.0f events/s\n",
      l, r, t - s, st, st / n, e / st }'
  rm -rf "$work/duck.parquet"
  java -cp "$duck_jar" "$HERE/bench/FeaturesDuckDb.java" "$wh/events" "$work/duck.parquet" "$cores" \
    "$@" | tee "$work/duck.txt"
  duck=$(sed -nE 's/^duckdb features: .* in ([0-9.]+) s .*/\1/p' "$work/duck.txt")
  if [ -z "$duck" ] || ! awk -v d="$duck" 'BEGIN { exit !(d > 0) }'; then
    echo "bench/features.sh: DuckDB printed no positive time (see $work/duck.txt): no ratio" >&2
    exit 1
  fi
  # The engine's own figure: DuckDB's query run by Spark SQL on the same files, in a fresh session
  # and again warm (what a query costs Spark before churnlake's daily tables, Delta and ledger).
  java "$HERE/bench/FeaturesDuckDb.java" --spark-sql "$@" > "$work/spark.sql"
  rm -rf "$work/spark.parquet"
  local jar; jar="$(ls "$HERE"/jobs/target/churnlake-jobs-*[0-9T].jar | head -n 1)"  # built by cl
  # shellcheck disable=SC2086
  SPARK_LOCAL_IP=127.0.0.1 java -Xmx4g $OPENS -Duser.timezone=UTC \
    -Dlog4j2.configurationFile="$HERE/conf/log4j2.properties" \
    -cp "$jar:$(cat "$HERE/jobs/target/local-classpath.txt")" "$HERE/bench/FeaturesSparkSql.java" \
    "$work/spark.sql" "$wh/events" "$work/spark.parquet" "$cores" 2> "$work/spark.log" \
    | tee "$work/spark.txt"
  spark_cold=$(sed -nE 's/^spark sql features: .* in ([0-9.]+) s \(fresh session\).*/\1/p' "$work/spark.txt")
  spark_warm=$(sed -nE 's/^spark sql features: .*, ([0-9.]+) s \(run again, warm\).*/\1/p' "$work/spark.txt")
  if [ -z "$spark_cold" ] || [ -z "$spark_warm" ] \
    || ! awk -v c="$spark_cold" -v w="$spark_warm" 'BEGIN { exit !(c > 0 && w > 0) }'; then
    echo "bench/features.sh: Spark SQL printed no positive times (see $work/spark.txt, $work/spark.log): no ratio" >&2
    exit 1
  fi
  awk -v st="$st" -v d="$duck" -v c="$spark_cold" -v w="$spark_warm" -v l="$label" 'BEGIN {
    printf "ratio churnlake / duckdb, %s: %.2f (%.1f s / %.1f s)\n", l, st / d, st, d
    printf "ratio spark sql / duckdb, %s: %.2f fresh session, %.2f warm (%.1f s, %.1f s / %.1f s)\n", l, c / d, w / d, c, w, d
    printf "ratio churnlake / spark sql (fresh session), %s: %.2f (%.1f s / %.1f s)\n", l, st / c, st, c }'
}
compare "13 as-of dates, daily tables built from all events in the stage" "${dates[@]}"
grep -hoE 'daily_(activity|purchases): [a-z0-9 ()]+' "$work/features.log" | sed 's/^/  /' || true
# What a night does: tonight's file is ingested, then features for its date, for which the daily
# table aggregates only the days the new file touched.
if [ -n "$(ls "$work/held" 2>/dev/null)" ]; then
  mv "$work/held/"* "$work/raw/"
  cl ingest > "$work/ingest-night.txt"
  last=$(cl sql "SELECT max(event_date) FROM events" --format csv | tail -1)
  events=$(cl sql "SELECT count(*) FROM events" --format csv | tail -1)
  echo "tonight's file ingested: $events events to $last"
else
  echo "note: no held-back file (a warehouse from an earlier run): the one-date run finds its daily table up to date"
fi
compare "1 as-of date, after tonight's file" "$last"
grep -hoE 'daily_(activity|purchases): [a-z0-9 ()]+' "$work/features.log" | sed 's/^/  /' || true

# Planted drivers: labels for the as-of dates whose 30-day horizon is observed, joined to the
# features; mean of each driver's feature for churners and for the others.
mature_to=$(date -u -d "$last - 30 days" +%F)
cl labels --from "$first" --to "$mature_to" --every 7 > "$work/labels.txt" 2>/dev/null
cat "$work/labels.txt" | tail -3
cl sql "SELECT l.churned, count(*) AS customers,
  round(avg(f.thumbs_down_per_session_30d), 4) AS thumbs_down_per_session_30d,
  round(avg(f.help_per_session_30d + f.error_per_session_30d), 4) AS help_error_per_session_30d,
  round(avg(f.roll_advert_per_session_30d), 4) AS roll_advert_per_session_30d,
  round(avg(f.session_trend_14d), 3) AS session_trend_14d,
  round(avg(f.session_slope_8w), 3) AS session_slope_8w,
  round(avg(f.negative_per_session_30d), 4) AS negative_per_session_30d,
  round(avg(CASE WHEN f.submit_downgrade_30d > 0 THEN 1 ELSE 0 END), 4) AS downgraded_30d,
  round(avg(f.days_since_last_activity), 2) AS days_since_last_activity
  FROM customer_features f JOIN churn_labels l USING (customer_id, as_of_date)
  GROUP BY l.churned ORDER BY l.churned" 2>/dev/null
