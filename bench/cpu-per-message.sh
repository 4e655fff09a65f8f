#!/usr/bin/env bash
# The relay server's CPU time and context switches per message, over N messages after W of warm-up (smtp-source, 20
# sessions, 4 KiB, into the relay server with its defaults, relaying to smtp-sink), and the machine's idle share.
# JAR= another relay-server jar (e.g. the filing day's, built by FILING=1 bench/run-relay.sh), ARGS= its arguments,
# EXTRA_ENV= its environment; PROF=1 with AP=<async-profiler's libasyncProfiler.so> also writes $OUT/flat.txt and
# $OUT/collapsed.txt (event cpu, per thread) for the measured window; THREADS=1 prints switches and CPU per message for
# each group of threads (threads that ended during the window are not counted).
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
# per thread group (the name with its numbers cut): voluntary and involuntary switches and CPU ticks
threads() { for t in /proc/$RELAY/task/*; do
  name=$(awk -v tid="${t##*/}" -F'\t' '$1 == tid { print $2 }' "$OUT/names.tsv"); [ -n "$name" ] || name="(native) $(cat "$t/comm")"
  printf '%s\t%s\t%s\t%s\n' "$name" "$(awk '/^voluntary_ctxt/ { print $2 }' "$t/status")" \
    "$(awk '/^nonvoluntary_ctxt/ { print $2 }' "$t/status")" "$(awk '{ print $14 + $15 }' "$t/stat")"; done 2>/dev/null; }
# the Java threads' names by native id, their numbers cut so that a pool's threads make one group
java_names() { jcmd $RELAY Thread.print | sed -n 's/^"\([^"]*\)".* nid=\(0x[0-9a-f]*\).*/\2\t\1/p' |
  while IFS=$'\t' read -r nid name; do printf '%d\t%s\n' "$nid" "$(echo "$name" | sed 's/[0-9]\+/N/g')"; done; }
switches() { cat /proc/$RELAY/task/*/status 2>/dev/null | awk '/voluntary_ctxt_switches/ { s += $2 } END { print s }'; }
cpu() { awk '{ print $14 + $15 }' /proc/$1/stat; }
[ -n "${THREADS:-}" ] && java_names > "$OUT/names.tsv" && threads > "$OUT/threads0.tsv"
cs0=$(switches); c0=$(cpu $RELAY); read -r _ u0 n0 s0 i0 w0 _ < /proc/stat; t0=$(date +%s.%N)
source_n "$N"
until [ "$(grep -c 'status=sent' "$OUT/relay.log")" -ge $((sent + N)) ]; do sleep 0.1; done
[ -n "${THREADS:-}" ] && threads > "$OUT/threads1.tsv"
cs1=$(switches); c1=$(cpu $RELAY); read -r _ u1 n1 s1 i1 w1 _ < /proc/stat; t1=$(date +%s.%N)
[ -n "${PROF:-}" ] && agent "stop,file=$OUT/flat.txt,flat=40" && agent "dump,collapsed,file=$OUT/collapsed.txt"
tick=$(getconf CLK_TCK)
if [ -n "${THREADS:-}" ]; then
  echo "per message, by thread group: voluntary switches, involuntary switches, CPU us"
  awk -F'\t' -v n="$N" -v tick="$tick" 'NR == FNR { v[$1] -= $2; i[$1] -= $3; c[$1] -= $4; next }
    { v[$1] += $2; i[$1] += $3; c[$1] += $4 }
    END { for (g in v) if (v[g] + i[g] + c[g] > 0) printf "%8.2f %8.2f %8.0f  %s\n", v[g] / n, i[g] / n, c[g] * 1e6 / tick / n, g }' \
    "$OUT/threads0.tsv" "$OUT/threads1.tsv" | sort -k3 -rn
fi
printf "rate %.0f msg/s; relay CPU %d us/msg; context switches %.1f/msg; machine idle %d%%; output in %s\n" \
  "$(echo "$N / ($t1 - $t0)" | bc -l)" $(( (c1 - c0) * 1000000 / tick / N )) "$(echo "($cs1 - $cs0) / $N" | bc -l)" \
  $(( (i1 + w1 - i0 - w0) * 100 / (u1 + n1 + s1 + i1 + w1 - u0 - n0 - s0 - i0 - w0) )) "$OUT"
