#!/usr/bin/env bash
# The seconds of every test class from the surefire/failsafe reports of the last build, slowest
# first, with each module's total and the sum. Run after ./mvnw verify (or -Pcluster for the IT).
# Usage: bench/suite-times.sh [project-dir]   (default: this checkout)
set -euo pipefail
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
shopt -s nullglob
reports=("$root"/*/target/surefire-reports/TEST-*.xml "$root"/*/target/failsafe-reports/TEST-*.xml)
if [ ${#reports[@]} -eq 0 ]; then
  echo "suite-times: no TEST-*.xml under $root/*/target/{surefire,failsafe}-reports: run the tests first" >&2
  exit 1
fi
for f in "${reports[@]}"; do
  # The <testsuite> element's name, tests, failures/errors and time attributes.
  head -c 4000 "$f" | tr '\n' ' ' | sed -nE 's/.*<testsuite [^>]*>.*/&/p' \
    | grep -oE '<testsuite [^>]*>' | head -1 \
    | awk -v f="$f" '{
        n = ""; t = ""; c = ""; match($0, /name="[^"]*"/); n = substr($0, RSTART + 6, RLENGTH - 7);
        match($0, / time="[^"]*"/); t = substr($0, RSTART + 7, RLENGTH - 8);
        match($0, / tests="[^"]*"/); c = substr($0, RSTART + 8, RLENGTH - 9);
        m = f; sub(/\/target\/.*/, "", m); sub(/.*\//, "", m);
        gsub(/,/, "", t); printf "%s\t%s\t%s\t%s\n", t, c, m, n }'
done | sort -t$'\t' -k1,1 -g -r | awk -F'\t' '
  BEGIN { printf "%9s %6s  %-8s %s\n", "seconds", "tests", "module", "class" }
  { printf "%9.1f %6d  %-8s %s\n", $1, $2, $3, $4; total += $1; tests += $2; mod[$3] += $1 }
  END {
    for (m in mod) printf "%9.1f %6s  %-8s (module total)\n", mod[m], "", m;
    printf "%9.1f %6d  all classes (%.1f min)\n", total, tests, total / 60 }'
