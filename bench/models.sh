#!/usr/bin/env bash
# Benchmark: train the model pipeline on about 1 million customer-rows x 50 features and score
# 1 million customers with their top 3 drivers, on local Spark (io.churnlake.benchmarks
# .ModelBenchmark in benchmarks/: the same code as train and score, on a synthetic customer_features-shaped
# table written to Parquet first). Prints wall times and rows per second per core.
# Usage: bench/models.sh [customers-per-date] [training-dates] [features] [score-customers]
#   (defaults: 100000 10 50 1000000); EXTRA="--set train.algorithm=gbt" passes settings.
#   BENCH_DIR=dir keeps the data there.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-100000}"; dates="${2:-10}"; features="${3:-50}"; score="${4:-1000000}"
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
# shellcheck disable=SC2086
CHURNLAKE_MAIN=io.churnlake.benchmarks.ModelBenchmark CHURNLAKE_JAVA_OPTS="${CHURNLAKE_JAVA_OPTS:--Xmx12g}" \
  "$HERE/churnlake" "$work" "$customers" "$dates" "$features" "$score" ${EXTRA:-} \
  2> "$work/models.log" | tee "$work/models.txt"
