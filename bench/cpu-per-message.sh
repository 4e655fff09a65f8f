#!/usr/bin/env bash
# The relay server's CPU time and context switches per message, over N messages after W of warm-up (smtp-source, 20
# sessions, 4 KiB, into the relay server with its defaults, relaying to smtp-sink), and the machine's idle share.
# JAR= another relay-server jar (e.g. the filing day's, built by FILING=1 bench/run-relay.sh), ARGS= its arguments,
# EXTRA_ENV= its environment; PROF=1 with AP=<async-profiler's libasyncProfiler.so> also writes $OUT/flat.txt and
# $OUT/collapsed.txt (event cpu, per thread) for the measured window.
# Usage: [W=60000] [N=20000] bench/cpu-per-message.sh
set -eu
cd "$(dirname "$0")/.."
W=${W:-60000}; N=${N:-20000}; OUT=${OUT:-$(mktemp -d /tmp/relay-cpu.XXXX)}
[ -x /usr/sbin/smtp-sink ] || { echo "needs postfix's smtp-source and smtp-sink (bench/run-relay.sh installs them)" >&2; exit 2; }
JAR=${JAR:-$(ls examples/relay-server/target/relay-server-*.jar | grep -v original | head -1)}
user_opt=""; [ "$(id -u)" -eq 0 ] && user_opt="-u nobody"
rm -rf "$OUT/artemis"
/usr/sbin/smtp-sink $user_opt 127.0.0.1:25261 1024 & SINK=$!
# shellcheck disable=SC2086 # EXTRA_ENV and ARGS hold several words
env RELAY_HOST=127.0.0.1 RELAY_PORT=25261 RELAY_TLS=NONE SMTP_PORT=2529 RELAY_DATA_DIR="$OUT/artemis" ${EXTRA_ENV:-} \
  java -Xmx1g -jar "$JAR" ${ARGS:-} > "$OUT/relay.log" 2>&1 & RELAY=$!
trap 'kill $SINK $RELAY 2>/dev/null' EXIT
until grep -q "Started" "$OUT/relay.log" && (exec 3<>/dev/tcp/127.0.0.1/2529) 2>/dev/null; do
  kill -0 $RELAY || { tail -30 "$OUT/relay.log"; exit 1; }; sleep 0.5; done
source_n() { /usr/sbin/smtp-source -s 20 -l 4096 -m "$1" -f bench@source.test -t sink@sink.test 127.0.0.1:2529; }
sent=0
while [ $sent -lt "$W" ]; do source_n 10000; sent=$((sent + 10000)); done
until [ "$(grep -c 'status=sent' "$OUT/relay.log")" -ge $sent ]; do sleep 0.2; done
agent() { jcmd $RELAY JVMTI.agent_load "$AP" "\"$1\"" >/dev/null; }
[ -n "${PROF:-}" ] && agent "start,event=cpu,interval=1ms,threads"
switches() { cat /proc/$RELAY/task/*/status 2>/dev/null | awk '/voluntary_ctxt_switches/ { s += $2 } END { print s }'; }
cpu() { awk '{ print $14 + $15 }' /proc/$1/stat; }
cs0=$(switches); c0=$(cpu $RELAY); read -r _ u0 n0 s0 i0 w0 _ < /proc/stat; t0=$(date +%s.%N)
source_n "$N"
until [ "$(grep -c 'status=sent' "$OUT/relay.log")" -ge $((sent + N)) ]; do sleep 0.1; done
cs1=$(switches); c1=$(cpu $RELAY); read -r _ u1 n1 s1 i1 w1 _ < /proc/stat; t1=$(date +%s.%N)
[ -n "${PROF:-}" ] && agent "stop,file=$OUT/flat.txt,flat=40" && agent "dump,collapsed,file=$OUT/collapsed.txt"
tick=$(getconf CLK_TCK)
printf "rate %.0f msg/s; relay CPU %d us/msg; context switches %.1f/msg; machine idle %d%%; output in %s\n" \
  "$(echo "$N / ($t1 - $t0)" | bc -l)" $(( (c1 - c0) * 1000000 / tick / N )) "$(echo "($cs1 - $cs0) / $N" | bc -l)" \
  $(( (i1 + w1 - i0 - w0) * 100 / (u1 + n1 + s1 + i1 + w1 - u0 - n0 - s0 - i0 - w0) )) "$OUT"
