#!/usr/bin/env bash
# Benchmark: generate a large log on local Spark and print events, wall time and throughput.
# Usage: bench/generate.sh [customers] [days] [truth paths]   (defaults: 30000 120 50)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-30000}"; days="${2:-120}"; paths="${3:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
"$HERE/churnlake" generate --customers "$customers" --days "$days" --output "$work/raw" \
  --set warehouse="\"$work/warehouse\"" --set generate.truth.paths="$paths" >/dev/null
end=$(date +%s.%N)
events=$(cat "$work"/raw/events-*.json | wc -l)
bytes=$(du -sb "$work/raw" | cut -f1)
awk -v c="$customers" -v d="$days" -v p="$paths" -v e="$events" -v b="$bytes" -v s="$start" -v t="$end" -v n="$(nproc)" 'BEGIN {
  w = t - s;
  printf "generate: %d customers x %d days, truth paths %d, %d cores\n", c, d, p, n;
  printf "  raw lines %d (%.1f MB JSON), wall %.0f s, %.0f lines/s\n", e, b / 1e6, w, e / w }'
