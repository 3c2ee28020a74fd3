#!/usr/bin/env bash
# Benchmark: one ordinary night on a small log, the model already trained: nightly for the
# second-to-last day (ingests the history and trains the first model), then nightly for the last
# day, whose file is all that is new (the night a scheduler runs every day). Prints the second
# night's wall time and each of its stages from its structured stage lines, and the wall time of
# `status` and `sql` on the warehouse; exits 1 when a figure is missing or the night takes longer
# than the target (60 s wall).
# Usage: bench/night.sh [customers] [days]   (defaults: 300 200)
#   BENCH_DIR=dir keeps the generated log and warehouse there.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-300}"; days="${2:-200}"; target=60
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
fail() { echo "bench/night.sh: $*" >&2; exit 1; }
cl() { "$HERE/churnlake" "$@" --set warehouse="\"$work/warehouse\"" --set generate.output="\"$work/raw\""; }
"$HERE/churnlake" --version >/dev/null   # builds the project when sources changed
rm -rf "$work/warehouse" "$work/raw"
cl generate --customers "$customers" --days "$days" > "$work/generate.txt" 2>&1
last=$(date -u -d "2026-01-01 + $((days - 1)) days" +%F)
before=$(date -u -d "$last - 1 day" +%F)
s=$(date +%s.%N)
cl nightly --as-of "$before" > "$work/night1.txt" 2> "$work/night1.log" || fail "the first night failed (see $work/night1.log)"
e=$(date +%s.%N)
awk -v s="$s" -v e="$e" -v d="$before" 'BEGIN { printf "first night (%s: whole history, first model): %.0f s wall\n", d, e - s }'
s=$(date +%s.%N)
cl nightly --as-of "$last" > "$work/night2.txt" 2> "$work/night2.log" || fail "the second night failed (see $work/night2.log)"
e=$(date +%s.%N)
night=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", e - s }')
echo "second night ($last: one new file, model exists): $night s wall; stages (s):"
sed -nE 's/.*stage=([a-z_]+) status=([a-z]+) .*seconds=([0-9.]+).*/  \1 \2 \3/p' "$work/night2.log"
s=$(date +%s.%N); cl status --runs 1 > "$work/status.txt" 2>&1; e=$(date +%s.%N)
awk -v s="$s" -v e="$e" 'BEGIN { printf "status --runs 1: %.1f s wall\n", e - s }'
s=$(date +%s.%N); cl sql "SELECT segment, customers FROM segment_summary ORDER BY 1" > "$work/sql.txt" 2>&1; e=$(date +%s.%N)
awk -v s="$s" -v e="$e" 'BEGIN { printf "sql on segment_summary: %.1f s wall\n", e - s }'
awk -v n="$night" -v t="$target" 'BEGIN {
  printf "target: a night with an existing model <= %d s wall: %s\n", t, (n <= t ? "met" : "NOT met"); exit !(n > 0 && n <= t) }'
