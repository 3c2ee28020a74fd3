#!/usr/bin/env bash
# Scale benchmark: the whole nightly flow (gate, ingest, features, realised, train with the default
# search, score with drivers and drift, CLV, segment, KPIs, report) on generated logs of growing
# size, on local Spark. Prints the events ingested and the wall time of every stage per size, from
# the run's own rows in pipeline_runs, so that the growth of cost with data size is visible.
# Usage: bench/nightly.sh [customers...]   (default: 2500 25000, about 1 M and 10 M events over
#   240 days: the generator writes about 400 events per customer over 240 days)
#   EXTRA="--set train.search.mode=none ..." passes settings to nightly;
#   BENCH_DIR=dir keeps each size's log and warehouse under dir/customers-N (re-runs skip generate
#   and start from an empty warehouse).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(2500 25000)
days=240
extra=()
# shellcheck disable=SC2206
[ -n "${EXTRA:-}" ] && extra+=(${EXTRA})
if [ -n "${BENCH_DIR:-}" ]; then root="$BENCH_DIR"; mkdir -p "$root"; else
  root="$(mktemp -d)"; trap 'rm -rf "$root"' EXIT; fi
last=$(date -u -d "2026-01-01 + $((days - 1)) days" +%F)
echo "nightly --as-of $last on $(nproc) cores, local Spark; commit $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"

for customers in "${sizes[@]}"; do
  work="$root/customers-$customers"; mkdir -p "$work"
  wh="$work/warehouse"
  cl() { "$HERE/churnlake" "$@" --set warehouse="\"$wh\"" --set generate.output="\"$work/raw\""; }
  if [ ! -d "$work/raw" ]; then
    # One ground-truth path for one date: the truth is not what this measures.
    cl generate --customers "$customers" --days "$days" \
      --set generate.truth.first-day=$((days - 1)) --set generate.truth.paths=1 \
      > "$work/generate.txt" 2> "$work/generate.log"
  fi
  bytes=$(du -sb "$work/raw" | cut -f1)
  # A fresh warehouse: on an old one nightly would skip every stage it already did.
  rm -rf "$wh"
  start=$(date +%s)
  cl nightly --as-of "$last" "${extra[@]}" > "$work/nightly.txt" 2> "$work/nightly.log"
  end=$(date +%s)
  events=$(cl sql "SELECT count(*) FROM events" --format csv 2>/dev/null | tail -1)
  echo
  echo "$customers customers x $days days: $events events ($(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }') of JSON lines), nightly $((end - start)) s wall"
  printf "  %-28s %10s\n" stage seconds
  cl sql "SELECT stage, seconds FROM pipeline_runs WHERE command = 'nightly' AND status = 'succeeded' AND run_id = (SELECT run_id FROM pipeline_runs WHERE command = 'nightly' ORDER BY started_at DESC LIMIT 1) ORDER BY stage_seq" \
    --format csv 2>/dev/null | tail -n +2 | while IFS=, read -r stage seconds; do
    printf "  %-28s %10.1f\n" "$stage" "$seconds"
  done
done
