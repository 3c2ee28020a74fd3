#!/usr/bin/env bash
# Benchmark: ingest throughput for an event log and a transaction log of similar size, on local
# Spark. Prints records, wall time, records per second and per core.
# Usage: bench/ingest.sh [customers] [days] [transaction lines]   (defaults: 30000 180 10000000)
#   The defaults give about 10 million generated events (JSON lines, about 4 GB) and 10 million
#   invoice lines (CSV, written with awk in the Online Retail layout of conf/examples).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-30000}"; days="${2:-180}"; lines="${3:-10000000}"
work="${BENCH_DIR:-$(mktemp -d)}"
trap 'rm -rf "$work"' EXIT
cores="$(nproc)"
wh="$work/warehouse"

"$HERE/churnlake" generate --customers "$customers" --days "$days" --output "$work/raw" \
  --set warehouse="\"$work/gen-warehouse\"" --set generate.truth.paths=1 \
  --set generate.truth.first-day=100000 >/dev/null
events_bytes=$(du -sb "$work/raw" | cut -f1)

start=$(date +%s.%N)
"$HERE/churnlake" ingest --set warehouse="\"$wh\"" --set generate.output="\"$work/raw\"" \
  > "$work/ingest-events.txt"
end=$(date +%s.%N)
read_events=$(sed -E 's/^events: [0-9]+ files, ([0-9]+) records read.*/\1/' "$work/ingest-events.txt")
awk -v r="$read_events" -v b="$events_bytes" -v s="$start" -v t="$end" -v n="$cores" 'BEGIN {
  w = t - s;
  printf "ingest events (JSON lines, %.2f GB): %d records in %.0f s = %.0f records/s, %.0f records/s per core (%d cores)\n",
    b / 1e9, r, w, r / w, r / w / n, n }'
cat "$work/ingest-events.txt"

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
