#!/usr/bin/env bash
# Benchmark 4: one large message end to end. swaks sends one message of SIZE MiB (RFC 5322, CRLF lines of 78
# octets, a base64 body) into the relay server (SMTP in, embedded Artemis with its journal synced to disk, delivery
# through a relay host) and smtp-sink, which dumps what it receives so the delivered bytes are checked against what
# was sent. Prints the heap the relay server needed for it:
#   * live heap after a full GC before the message and after it was relayed (GC log);
#   * peak heap used while relaying, sampled every 100 ms (jstat), and the largest heap left after a GC during it;
#   * peak RSS (VmHWM);
#   * with --min-heap, the smallest -Xmx (bisection over XMX_CANDIDATES) with which the message is still relayed.
# RELAY_JAVA_OPTS (default -Xmx256m) sets the relay server's JVM options for the measured run; RELAY_JFR=1 also
# records every allocation outside a TLAB of 1 MiB or more with its stack (where the message is copied); RELAY_DKIM=1
# has the relay server sign the message with DKIM (a key made with openssl for the run).
# SKIP_BUILD=1 uses the jar built last. Logs stay in /tmp/relay-large.*.
# Usage: bench/run-large.sh [size-MiB] [--min-heap]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-25}
MODE=${2:-}
SINK_PORT=${SINK_PORT:-25270}
RELAY_SMTP_PORT=${RELAY_SMTP_PORT:-2537}
XMX_CANDIDATES=${XMX_CANDIDATES:-"24 32 48 64 96 128 192 256"}
ATTEMPT_TIMEOUT=${ATTEMPT_TIMEOUT:-180}
WORK=$(mktemp -d /tmp/relay-large.XXXX)
chmod 755 $WORK  # smtp-sink runs as nobody and writes its dumps below it
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
[ -x /usr/sbin/smtp-sink ] || { echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections; DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q postfix >/dev/null; }
command -v swaks >/dev/null || DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q swaks >/dev/null
user_opt=""; [ "$(id -u)" -eq 0 ] && user_opt="-u nobody"

# the repackaged jar is not rebuilt when only a dependency changed, so the bench would run stale code
[ "${SKIP_BUILD:-0}" = 1 ] || rm -f examples/relay-server/target/relay-server-*.jar*
[ "${SKIP_BUILD:-0}" = 1 ] || mvn -B -q -DskipTests install
JAR=$(ls examples/relay-server/target/relay-server-*.jar | grep -v original | head -1)

# --- the message: headers, a blank line, base64-looking lines of 76 characters; exactly SIZE MiB with CRLFs
MSG=$WORK/message.eml
perl -e '
  my ($size, $file) = @ARGV; srand(4); open(my $f, ">:raw", $file) or die;
  my $head = "From: Large Sender <a\@source.test>\r\nTo: <b\@sink.test>\r\nSubject: large message benchmark\r\n"
    . "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <large-" . time() . "\@source.test>\r\nMIME-Version: 1.0\r\n"
    . "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  print $f $head; my $left = $size - length($head);
  my @b64 = ("A".."Z", "a".."z", "0".."9", "+", "/");
  my @lines = map { join("", map { $b64[int(rand(64))] } 1..76) . "\r\n" } 1..4096;
  my $i = 0;
  while ($left > 0) { my $l = $lines[$i++ % 4096]; if ($left < length($l)) { $l = ("A" x ($left - 2)) . "\r\n"; } print $f $l; $left -= length($l); }
  close $f;' $((SIZE_MIB * 1048576)) "$MSG"
MSG_SIZE=$(stat -c %s "$MSG")
# swaks ends the data with CRLF.CRLF itself: given the message without its last CRLF, it sends exactly MSG_SIZE octets
head -c -2 "$MSG" > "$MSG.swaks"
# smtp-sink's dump has LF line ends: what was sent is compared in that form
MSG_LF_SHA=$(tr -d '\r' < "$MSG" | sha256sum | cut -d' ' -f1)
MSG_LF_SIZE=$(tr -d '\r' < "$MSG" | wc -c)

SINK_PID=""
RELAY_PID=""
JSTAT_PID=""
cleanup() {
  [ -n "$JSTAT_PID" ] && kill $JSTAT_PID 2>/dev/null || true
  [ -n "$RELAY_PID" ] && kill $RELAY_PID 2>/dev/null || true
  [ -n "$SINK_PID" ] && kill $SINK_PID 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$MSG" "$MSG.swaks" "$WORK"/*/artemis "$WORK"/*/sink
}
trap cleanup EXIT

# one relay server from start to its delivery of the message; $1 = JVM options, $2 = run directory.
# Returns 0 when the message reached the sink intact; leaves figures in $2.
relay_once() {
  local opts=$1 dir=$2
  mkdir -p "$dir/sink"; chmod 755 "$dir"; chmod 777 "$dir/sink"
  /usr/sbin/smtp-sink $user_opt -d "$dir/sink/%H%M%S." 127.0.0.1:$SINK_PORT 16 &
  SINK_PID=$!
  local jfr=""
  [ "${RELAY_JFR:-0}" = 1 ] && jfr="-XX:StartFlightRecording=filename=$dir/relay.jfr,settings=$WORK/alloc.jfc"
  # a heap too small for the message must show as a failure, not as minutes of GC thrashing
  env $DKIM_ENV RELAY_HOST=127.0.0.1 RELAY_PORT=$SINK_PORT RELAY_TLS=NONE SMTP_PORT=$RELAY_SMTP_PORT RELAY_DATA_DIR=$dir/artemis \
    java $opts -XX:+ExitOnOutOfMemoryError -Xlog:gc:file=$dir/gc.log $jfr -jar "$JAR" $size_opt > $dir/relay.log 2>&1 &
  RELAY_PID=$!
  until grep -q "Started\|started in" $dir/relay.log && (exec 3<>/dev/tcp/127.0.0.1/$RELAY_SMTP_PORT) 2>/dev/null; do
    kill -0 $RELAY_PID 2>/dev/null || { echo "relay server did not start ($opts):"; tail -5 $dir/relay.log; RELAY_PID=""; return 1; }
    sleep 0.5
  done
  jcmd $RELAY_PID GC.run >/dev/null
  sleep 0.5
  jstat -gc $RELAY_PID 100 > $dir/jstat.txt 2>/dev/null &
  JSTAT_PID=$!
  local start end ok=0
  start=$(date +%s.%N)
  if timeout $ATTEMPT_TIMEOUT swaks --server 127.0.0.1:$RELAY_SMTP_PORT --from a@source.test --to b@sink.test \
      --data @"$MSG.swaks" --suppress-data > $dir/swaks.log 2>&1; then
    until grep -q 'status=' $dir/relay.log; do
      if ! kill -0 $RELAY_PID 2>/dev/null || [ $(echo "$(date +%s.%N) - $start > $ATTEMPT_TIMEOUT" | bc) = 1 ]; then break; fi
      sleep 0.1
    done
  fi
  end=$(date +%s.%N)
  if grep -q 'status=sent' $dir/relay.log; then
    sleep 0.3  # the sink finishes writing its dump
    local got; got=$(ls $dir/sink | head -1)
    # the relay adds header fields above the message; from its From line on, the message must be unchanged
    local at; at=$([ -n "$got" ] && grep -a -b -m1 '^From: Large Sender' "$dir/sink/$got" | cut -d: -f1 || true)
    if [ -n "$at" ] && [ "$(tail -c +$((at + 1)) "$dir/sink/$got" | head -c $MSG_LF_SIZE | sha256sum | cut -d' ' -f1)" = "$MSG_LF_SHA" ]; then ok=1; fi
    [ $ok = 1 ] || echo "the sink's copy differs from the message sent"
    jcmd $RELAY_PID GC.run >/dev/null 2>&1 || true
    sleep 0.3
    grep VmHWM /proc/$RELAY_PID/status | awk '{printf "%.0f", $2/1024}' > $dir/hwm
    jcmd $RELAY_PID GC.heap_info > $dir/heap_info.txt 2>/dev/null || true
  fi
  echo "$end - $start" | bc > $dir/seconds
  kill $JSTAT_PID 2>/dev/null || true; JSTAT_PID=""
  kill $RELAY_PID 2>/dev/null || true; wait $RELAY_PID 2>/dev/null || true; RELAY_PID=""
  kill $SINK_PID 2>/dev/null || true; wait $SINK_PID 2>/dev/null || true; SINK_PID=""
  rm -rf "$dir/artemis" "$dir/sink"
  [ $ok = 1 ]
}

cat > $WORK/alloc.jfc <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ObjectAllocationOutsideTLAB"><setting name="enabled">true</setting><setting name="stackTrace">true</setting></event>
  <event name="jdk.GarbageCollection"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
</configuration>
EOF

# above the listener's default limit of 25 MiB, the limit is raised to the message
size_opt=""
[ $MSG_SIZE -gt 26214400 ] && size_opt="--camel.smtprelay.relay.ingress.options.maxMessageSize=$MSG_SIZE"
DKIM_ENV=""
if [ "${RELAY_DKIM:-0}" = 1 ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $WORK/dkim.pem 2>/dev/null
  DKIM_ENV="DKIM_DOMAIN=source.test DKIM_SELECTOR=bench DKIM_PRIVATE_KEY=$WORK/dkim.pem"
fi

# --- the measured run
RUN=$WORK/run
if relay_once "${RELAY_JAVA_OPTS:--Xmx256m}" $RUN; then result="relayed, delivered bytes identical"; else result="NOT relayed"; fi
# the "Pause Full (Diagnostic Command)" lines are the full GCs (jcmd GC.run) before the message and after it
full='Pause Full (Diagnostic Command)'
before=$(grep -F "$full" $RUN/gc.log | head -1 | sed -E 's/.*->([0-9]+)M.*/\1/' || true)
after=$(grep -F "$full" $RUN/gc.log | sed -n 2p | sed -E 's/.*->([0-9]+)M.*/\1/' || true)
during_after=$(awk -v f="$full" 'index($0, f) {n++; next} n==1 && /->/ {match($0, /->[0-9]+M/); v=substr($0, RSTART+2, RLENGTH-3)+0; if (v>m) m=v} END {print m+0}' $RUN/gc.log)
gcs=$(awk -v f="$full" 'index($0, f) {n++; next} n==1 && /Pause/ {c++} END {print c+0}' $RUN/gc.log)
# jstat -gc columns: S0C S1C S0U S1U EC EU OC OU ...; used = S0U + S1U + EU + OU (KiB)
peak=$(awk 'NR>1 && $1 ~ /^[0-9.]+$/ {u=$3+$4+$6+$8; if (u>m) m=u} END {printf "%.0f", m/1024}' $RUN/jstat.txt)

printf "message: %d octets (%d MiB)\n" $MSG_SIZE $SIZE_MIB
printf "relay server (%s%s): %s in %.1f s\n" "${RELAY_JAVA_OPTS:--Xmx256m}" "${DKIM_ENV:+, DKIM signing}" "$result" "$(cat $RUN/seconds)"
printf "  live heap after full GC: before the message %s MiB, after it %s MiB\n" "${before:-?}" "${after:-?}"
printf "  while relaying: peak heap used %s MiB (sampled every 100 ms), largest heap after a GC %s MiB (%s GCs)\n" \
  "${peak:-?}" "$during_after" "$gcs"
printf "  peak RSS (VmHWM) %s MiB\n" "$(cat $RUN/hwm 2>/dev/null || echo ?)"
if [ "${RELAY_JFR:-0}" = 1 ] && [ -f $RUN/relay.jfr ]; then
  echo "  allocations outside TLAB of 1 MiB or more (size, top frames):"
  jfr print --events jdk.ObjectAllocationOutsideTLAB --stack-depth 12 $RUN/relay.jfr | awk '
    /allocationSize/ {size=$3; gsub(/[^0-9.]/, "", size); unit=$4; big=(unit ~ /MB/ && size+0 >= 1); stack=""; next}
    big && /line:/ {sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); stack=stack "      " $0 "\n"; next}
    big && /^}/ {print "    " size " " unit; printf "%s", stack; big=0}'
fi

# --- the smallest heap that still relays it
if [ "$MODE" = "--min-heap" ]; then
  read -r -a cand <<< "$XMX_CANDIDATES"
  lo=0; hi=$((${#cand[@]} - 1)); best=""
  while [ $lo -le $hi ]; do
    mid=$(((lo + hi) / 2)); x=${cand[$mid]}
    if relay_once "-Xmx${x}m" $WORK/xmx$x >/dev/null; then
      printf "  -Xmx%sm: relayed (%.1f s, VmHWM %s MiB)\n" $x "$(cat $WORK/xmx$x/seconds)" "$(cat $WORK/xmx$x/hwm)"; best=$x; hi=$((mid - 1))
    else
      why=$(grep -m1 -o 'OutOfMemoryError[^"]*' $WORK/xmx$x/relay.log || grep -m1 -o 'status=[a-z]*.*' $WORK/xmx$x/relay.log || echo "not delivered")
      echo "  -Xmx${x}m: failed ($why)"; lo=$((mid + 1))
    fi
  done
  echo "smallest -Xmx that relays the ${SIZE_MIB} MiB message: $([ -n "$best" ] && echo "$best MiB" || echo "none of $XMX_CANDIDATES")"
fi
