#!/usr/bin/env bash
# Benchmark 1: smtprelay: (relay mode) against camel-mail's smtp: producer, both into Postfix's smtp-sink.
# Usage: bench/run-component.sh [messages] [concurrency] [raw|compose]
# BENCH_JAVA_OPTS: options for both JVMs, e.g. -Dbench.synchronous=false to measure smtprelay's default hand-over to
# its delivery threads (the callers here wait for each delivery, so the bench delivers on their threads by default).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
C=${2:-20}
MODE=${3:-raw}
PORT=${SINK_PORT:-25250}
if ! command -v smtp-sink >/dev/null && [ ! -x /usr/sbin/smtp-sink ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q postfix >/dev/null
fi
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
mvn -B -q -DskipTests install
mvn -B -q -f bench/component/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP=bench/component/target/classes:$(cat bench/component/target/classpath.txt)
user_opt=""; [ "$(id -u)" -eq 0 ] && user_opt="-u nobody"
$SINK $user_opt 127.0.0.1:$PORT 1024 &
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null || true' EXIT
# each producer in a JVM of its own, with the same options, one after the other
rates=()
for side in smtprelay camel-mail; do
  out=$(java ${BENCH_JAVA_OPTS:-} -cp "$CP" io.github.camelrelay.bench.ComponentBench 127.0.0.1 $PORT $N $C $MODE $side)
  echo "$out"
  rates+=("$(echo "$out" | tail -1 | grep -o '[0-9]* msg/s' | cut -d' ' -f1)")
done
awk -v r="${rates[0]}" -v m="${rates[1]}" 'BEGIN { printf "ratio smtprelay/camel-mail: %.2f\n", r / m }'
