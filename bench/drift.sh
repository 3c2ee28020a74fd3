#!/usr/bin/env bash
# Benchmark of drift monitoring against a known truth (issue 25): two logs from the same seed, one
# unchanged and one with a planted change (generate.shift: error pages per session x FACTOR from
# the shift date on), each run through 30 consecutive nightly runs (`backfill`, which runs the
# nightly flow per date with train.retrain-on.drift = true). Prints every night that trained and
# why, the most drifted monitored feature of each night (feature_drift), and the verdicts:
#   - the unchanged log raises no drift retrain over the 30 nights;
#   - the planted change raises a drift retrain within 7 days of its date.
# Exits 1 when a verdict fails or a run gives no figures. About 40 minutes on 2 cores (60 nights).
# Usage: bench/drift.sh [customers] [factor]   (defaults: 2000 4)
#   BENCH_DIR=dir keeps the generated logs and warehouses there; REUSE_UNCHANGED=1 (with BENCH_DIR)
#   reuses the unchanged log's nights of an earlier run there.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-2000}"; factor="${2:-4}"
days=240; first=2026-07-25; last=2026-08-23; shift=2026-08-01; within=7
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
fail() { echo "bench/drift.sh: $*" >&2; exit 1; }
"$HERE/churnlake" --version >/dev/null   # builds the project when sources changed

# run NAME FROM-DATE: generates NAME's log and runs the 30 nights on it.
run() {
  local name="$1" from="$2" dir="$work/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  local -a set=(--set warehouse="\"$dir/warehouse\"" --set generate.output="\"$dir/raw\""
    --set generate.shift.from-date="\"$from\"" --set generate.shift.error-factor="$factor"
    --set generate.truth.paths=1 --set train.retrain-on.drift=true)
  "$HERE/churnlake" generate --customers "$customers" --days "$days" "${set[@]}" \
    > "$dir/generate.txt" 2>&1 || fail "$name: generate failed (see $dir/generate.txt)"
  local s e
  s=$(date +%s)
  "$HERE/churnlake" backfill --from "$first" --to "$last" "${set[@]}" \
    > "$dir/backfill.txt" 2> "$dir/backfill.log" || fail "$name: backfill failed (see $dir/backfill.log)"
  e=$(date +%s)
  echo "== $name: 30 nights $first .. $last in $((e - s)) s"
  grep -E "^backfill .*trained now" "$dir/backfill.txt" | sed -E 's/^backfill ([0-9-]+): .*\(trained now: (.*)\), [0-9]+ stages skipped.*/  \1 trained: \2/' || true
  "$HERE/churnlake" sql "SELECT CAST(as_of_date AS STRING) AS as_of_date, max_by(feature, psi) AS most_drifted, ROUND(max(psi), 2) AS psi, SUM(CAST(drifted AS INT)) AS drifted_features FROM feature_drift GROUP BY as_of_date ORDER BY as_of_date" --limit 100 \
    "${set[@]}" > "$dir/drift.txt" 2> "$dir/drift.log" || fail "$name: reading feature_drift failed (see $dir/drift.log)"
  sed 's/^/  /' "$dir/drift.txt"
}

# The unchanged log does not depend on the factor: REUSE_UNCHANGED=1 keeps an earlier run's nights
# in BENCH_DIR (to try another factor without rerunning them).
if [ -n "${REUSE_UNCHANGED:-}" ] && [ -s "$work/unchanged/backfill.txt" ] && [ -s "$work/unchanged/drift.txt" ]; then
  echo "== unchanged: the nights of an earlier run in $work/unchanged"
  grep -E "^backfill .*trained now" "$work/unchanged/backfill.txt" | sed -E 's/^backfill ([0-9-]+): .*\(trained now: (.*)\), [0-9]+ stages skipped.*/  \1 trained: \2/' || true
  grep -E '^[+|]' "$work/unchanged/drift.txt" | sed 's/^/  /'
else
  run unchanged ""
fi
run planted "$shift"

nights() { grep -cE "^backfill [0-9-]+: " "$work/$1/backfill.txt" || true; }
[ "$(nights unchanged)" = 30 ] && [ "$(nights planted)" = 30 ] || fail "a backfill did not print 30 nights"
false_alarms=$(grep -cE "trained now: features drifted" "$work/unchanged/backfill.txt" || true)
caught=$(grep -E "trained now: features drifted" "$work/planted/backfill.txt" | head -1 | sed -E 's/^backfill ([0-9-]+):.*/\1/' || true)
echo "unchanged log: drift retrains over 30 nights: $false_alarms (target 0): $([ "$false_alarms" = 0 ] && echo met || echo NOT met)"
if [ -n "$caught" ]; then
  lag=$(( ( $(date -u -d "$caught" +%s) - $(date -u -d "$shift" +%s) ) / 86400 ))
  echo "planted change (errors x$factor from $shift): first drift retrain $caught, $lag days after (target <= $within): $([ "$lag" -le "$within" ] && echo met || echo NOT met)"
else
  lag=999
  echo "planted change (errors x$factor from $shift): no drift retrain in 30 nights (target <= $within days): NOT met"
fi
[ "$false_alarms" = 0 ] && [ "$lag" -ge 0 ] && [ "$lag" -le "$within" ]
