#!/usr/bin/env bash
# How much of the oracle's Qini a ranking by risk alone can reach on a warehouse that
# bench/uplift.sh played (issue 26): on the fourth wave's randomised customers, the expected Qini
# coefficient (from the true effects of generated_effects, 10 equal-count bins, ties split by a
# hash; the formula of uplift.QiniCurve.expected) of
#   oracle        the true effect
#   true risk     agent-call's customers by their true P(churn) without contact, the others last:
#                 about the best a learner that ranks by risk alone can do
#   churn score   agent-call's customers by the churn model's raw score, the others last: what the
#                 isotonic learner ranks by when it finds no split
#   fragile risk  agent-call's fragile customers by their true P(churn), everyone else last: a
#                 learner that also knew who is fragile
# and each one's ratio to the oracle's. Reads the generator's truth: for generated data only.
# Exits 1 when a query fails or the oracle's coefficient is not positive (no ratio to compute).
#
# usage: BENCH_DIR=dir bench/uplift-ceiling.sh seed [wave]     (wave default 2026-09-15)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -n "${BENCH_DIR:-}" ] && [ $# -ge 1 ] || { echo "usage: BENCH_DIR=dir $0 seed [wave]" >&2; exit 2; }
seed="$1"
wave="${2:-2026-09-15}"
dir="$BENCH_DIR/seed-$seed"
[ -f "$dir/set.txt" ] || { echo "uplift-ceiling.sh: no $dir/set.txt: play the seed with bench/uplift.sh first" >&2; exit 1; }
mapfile -t set < "$dir/set.txt"

qini() { # label score-expression
  local q
  q=$("$HERE/churnlake" sql --format csv "WITH r AS (SELECT s.action, g.true_effect,
          g.p_churn_not_contacted AS pu, g.response_group AS grp, cs.raw_score
        FROM risk_segments s
        JOIN generated_effects g ON g.customer_id = s.customer_id AND g.as_of_date = s.as_of_date
          AND g.action = s.action AND g.horizon_days = 30
        JOIN churn_scores cs ON cs.customer_id = s.customer_id AND cs.as_of_date = s.as_of_date
        WHERE s.targeting IN ('targeted', 'control') AND s.as_of_date = DATE'$wave'),
      b AS (SELECT *, ntile(10) OVER (ORDER BY $2 DESC, xxhash64(raw_score, action)) AS bin FROM r),
      a AS (SELECT bin, count(*) AS n, sum(true_effect) AS e FROM b GROUP BY bin),
      cum AS (SELECT bin, sum(n) OVER (ORDER BY bin) AS cn, sum(e) OVER (ORDER BY bin) AS ce FROM a),
      q AS (SELECT bin, cn / (SELECT sum(n) FROM a) AS share, ce / (SELECT sum(n) FROM a) AS kept FROM cum),
      q2 AS (SELECT share, kept, lag(share, 1, 0) OVER (ORDER BY bin) AS s0,
          lag(kept, 1, 0) OVER (ORDER BY bin) AS k0 FROM q)
    SELECT round(sum((share - s0) * (kept + k0) / 2) - 0.5 * max_by(kept, share), 5) FROM q2" \
    "${set[@]}" 2> "$dir/ceiling.log" | tail -n +2) || { echo "uplift-ceiling.sh: $1 failed (see $dir/ceiling.log)" >&2; exit 1; }
  [ -n "$q" ] || { echo "uplift-ceiling.sh: $1: no randomised customers on $wave" >&2; exit 1; }
  echo "$q"
}

oracle=$(qini oracle "true_effect")
awk -v o="$oracle" 'BEGIN { exit !(o > 0) }' || { echo "uplift-ceiling.sh: the oracle's Qini is $oracle: no ratio" >&2; exit 1; }
echo "seed $seed, wave $wave: expected Qini coefficient from the true effects (ratio to the oracle's)"
echo "  oracle        $oracle (1.00)"
for row in "true risk|CASE WHEN action = 'agent-call' THEN pu ELSE -1 END" \
           "churn score|CASE WHEN action = 'agent-call' THEN raw_score ELSE -1e9 END" \
           "fragile risk|CASE WHEN action = 'agent-call' AND grp = 'fragile' THEN pu ELSE -1 END"; do
  label="${row%%|*}"
  q=$(qini "$label" "${row#*|}")
  printf '  %-13s %s (%s)\n' "$label" "$q" "$(awk -v q="$q" -v o="$oracle" 'BEGIN { printf "%.2f", q / o }')"
done
