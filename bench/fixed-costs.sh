#!/usr/bin/env bash
# Benchmark: the fixed costs of a nightly stage on a warm session (lease, ledger row, quarantine
# purge, table existence and version), each measured over several rounds in one JVM against a fresh
# warehouse. Prints the median and worst seconds; exits 1 when a median exceeds 2 s.
# Usage: bench/fixed-costs.sh [rounds]   (default 5)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$HERE/churnlake" --version >/dev/null   # builds the project when sources changed
JAR="$(ls "$HERE"/jobs/target/churnlake-jobs-*[0-9T].jar | head -n 1)"
OPENS="$(tr '\n' ' ' < "$HERE/conf/jvm-flags")"
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java -Xmx2g $OPENS -Duser.timezone=UTC \
  -Dlog4j2.configurationFile="$HERE/conf/log4j2.properties" \
  -cp "$JAR:$(cat "$HERE/jobs/target/local-classpath.txt")" "$HERE/bench/FixedCosts.java" "${1:-5}"
