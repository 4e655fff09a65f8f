#!/usr/bin/env bash
# Benchmark 2: relay end to end. smtp-source (20 sessions, 4 KiB) into the relay server (SMTP in, embedded Artemis
# with its journal synced to disk, delivery through a relay host) into smtp-sink, against Postfix configured as a
# relay to the same sink. Prints messages per second until the sink has all N, p50/p99 of the time per message
# through each relay (from their delivery logs' delay=), the ratio, and the relay server's peak RSS and heap.
# Usage: bench/run-relay.sh [messages] [sessions]; BASELINE=1 (after) or BASELINE=first (before) also runs the relay
# server with the settings this script used before it ran the defaults (20 consumers, raised listener limits);
# FILING=1 (after) or FILING=first (before) also runs the relay server as it was when issue 11 was filed (commit
# a979cf5, built in a worktree, with that day's settings), so the ratio it had then is measured again in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5000}
S=${2:-20}
# messages sent first and not counted: a JVM reaches full speed only once the JIT has compiled its hot paths, which
# on 2 cores takes tens of thousands of messages (bench/RESULTS.md). The relay server is warmed up in rounds of 10,000
# until the JIT compiled for less than 2 % of a round's time (at least WARM, at most WARM_MAX messages); Postfix,
# which has no JIT, gets WARM messages.
WARM=${WARM:-30000}
WARM_MAX=${WARM_MAX:-200000}
SINK_PORT=${SINK_PORT:-25260}
RELAY_SMTP_PORT=${RELAY_SMTP_PORT:-2527}
POSTFIX_PORT=${POSTFIX_PORT:-2626}
WORK=$(mktemp -d /tmp/relay-bench.XXXX)
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
[ -x /usr/sbin/smtp-sink ] || { echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections; DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q postfix >/dev/null; }
user_opt=""; [ "$(id -u)" -eq 0 ] && user_opt="-u nobody"

# the repackaged jar is not rebuilt when only a dependency changed, so the bench would run stale code
rm -f examples/relay-server/target/relay-server-*.jar*
# in the reactor, without installing into ~/.m2: the repackaged relay-server jar is all this needs
mvn -B -q -DskipTests package -pl examples/relay-server -am
JAR=$(ls examples/relay-server/target/relay-server-*.jar | grep -v original | head -1)
FILING_COMMIT=a979cf5
if [ -n "${FILING:-}" ]; then
  git worktree add --detach $WORK/filing $FILING_COMMIT >/dev/null 2>&1
  (cd $WORK/filing && mvn -B -q -DskipTests package -pl examples/relay-server -am)
  FILING_JAR=$(ls $WORK/filing/examples/relay-server/target/relay-server-*.jar | grep -v original | head -1)
fi

/usr/sbin/smtp-sink $user_opt 127.0.0.1:$SINK_PORT 1024 &
SINK_PID=$!
RELAY_PID=""
cleanup() { [ -d $WORK/filing ] && git worktree remove --force $WORK/filing; kill $SINK_PID 2>/dev/null || true; [ -n "$RELAY_PID" ] && kill $RELAY_PID 2>/dev/null || true; SINK_PORT=$SINK_PORT bench/postfix-relay.sh stop; }
trap cleanup EXIT

# CPU time the hypervisor gave to other guests (steal), as a share of all CPU time since the last call: on a shared
# virtual machine it moves the figures by a third, so each measured window reports it
cpu_ticks() { awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
steal_since() { local s0=$1 t0=$2 s1 t1; read s1 t1 < <(cpu_ticks); echo "$(( (s1 - s0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))%"; }
percentiles() { # reads delay values, prints p50 p99
  sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a n/a"; exit} p50=a[int(NR*0.5)+(NR*0.5>int(NR*0.5))]; p99=a[int(NR*0.99)+(NR*0.99>int(NR*0.99))]; print p50, p99}'
}

# --- the relay server
# run_relay LABEL [ENV=VALUE...] -- [ARGS...]: the relay server (warm-up, then N counted), prints its line
run_relay() {
  local label=$1; shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  rm -rf $WORK/artemis
  env RELAY_HOST=127.0.0.1 RELAY_PORT=$SINK_PORT RELAY_TLS=NONE SMTP_PORT=$RELAY_SMTP_PORT RELAY_DATA_DIR=$WORK/artemis "${envs[@]}" \
    java ${RELAY_JAVA_OPTS:--Xmx1g} -jar "${RUN_JAR:-$JAR}" "$@" > $WORK/relay.log 2>&1 &
  RELAY_PID=$!
  until grep -q "Started\|started in" $WORK/relay.log && (exec 3<>/dev/tcp/127.0.0.1/$RELAY_SMTP_PORT) 2>/dev/null; do
    kill -0 $RELAY_PID || { cat $WORK/relay.log; exit 1; }; sleep 0.5; done
  # warm-up, not counted
  warmed=0
  while :; do
    j0=$(jit_seconds); t0=$(date +%s.%N)
    /usr/sbin/smtp-source -s $S -l 4096 -m 10000 -f bench@source.test -t sink@sink.test 127.0.0.1:$RELAY_SMTP_PORT
    warmed=$((warmed + 10000))
    until [ "$(grep -c 'status=sent' $WORK/relay.log)" -ge $warmed ]; do sleep 0.2; done
    j1=$(jit_seconds); t1=$(date +%s.%N)
    printf "%s warm-up: %d messages, %.0f msg/s, JIT compiling %.1f s of the round's %.1f s\n" "$label" $warmed \
      $(echo "10000 / ($t1 - $t0)" | bc -l) $(echo "$j1 - $j0" | bc -l) $(echo "$t1 - $t0" | bc -l)
    if [ $warmed -ge $WARM_MAX ] || { [ $warmed -ge $WARM ] && [ "$(echo "($j1 - $j0) * 50 < ($t1 - $t0)" | bc -l)" = 1 ]; }; then
      break
    fi
  done
  local rate p50 p99 rss heap st0 tt0 steal
  read st0 tt0 < <(cpu_ticks)
  start=$(date +%s.%N)
  # a relay server that fails under the load (the filing day's ran out of heap after about 105,000 connections,
  # bench/RESULTS.md section 7) gets a line that says so instead of ending the script
  if ! /usr/sbin/smtp-source -s $S -l 4096 -m $N -f bench@source.test -t sink@sink.test 127.0.0.1:$RELAY_SMTP_PORT 2> $WORK/source.err; then
    local sent; sent=$(( $(grep -c 'status=sent' $WORK/relay.log) - warmed ))
    LINES+=("$(printf "%-28s FAILED after %d of %d counted messages (and %d of warm-up): %s; %s" "$label:" $sent $N $warmed \
      "$(tail -1 $WORK/source.err)" "$(grep -m1 -o 'java.lang.OutOfMemoryError[^"]*' $WORK/relay.log || echo 'see its log')")")
    kill $RELAY_PID; wait $RELAY_PID 2>/dev/null || true; RELAY_PID=""
    return
  fi
  until [ "$(grep -c 'status=sent' $WORK/relay.log)" -ge $((N + warmed)) ]; do sleep 0.1; done
  end=$(date +%s.%N)
  steal=$(steal_since $st0 $tt0)
  rate=$(echo "$N / ($end - $start)" | bc -l)
  read p50 p99 < <(grep 'status=sent' $WORK/relay.log | tail -n $N | sed -E 's/.*delay=([0-9.]+).*/\1/' | percentiles)
  rss=$(grep VmHWM /proc/$RELAY_PID/status | awk '{print $2/1024 " MiB"}')
  heap=$(jcmd $RELAY_PID GC.heap_info 2>/dev/null | grep -Eo "total [0-9]+K, used [0-9]+K" | head -1)
  kill $RELAY_PID; wait $RELAY_PID 2>/dev/null || true; RELAY_PID=""
  RATES+=("$label=$rate")
  LINES+=("$(printf "%-28s %8.0f msg/s  p50=%ss p99=%ss  steal %s  warm-up %d  peak RSS %s  heap at end: %s" "$label:" $rate $p50 $p99 $steal $warmed "$rss" "$heap")")
}
jit_seconds() { jstat -compiler $RELAY_PID | awk 'NR == 2 { print $4 }'; }
RATES=(); LINES=()
# the relay server's own defaults (50 deliveries at once, 20 per destination, the listener's connection limits);
# RELAY_ARGS adds options for experiments
# shellcheck disable=SC2086 # RELAY_ARGS holds several arguments
# the settings this script ran with before the relay server's defaults were used (issue 11): 20 delivery consumers
# and raised listener limits, measured in the same run so the two compare on the same machine; BASELINE=first runs
# them before the defaults, as this machine's speed drifts within a run
raised() {
  run_relay "relay server, raised" RELAY_CONCURRENCY=20 -- \
    --camel.smtprelay.relay.ingress.options.maxConnectionsPerClient=200 --camel.smtprelay.relay.ingress.options.maxConnections=400
}
# the relay server of the day issue 11 was filed, with the settings this script gave it then
filing() {
  RUN_JAR=$FILING_JAR run_relay "relay server, filing day" RELAY_CONCURRENCY=20 -- \
    --camel.smtprelay.relay.ingress.options.maxConnectionsPerClient=200 --camel.smtprelay.relay.ingress.options.maxConnections=400
}
[ "${FILING:-}" = first ] && filing
[ "${BASELINE:-}" = first ] && raised
run_relay "relay server" -- ${RELAY_ARGS:-}
[ -n "${BASELINE:-}" ] && [ "${BASELINE:-}" != first ] && raised
[ -n "${FILING:-}" ] && [ "${FILING:-}" != first ] && filing

# --- Postfix, same sink, same load
SINK_PORT=$SINK_PORT POSTFIX_PORT=$POSTFIX_PORT bench/postfix-relay.sh start
$sudo_cmd sh -c ': > /var/log/postfix-bench.log'
/usr/sbin/smtp-source -s $S -l 4096 -m $WARM -f bench@source.test -t sink@sink.test 127.0.0.1:$POSTFIX_PORT
bench/postfix-relay.sh wait-empty
$sudo_cmd sh -c ': > /var/log/postfix-bench.log'
read st0 tt0 < <(cpu_ticks)
start=$(date +%s.%N)
/usr/sbin/smtp-source -s $S -l 4096 -m $N -f bench@source.test -t sink@sink.test 127.0.0.1:$POSTFIX_PORT
bench/postfix-relay.sh wait-empty
end=$(date +%s.%N)
pf_steal=$(steal_since $st0 $tt0)
postfix_rate=$(echo "$N / ($end - $start)" | bc -l)
read pf_p50 pf_p99 < <(grep 'status=sent' /var/log/postfix-bench.log | sed -E 's/.*, delay=([0-9.]+),.*/\1/' | percentiles)

printf "messages=%d sessions=%d size=4KiB warm-up: postfix %d\n" $N $S $WARM
for line in "${LINES[@]}"; do echo "$line"; done
printf "%-28s %8.0f msg/s  p50=%ss p99=%ss  steal %s\n" "postfix:" $postfix_rate $pf_p50 $pf_p99 $pf_steal
for r in "${RATES[@]}"; do
  printf "ratio %s/postfix: %.2f\n" "${r%%=*}" $(echo "${r#*=} / $postfix_rate" | bc -l)
done
