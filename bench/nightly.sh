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
# With two or more sizes it then compares the first two, stage by stage: the time ratio against the
# events ratio (issue 22's target: 10x the events costs at most 10x the time in every stage). It
# exits 1 when a stage grows faster than the events, or when a size has no stage figures to compare.
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
    --format csv 2>/dev/null | tail -n +2 > "$work/stages.csv"
  while IFS=, read -r stage seconds; do printf "  %-28s %10.1f\n" "$stage" "$seconds"; done < "$work/stages.csv"
  echo "$events" > "$work/events.txt"
done

[ ${#sizes[@]} -ge 2 ] || exit 0
small="$root/customers-${sizes[0]}"; large="$root/customers-${sizes[1]}"
# Stage by stage: the large size's seconds over the small size's, against the events' ratio.
awk -F, -v es="$(cat "$small/events.txt")" -v el="$(cat "$large/events.txt")" \
  -v a="${sizes[0]}" -v b="${sizes[1]}" '
  FNR == 1 { file++ }
  file == 1 { s[$1] = $2; order[++n] = $1; next }
  file == 2 { l[$1] = $2 }
  END {
    if (es + 0 <= 0 || el + 0 <= 0 || n == 0) {
      print "bench/nightly.sh: no events or no stage figures for one of the sizes: no ratio" > "/dev/stderr"; exit 1 }
    er = el / es
    printf "\n%s vs %s customers: %.2fx the events; per stage, the time ratio (target: at most the events ratio)\n", b, a, er
    printf "  %-28s %10s %10s %8s\n", "stage", "small s", "large s", "ratio"
    bad = 0
    for (i = 1; i <= n; i++) {
      k = order[i]
      if (!(k in l) || s[k] + 0 <= 0) { printf "  %-28s %10.1f %10s %8s  no figure\n", k, s[k], l[k], "-"; bad++; continue }
      if (l[k] < 2) { printf "  %-28s %10.1f %10.1f %8s  under 2 s: a fixed cost\n", k, s[k], l[k], "-"; continue }
      r = l[k] / s[k]; flag = r > er ? "  ABOVE" : ""
      if (r > er) bad++
      printf "  %-28s %10.1f %10.1f %8.2f%s\n", k, s[k], l[k], r, flag }
    if (bad > 0) { printf "%d stage(s) grow faster than the events or have no figure\n", bad; exit 1 }
    print "every stage grows no faster than the events" }' "$small/stages.csv" "$large/stages.csv"
