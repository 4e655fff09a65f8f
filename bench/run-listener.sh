#!/usr/bin/env bash
# Listener benchmarks (issue 12, requirement 7), never part of mvn verify:
#  1. 10,000 idle connections from 127.0.0.2-11 on the Netty listener: heap, threads, and the time one normal client
#     then needs for a whole message (EHLO to QUIT);
#  2. ingress: Postfix's smtp-source into the Netty listener, into the old SubEthaSMTP listener (built from commit
#     a979cf5 in a temporary clone) and into Postfix's own smtpd (discarding everything), same load, same run.
# Usage: bench/run-listener.sh [idle-connections] [messages] [sessions]
# Nothing is installed into ~/.m2: the component is packaged in place and run from its class path.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IDLE=${1:-10000}
N=${2:-20000}
S=${3:-20}
NEW_PORT=${NEW_PORT:-2601}
OLD_PORT=${OLD_PORT:-2602}
POSTFIX_PORT=${POSTFIX_PORT:-2603}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx1g}
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
if [ ! -x /usr/sbin/smtp-source ] && ! command -v smtp-source >/dev/null; then
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q postfix >/dev/null
fi
SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  $sudo_cmd postfix stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

classpath() { # <project dir> <output file>: the component jar and its test class path (Camel's engine, log4j)
  mvn -B -q ${MVN_OFFLINE:--o} -f "$1/pom.xml" -pl camel-relay-component package -DskipTests >&2
  mvn -B -q ${MVN_OFFLINE:--o} -f "$1/pom.xml" -pl camel-relay-component org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$2" >&2
  echo "$1/camel-relay-component/target/camel-relay-component-0.1.0-SNAPSHOT.jar:$(cat "$2")"
}
NEW_CP=$(classpath "$ROOT" "$WORK/new.cp")
git clone -q "$ROOT" "$WORK/old" && git -C "$WORK/old" checkout -q a979cf5
OLD_CP=$(classpath "$WORK/old" "$WORK/old.cp")

start_server() { # <name> <class path> <port> <max connections>: a listener JVM reading commands from a FIFO
  mkfifo "$WORK/$1.ctl"
  java $JAVA_OPTS -cp "$2" bench/listener/ListenerBench.java server "$3" "$4" < "$WORK/$1.ctl" > "$WORK/$1.out" 2>"$WORK/$1.err" &
  PIDS+=($!)
  exec {fd}>"$WORK/$1.ctl"
  eval "CTL_$1=$fd"
  until grep -q listening "$WORK/$1.out" 2>/dev/null; do sleep 0.2; done
}
stats() { # <name>
  local fd; eval "fd=\$CTL_$1"
  local before; before=$(grep -c stats "$WORK/$1.out" || true)
  echo stats >&"$fd"
  until [ "$(grep -c stats "$WORK/$1.out" || true)" -gt "$before" ]; do sleep 0.2; done
  grep stats "$WORK/$1.out" | tail -1
}

echo "== 1. $IDLE idle connections (Netty listener, heap and threads of the listener's JVM after GC)"
start_server new "$NEW_CP" "$NEW_PORT" $((IDLE + 100))
echo "before: $(stats new)"
mkfifo "$WORK/idle.ctl"
java -Xmx1g -cp "$NEW_CP" bench/listener/ListenerBench.java idle "$NEW_PORT" "$IDLE" 10 < "$WORK/idle.ctl" > "$WORK/idle.out" &
IDLE_PID=$!; PIDS+=($IDLE_PID)
exec {IDLE_FD}>"$WORK/idle.ctl"
until grep -q "idle done" "$WORK/idle.out" 2>/dev/null; do
  kill -0 $IDLE_PID 2>/dev/null || { cat "$WORK/idle.out"; echo "idle client failed"; exit 1; }; sleep 0.5
done
cat "$WORK/idle.out" | grep -v "idle done"
echo "with $IDLE idle: $(stats new)"
echo close >&"$IDLE_FD"; wait $IDLE_PID || true

echo "== 2. ingress: smtp-source -s $S -m $N -l 1000, route that only accepts / Postfix discarding"
start_server old "$OLD_CP" "$OLD_PORT" 1000
$sudo_cmd postfix stop >/dev/null 2>&1 || true
# installed with "No configuration", Debian leaves no main.cf
[ -f /etc/postfix/main.cf ] || $sudo_cmd cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
$sudo_cmd postconf -e "inet_interfaces = loopback-only" "inet_protocols = ipv4" "mynetworks = 127.0.0.0/8" \
  "myhostname = postfix.bench.test" "mydestination =" "smtpd_relay_restrictions = permit_mynetworks, reject" \
  "default_transport = discard" "relay_transport = discard" "maillog_file = /var/log/postfix-bench.log" \
  "default_process_limit = 200"
$sudo_cmd postconf -M "$POSTFIX_PORT/inet=$POSTFIX_PORT inet n - y - - smtpd"
$sudo_cmd postfix start >/dev/null 2>&1
until (exec 3<>/dev/tcp/127.0.0.1/$POSTFIX_PORT) 2>/dev/null; do sleep 0.2; done
run() { # <label> <port>
  "$SOURCE" -s "$S" -m 2000 -l 1000 -c -f a@bench.test -t b@example.net 127.0.0.1:"$2" >/dev/null 2>&1 # warm-up
  local t0 t1; t0=$(date +%s.%N)
  "$SOURCE" -s "$S" -m "$N" -l 1000 -c -f a@bench.test -t b@example.net 127.0.0.1:"$2" >/dev/null
  t1=$(date +%s.%N)
  awk -v l="$1" -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-28s %6d msg in %6.2f s = %7.0f msg/s\n", l, n, b - a, n / (b - a) }'
}
for round in 1 2; do
  run "netty listener (round $round)" "$NEW_PORT"
  run "subethasmtp listener ($round)" "$OLD_PORT"
  run "postfix smtpd ($round)" "$POSTFIX_PORT"
done
echo "after ingress: netty $(stats new)"
echo "after ingress: subethasmtp $(stats old)"
