#!/usr/bin/env bash
# The models issue's quality bar, reproduced: on generated logs of N customers (default 20,000,
# 240 days) at each seed (default 42 and 7), nightly trains the configured model (default a
# calibrated GBT) and this prints its held-out ROC AUC beside the Bayes-optimal AUC of the
# generator's true probabilities on the same customers, its expected calibration error, and the
# top 5 global drivers with the planted driver each encodes (docs/generator.md), or "not planted".
# Usage: bench/quality.sh [customers] [seed...]
#   EXTRA="--set train.gbt.max-iter=100 ..." passes settings to nightly;
#   BENCH_DIR=dir keeps each seed's log and warehouse under dir/seed-S (re-runs skip generate).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-20000}"; shift || true
seeds=("$@"); [ ${#seeds[@]} -gt 0 ] || seeds=(42 7)
days=240; horizon=30
# Training dates every 2 days instead of the default 7: 3.5x the training rows (30 dates).
extra=(--set train.algorithm=gbt --set train.calibration=isotonic --set train.step-days=2)
# shellcheck disable=SC2206
[ -n "${EXTRA:-}" ] && extra+=(${EXTRA})
if [ -n "${BENCH_DIR:-}" ]; then root="$BENCH_DIR"; mkdir -p "$root"; else
  root="$(mktemp -d)"; trap 'rm -rf "$root"' EXIT; fi

# Which planted hazard term (docs/generator.md) a customer_features column encodes.
planted() {
  case "$1" in
    thumbs_down*) echo "thumbs_down_rate" ;;
    help*|error*) echo "help_error_rate" ;;
    roll_advert*) echo "advert_rate (free level)" ;;
    negative_*) echo "thumbs_down/help/error/advert rates (friction group)" ;;
    session_trend_*|session_slope_*|sessions_prev_*|sessions_7d|sessions_30d|active_days_7d|active_days_30d|events_7d|events_30d|content_7d|content_30d|events_per_session_*) echo "falling_activity" ;;
    submit_downgrade*|days_since_plan_change) echo "recent_downgrade" ;;
    days_since_last_activity) echo "inactivity" ;;
    level|is_paid) echo "advert_rate / recent_downgrade (level)" ;;
    *) echo "not planted" ;;
  esac
}

for seed in "${seeds[@]}"; do
  work="$root/seed-$seed"; mkdir -p "$work"
  wh="$work/warehouse"
  cl() { "$HERE/churnlake" "$@" --set warehouse="\"$wh\"" --set generate.output="\"$work/raw\""; }
  last=$(date -u -d "2026-01-01 + $((days - 1)) days" +%F)
  start=$(date +%s)
  if [ ! -d "$wh/events" ]; then
    # Ground truth only for the evaluation date (last day - horizon), with 200 paths per customer.
    cl generate --customers "$customers" --days "$days" --seed "$seed" \
      --set generate.truth.first-day=$((days - 1 - horizon)) --set generate.truth.paths=200 \
      > "$work/generate.txt" 2> "$work/generate.log"
  fi
  cl nightly --as-of "$last" "${extra[@]}" > "$work/nightly.txt" 2> "$work/nightly.log"
  end=$(date +%s)
  m() { cl sql "SELECT value FROM model_evaluations WHERE kind = 'holdout' AND metric = '$1' ORDER BY model_version DESC LIMIT 1" --format csv 2>/dev/null | tail -1; }
  auc=$(m roc_auc); bayes=$(m bayes_optimal_roc_auc); ece=$(m ece); n=$(m evaluation_customers)
  version=$(cl sql "SELECT max(model_version) FROM models" --format csv 2>/dev/null | tail -1)
  echo "seed $seed: $customers customers x $days days, model $version, evaluated on $n customers ($((end - start)) s)"
  awk -v a="$auc" -v b="$bayes" -v e="$ece" 'BEGIN {
    printf "  ROC AUC %.3f vs Bayes-optimal %.3f: gap %.3f (bar: 0.02) %s\n", a, b, b - a, (b - a <= 0.02 ? "MET" : "MISSED");
    printf "  ECE (10 equal-mass bins) %.4f (bar: 0.02) %s\n", e, (e < 0.02 ? "MET" : "MISSED") }'
  echo "  top 5 global drivers (churn_drivers, as of $last):"
  all_planted=1
  while IFS=, read -r rank feature direction; do
    p="$(planted "$feature")"; [ "$p" = "not planted" ] && all_planted=0
    printf "    %s. %-30s %-20s -> %s\n" "$rank" "$feature" "$direction" "$p"
  done < <(cl sql "SELECT rank, feature, direction FROM churn_drivers WHERE model_version = '$version' AND as_of_date = DATE'$last' ORDER BY rank LIMIT 5" --format csv 2>/dev/null | tail -n +2)
  [ "$all_planted" = 1 ] && echo "  top 5 drivers all planted: MET" || echo "  top 5 drivers all planted: MISSED"
done
