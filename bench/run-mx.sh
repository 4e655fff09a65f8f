#!/usr/bin/env bash
# Benchmark 3: smtprelay: in MX mode over many destination domains, with a DNS server on loopback (TestDnsServer
# from the component's test-jar). Prints msg/s and the DNS queries per message with every record at TTL 300 and at
# TTL 0 (what the resolver's TTL cache saves), smtprelay in relay mode (no DNS) as the reference, and Postfix
# delivering by MX through the same DNS server to the same sinks (bench/postfix-mx.sh, a private instance).
# The sinks: smtp-sink on 127.0.0.2-5 port 25, because Postfix delivers by MX to port 25 only (and 127.0.0.1:25
# may be the system Postfix's). The DNS server: $DNS_ADDRESS (127.0.0.6) port 53, because Postfix's resolver takes
# its server from resolv.conf, which cannot name a port; not 127.0.0.1, where resolvers without a resolv.conf (such
# as the system Postfix's chrooted smtpd) send their queries. POSTFIX_PEER=no skips Postfix and puts the DNS server
# on a free port. Root is needed for ports 25 and 53; it takes about a minute for 10000 messages.
# Usage: bench/run-mx.sh [messages] [concurrency] [domains] [recipients per message, >1 adds a run]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
C=${2:-20}
D=${3:-1000}
R=${4:-1}
PEER=${POSTFIX_PEER:-yes}
SINKS="127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5"
export DNS_ADDRESS=${DNS_ADDRESS:-127.0.0.6}
export POSTFIX_MX_PORT=${POSTFIX_MX_PORT:-2627}
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
[ -x /usr/sbin/smtp-sink ] || { echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections; DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q postfix >/dev/null; }
user_opt=""; [ "$(id -u)" -eq 0 ] && user_opt="-u nobody"

if [ "$PEER" = yes ] && [ "$(id -u)" -ne 0 ]; then
  echo "the Postfix peer needs root: the benchmark's DNS server binds port 53 (or set POSTFIX_PEER=no)" >&2; exit 1
fi
# refuse to run against something already listening: mail would go to it
for a in $SINKS; do
  if (exec 3<>/dev/tcp/$a/25) 2>/dev/null; then echo "something already listens on $a:25" >&2; exit 1; fi
done
if [ "$PEER" = yes ] && ss -Hlnut "sport = :53" | awk '{print $5}' | grep -qE "^($DNS_ADDRESS|0\.0\.0\.0|\*|\[::\]):53$"; then
  echo "something already listens on $DNS_ADDRESS:53; set DNS_ADDRESS to another 127.x address" >&2; exit 1
fi

mvn -B -q -DskipTests install
mvn -B -q -f bench/mx/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath
# compiled and run against this checkout's component jars, not the ~/.m2 snapshot, which an install from another
# checkout may replace at any time (and which has TestDnsServer.start(address, port) only from this change on)
CP=camel-relay-component/target/camel-relay-component-0.1.0-SNAPSHOT.jar
CP=$CP:camel-relay-component/target/camel-relay-component-0.1.0-SNAPSHOT-tests.jar
CP=$CP:$(tr ':' '\n' < bench/mx/target/classpath | grep -v '/camel-relay-component-' | paste -sd:)
mkdir -p bench/mx/target/classes
javac --release 17 -nowarn -d bench/mx/target/classes -cp "$CP" bench/mx/src/main/java/io/github/camelrelay/bench/MxBench.java
CP=bench/mx/target/classes:$CP

SINK_PIDS=()
BENCH_PID=""
cleanup() {
  [ -n "$BENCH_PID" ] && kill $BENCH_PID 2>/dev/null || true
  for p in "${SINK_PIDS[@]}"; do kill $p 2>/dev/null || true; done
  [ "$PEER" = yes ] && bench/postfix-mx.sh stop || true
}
trap cleanup EXIT
# on a signal, bash first lets the foreground command finish (a Postfix start included), then exits through cleanup
trap 'exit 143' INT TERM
for a in $SINKS; do
  # -m: smtp-sink serves 256 connections at a time by default, and in MX mode the relays keep one per MX host
  $sudo_cmd /usr/sbin/smtp-sink $user_opt -m 8192 $a:25 1024 &
  SINK_PIDS+=($!)
done
for a in $SINKS; do
  for _ in $(seq 50); do (exec 3<>/dev/tcp/$a/25) 2>/dev/null && break; sleep 0.1; done
  (exec 3<>/dev/tcp/$a/25) 2>/dev/null || { echo "smtp-sink did not start on $a:25" >&2; exit 1; }
done

if [ "$PEER" = yes ]; then
  bench/postfix-mx.sh start
  ARGS="$DNS_ADDRESS 53 ${SINKS// /,} $N $C $D $R $POSTFIX_MX_PORT $PWD/bench/postfix-mx.sh wait-empty"
else
  ARGS="127.0.0.1 0 ${SINKS// /,} $N $C $D $R"
fi
# in the background so that the trap can stop it (and free the DNS port) when this script is interrupted
java -cp "$CP" io.github.camelrelay.bench.MxBench $ARGS &
BENCH_PID=$!
wait $BENCH_PID
BENCH_PID=""
