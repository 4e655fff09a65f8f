#!/usr/bin/env bash
# Benchmark 1: smtprelay: (relay mode) against camel-mail's smtp: producer, both into Postfix's smtp-sink.
# Usage: bench/run-component.sh [messages] [concurrency] [raw|compose]
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
mvn -B -q -f bench/component/pom.xml package
user_opt=""; [ "$(id -u)" -eq 0 ] && user_opt="-u nobody"
$SINK $user_opt 127.0.0.1:$PORT 1024 &
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null || true' EXIT
mvn -B -q -f bench/component/pom.xml exec:java -Dexec.args="127.0.0.1 $PORT $N $C $MODE"
