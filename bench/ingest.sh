#!/usr/bin/env bash
# Benchmark: ingest throughput. First an event log of generated JSON lines, loaded by churnlake
# (parse, validate, de-duplicate, quarantine, reconcile, Delta commits) and, on the same files, by
# plain Spark (read.json -> write.parquet, nothing checked) and by DuckDB (read_json_auto -> one
# Parquet file), with the ratios of the throughputs; then a transaction log of invoice lines (CSV).
# The figures are the seconds inside each program (JVM start excluded on every side): churnlake's
# come from its structured stage line (stage=ingest_events status=succeeded ... seconds=S). Exits 1
# when a side prints no positive figure (no ratio can be computed).
# Usage: bench/ingest.sh [customers] [days] [transaction lines]   (defaults: 10000 180 10000000)
#   ROUNDS=n (default 3) repeats the event-log comparison, interleaved, and compares medians.
#   The defaults give about 3 million generated events (JSON lines, about 1.2 GB) and 10 million
#   invoice lines (CSV, written with awk in the Online Retail layout of conf/examples); 0 lines
#   skips the transaction log. BENCH_DIR=dir keeps the generated files there (re-runs reuse them).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-10000}"; days="${2:-180}"; lines="${3:-10000000}"
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
cores="$(nproc)"
wh="$work/ingest-warehouse"
fail() { echo "bench/ingest.sh: $*" >&2; exit 1; }
positive() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }

"$HERE/churnlake" --version >/dev/null   # builds the project when sources changed
JAR="$(ls "$HERE"/jobs/target/churnlake-jobs-*[0-9T].jar | head -n 1)"
OPENS="$(tr '\n' ' ' < "$HERE/conf/jvm-flags")"
duck_version=2.0.0.1
duck_jar="$HOME/.m2/repository/org/duckdb/duckdb_jdbc/$duck_version/duckdb_jdbc-$duck_version.jar"
[ -f "$duck_jar" ] || "$HERE/mvnw" -q -B dependency:get -Dartifact="org.duckdb:duckdb_jdbc:$duck_version"

if [ ! -d "$work/raw" ]; then
  "$HERE/churnlake" generate --customers "$customers" --days "$days" --output "$work/raw" \
    --set warehouse="\"$work/gen-warehouse\"" --set generate.truth.paths=1 \
    --set generate.truth.first-day=100000 >/dev/null
fi
events_bytes=$(du -sbL "$work/raw" | cut -f1)

# ROUNDS rounds (default 3), the three sides interleaved in each, so that the machine's drift
# falls on all of them; the medians are compared.
rounds="${ROUNDS:-3}"
ours=(); plains=(); ducks=()
for round in $(seq 1 "$rounds"); do
  rm -rf "$wh"
  start=$(date +%s.%N)
  "$HERE/churnlake" ingest --set warehouse="\"$wh\"" --set generate.output="\"$work/raw\"" \
    > "$work/ingest-events.txt" 2> "$work/ingest-events.log"
  end=$(date +%s.%N)
  read_events=$(sed -nE 's/^events: [0-9]+ files, ([0-9]+) records read.*/\1/p' "$work/ingest-events.txt")
  st=$(sed -nE 's/.*stage=ingest_events status=succeeded .*seconds=([0-9.]+).*/\1/p' "$work/ingest-events.log" | tail -1)
  positive "$read_events" || fail "no records read in $work/ingest-events.txt"
  positive "$st" || fail "no 'stage=ingest_events status=succeeded ... seconds=' line with a positive figure in $work/ingest-events.log"
  awk -v r="$read_events" -v b="$events_bytes" -v s="$start" -v t="$end" -v st="$st" -v n="$cores" -v k="$round" 'BEGIN {
    printf "round %d: churnlake ingest, events (JSON lines, %.2f GB): %d records in %.1f s in the stage (%.0f s wall) = %.0f records/s, %.0f records/s per core (%d cores)\n",
      k, b / 1e9, r, st, t - s, r / st, r / st / n, n }'
  ours+=("$st")

  rm -rf "$work/plain.parquet"
  # shellcheck disable=SC2086
  SPARK_LOCAL_IP=127.0.0.1 java -Xmx4g $OPENS -Duser.timezone=UTC \
    -Dlog4j2.configurationFile="$HERE/conf/log4j2.properties" \
    -cp "$JAR:$(cat "$HERE/jobs/target/local-classpath.txt")" "$HERE/bench/IngestPeers.java" \
    "$work/raw" "$work/plain.parquet" "$cores" 2>/dev/null > "$work/plain.txt"
  sed "s/^/round $round: /" "$work/plain.txt"
  plain=$(sed -nE 's/^plain spark json -> parquet: ([0-9]+) records in ([0-9.]+) s.*/\2/p' "$work/plain.txt")
  positive "$plain" || fail "plain Spark printed no positive time (see $work/plain.txt): no ratio"
  plains+=("$plain")

  rm -rf "$work/duck.parquet"
  java -cp "$duck_jar" "$HERE/bench/IngestDuckDb.java" "$work/raw" "$work/duck.parquet" "$cores" \
    > "$work/duck.txt"
  sed "s/^/round $round: /" "$work/duck.txt"
  duck=$(sed -nE 's/^duckdb json -> parquet: ([0-9]+) records in ([0-9.]+) s.*/\2/p' "$work/duck.txt")
  positive "$duck" || fail "DuckDB printed no positive time (see $work/duck.txt): no ratio"
  ducks+=("$duck")
done
cat "$work/ingest-events.txt"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
st=$(median "${ours[@]}"); plain=$(median "${plains[@]}"); duck=$(median "${ducks[@]}")
awk -v st="$st" -v p="$plain" -v d="$duck" -v k="$rounds" -v r="$read_events" 'BEGIN {
  printf "medians of %d rounds: churnlake %.1f s (%.0f records/s), plain Spark %.1f s, DuckDB %.1f s\n", k, st, r / st, p, d;
  printf "churnlake throughput / plain Spark: %.0f%% (target >= 50%%)\n", 100 * p / st;
  printf "churnlake throughput / DuckDB: %.0f%%\n", 100 * d / st }'

[ "$lines" -gt 0 ] || exit 0
mkdir -p "$work/retail"
# Ten files of invoice lines: about 3 lines per invoice, 1 in 50 invoices cancelled.
awk -v total="$lines" -v dir="$work/retail" 'BEGIN {
  srand(7); per = int(total / 10);
  for (f = 0; f < 10; f++) {
    file = sprintf("%s/invoices-%02d.csv", dir, f);
    print "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country" > file;
    for (i = 0; i < per; i++) {
      n = f * per + i; inv = int(n / 3);
      cancel = (inv % 50 == 0);
      q = int(rand() * 24) + 1; if (cancel) q = -q;
      printf "%s%d,%d,PRODUCT %d,%d,%d/%d/2026 %d:%02d,%.2f,%d,United Kingdom\n",
        cancel ? "C" : "", 500000 + inv, 20000 + int(rand() * 4000), int(rand() * 4000), q,
        1 + f, 1 + int(rand() * 28), 8 + int(rand() * 10), int(rand() * 60),
        0.5 + rand() * 20, 12000 + int(rand() * 50000) >> file;
    }
    close(file);
  } }'
retail_bytes=$(du -sb "$work/retail" | cut -f1)
rm -rf "$wh"
start=$(date +%s.%N)
"$HERE/churnlake" ingest --config "$HERE/conf/examples/retail-transactions.conf" \
  --set warehouse="\"$wh\"" --set sources.retail.path="\"$work/retail\"" > "$work/ingest-retail.txt"
end=$(date +%s.%N)
read_lines=$(sed -E 's/^retail: [0-9]+ files, ([0-9]+) records read.*/\1/' "$work/ingest-retail.txt")
awk -v r="$read_lines" -v b="$retail_bytes" -v s="$start" -v t="$end" -v n="$cores" 'BEGIN {
  w = t - s;
  printf "ingest transactions (CSV, %.2f GB): %d records in %.0f s = %.0f records/s, %.0f records/s per core (%d cores)\n",
    b / 1e9, r, w, r / w, r / w / n, n }'
cat "$work/ingest-retail.txt"
