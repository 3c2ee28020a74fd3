#!/usr/bin/env bash
# Benchmark: `train` on a customer table with given labels (cross-sectional: the Telco layout of
# conf/examples/telco-customers.conf), N generated customers with a planted churn signal (contract,
# tenure, charges, payment method), the default search (3 candidates, stratified 2-fold),
# isotonic calibration, evaluation beside the baseline, registry and Delta commits; against plain
# MLlib on the same ingested rows (one logistic regression fit and its AUC, nothing else). Prints
# both times and their ratio; exits 1 when a side prints no positive figure, or when churnlake's
# train stage takes longer than the target (60 s for 10,000 customers).
# Usage: bench/train.sh [customers]   (default 10000)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-10000}"; target=60
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; rm -rf "$work/warehouse"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
fail() { echo "bench/train.sh: $*" >&2; exit 1; }
positive() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }
"$HERE/churnlake" --version >/dev/null   # builds the project when sources changed
JAR="$(ls "$HERE"/jobs/target/churnlake-jobs-*[0-9T].jar | head -n 1)"
OPENS="$(tr '\n' ' ' < "$HERE/conf/jvm-flags")"

mkdir -p "$work/crm"
awk -v n="$customers" 'BEGIN {
  srand(11);
  print "customerID,Name,Email,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,InternetService,Contract,PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges,Churn";
  split("Month-to-month,One year,Two year", contracts, ",");
  split("Electronic check,Mailed check,Bank transfer (automatic),Credit card (automatic)", pays, ",");
  split("DSL,Fiber optic,No", nets, ",");
  for (i = 1; i <= n; i++) {
    c = (rand() < 0.55) ? 1 : (rand() < 0.5 ? 2 : 3);
    p = 1 + int(rand() * 4); s = 1 + int(rand() * 3);
    tenure = (c == 1) ? int(rand() * 30) : int(rand() * 72);
    monthly = 20 + rand() * 80 + (s == 2 ? 20 : 0);
    total = (tenure == 0) ? "" : sprintf("%.2f", monthly * tenure);
    z = -1.2 + (c == 1 ? 1.6 : (c == 2 ? 0 : -1.2)) - 0.035 * tenure + 0.012 * (monthly - 60) + (p == 1 ? 0.6 : 0) + (s == 2 ? 0.4 : 0);
    churn = (rand() < 1 / (1 + exp(-z))) ? "Yes" : "No";
    printf "%06d-BNCH,Person %d,p%d@example.com,%s,%d,%s,%s,%d,%s,%s,%s,%s,%s,%.2f,%s,%s\n",
      i, i, i, (rand() < 0.5 ? "Female" : "Male"), (rand() < 0.16), (rand() < 0.5 ? "Yes" : "No"),
      (rand() < 0.3 ? "Yes" : "No"), tenure, (rand() < 0.9 ? "Yes" : "No"), nets[s], contracts[c],
      (rand() < 0.6 ? "Yes" : "No"), pays[p], monthly, total, churn;
  } }' > "$work/crm/customers-2026-03-31.csv"

cl() { "$HERE/churnlake" "$@" --config "$HERE/conf/examples/telco-customers.conf" \
  --set warehouse="\"$work/warehouse\"" --set sources.crm.path="\"$work/crm\"" \
  --set labels.definition=given; }
cl ingest | tee "$work/ingest.txt"
start=$(date +%s.%N)
cl train --as-of 2026-04-05 > "$work/train.txt" 2> "$work/train.log" \
  || { cat "$work/train.txt" "$work/train.log" >&2; fail "train failed"; }
end=$(date +%s.%N)
st=$(sed -nE 's/.*stage=train status=succeeded .*seconds=([0-9.]+).*/\1/p' "$work/train.log" | tail -1)
positive "$st" || fail "no 'stage=train status=succeeded ... seconds=' line with a positive figure in $work/train.log"
grep -E "ROC AUC|roc_auc|search|chosen" "$work/train.txt" | head -5 || true
awk -v st="$st" -v s="$start" -v t="$end" -v n="$customers" 'BEGIN {
  printf "churnlake train, %d customers (given labels): %.1f s in the stage (%.0f s wall)\n", n, st, t - s }'

# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java -Xmx4g $OPENS -Duser.timezone=UTC \
  -Dlog4j2.configurationFile="$HERE/conf/log4j2.properties" \
  -cp "$JAR:$(cat "$HERE/jobs/target/local-classpath.txt")" "$HERE/bench/TrainPeer.java" \
  "$work/warehouse/customers" 2>/dev/null | tee "$work/peer.txt"
peer=$(sed -nE 's/^plain mllib .* in ([0-9.]+) s.*/\1/p' "$work/peer.txt")
positive "$peer" || fail "plain MLlib printed no positive time (see $work/peer.txt): no ratio"
awk -v st="$st" -v p="$peer" -v lim="$target" 'BEGIN {
  printf "ratio churnlake train / one plain MLlib fit: %.1f (%.1f s / %.1f s); target: train <= %d s: %s\n",
    st / p, st, p, lim, (st <= lim ? "met" : "NOT met");
  exit !(st <= lim) }'
