#!/usr/bin/env bash
# Runs churnlake's nightly on a real Spark standalone cluster started on this machine from the
# project's own Maven dependencies (no Docker, no downloads): one master and WORKERS workers
# (1 core each) as separate JVMs bound to 127.0.0.1 on free ports, the shaded jar submitted with
# org.apache.spark.deploy.SparkSubmit, exactly as `spark-submit --master spark://...` would.
# Prints each stage's duration and the executors each worker launched, then stops every process
# it started (by PID) and leaves its files under one temporary directory (removed unless KEEP=1).
#
#   bash bench/standalone-cluster.sh [CUSTOMERS] [DAYS] [WORKERS]     (default 200 100 2)
#
# A small log needs short windows: the run sets train.min-history-days and labels.horizon-days to
# 14 and fixes the hyper-parameters (train.search.mode = none).
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-200}"
days="${2:-100}"
workers="${3:-2}"

./churnlake --version >/dev/null # builds the jars (the shaded one included) on first use
app_jar="$(ls jobs/target/churnlake-jobs-*-all.jar | head -n 1)"
classpath="$(ls jobs/target/churnlake-jobs-*[0-9T].jar | head -n 1):$(cat jobs/target/local-classpath.txt)"
opens="$(tr '\n' ' ' < conf/jvm-flags)"
work="$(mktemp -d /tmp/churnlake-cluster.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Executors need a SPARK_HOME whose jars/ holds the runtime jars (symlinks are enough).
mkdir -p "$work/spark-home/jars"
for jar in $(tr ':' '\n' < jobs/target/local-classpath.txt); do ln -sf "$jar" "$work/spark-home/jars/"; done
export SPARK_HOME="$work/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1

port="$(free_port)"
ui="$(free_port)"
# shellcheck disable=SC2086
java $opens -Xmx512m -cp "$classpath" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port "$ui" > "$work/master.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
  if grep -q "I have been elected leader" "$work/master.log"; then break; fi
  sleep 1
done
for i in $(seq "$workers"); do
  mkdir -p "$work/worker-$i"
  # shellcheck disable=SC2086
  java $opens -Xmx512m -cp "$classpath" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 1 --memory 2g --work-dir "$work/worker-$i" \
    --webui-port "$(free_port)" "spark://127.0.0.1:$port" > "$work/worker-$i.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 60); do
  alive="$(cat "$work"/worker-*.log 2>/dev/null | grep -c "Successfully registered with master" || true)"
  [ "$alive" -eq "$workers" ] && break
  sleep 1
done
echo "master spark://127.0.0.1:$port with $alive of $workers workers registered (1 core each)"

./churnlake generate --customers "$customers" --days "$days" \
  --set generate.output="\"$work/raw\"" --set warehouse="\"$work/warehouse\"" 2>/dev/null
as_of="$(date -u -d "2026-01-01 + $((days - 1)) days" +%F)"
start="$(date +%s)"
# shellcheck disable=SC2086
java $opens -Xmx2g -Duser.timezone=UTC -Dlog4j2.configurationFile="$PWD/conf/log4j2.properties" \
  -cp "$classpath" org.apache.spark.deploy.SparkSubmit \
  --master "spark://127.0.0.1:$port" --conf spark.executor.memory=1g \
  --conf spark.driver.host=127.0.0.1 --class io.churnlake.jobs.cli.ChurnlakeCli "$app_jar" \
  --set warehouse="\"$work/warehouse\"" --set generate.output="\"$work/raw\"" \
  --set train.search.mode=none --set train.min-history-days=14 --set labels.horizon-days=14 \
  --set spark.shuffle-partitions=4 \
  nightly --as-of "$as_of" > "$work/submit.out" 2> "$work/submit.log" || {
    echo "nightly failed:" >&2; tail -5 "$work/submit.log" >&2; exit 1; }
echo "nightly --as-of $as_of on the cluster: $(( $(date +%s) - start )) s wall"
sed -n 's/.*stage \(.*\) finished in \(.*\)/  \1: \2/p' "$work/submit.log"
for i in $(seq "$workers"); do
  echo "  worker $i launched $(grep -c "Asked to launch executor" "$work/worker-$i.log" || true) executor(s)"
done
head -n 1 "$work/submit.out"
