#!/usr/bin/env bash
# Benchmark: fit BG/NBD + Gamma-Gamma and value every customer (the clv stage) on transactions
# simulated from the models themselves, on local Spark (io.churnlake.benchmarks.ClvBenchmark in benchmarks/).
# Generation is not timed. Prints transactions, wall time, customers/s/core, fitted vs true
# parameters.
# Usage: bench/clv.sh [customers]   (default 1000000: about 10 million transactions)
#   BENCH_DIR=dir keeps the data there.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
customers="${1:-1000000}"
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
# shellcheck disable=SC2086
CHURNLAKE_MAIN=io.churnlake.benchmarks.ClvBenchmark CHURNLAKE_JAVA_OPTS="${CHURNLAKE_JAVA_OPTS:--Xmx12g}" \
  "$HERE/churnlake" "$work" "$customers" ${EXTRA:-} \
  2> "$work/clv.log" | tee "$work/clv.txt"
