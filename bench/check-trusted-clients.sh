#!/usr/bin/env bash
# Issue 13 item 5, end to end (never part of mvn verify): with the listener's default settings,
# `smtp-source -s 20 -m 2000 -l 4096` from loopback (a relay network) has every message accepted: connections are
# counted exactly and the relay networks are exempt from maxConnectionsPerClient. Exits non-zero otherwise.
# Usage: bench/check-trusted-clients.sh [messages] [sessions]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-2000}
S=${2:-20}
PORT=${PORT:-2611}
if [ ! -x /usr/sbin/smtp-source ] && ! command -v smtp-source >/dev/null; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null
fi
SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mvn -B -q ${MVN_OFFLINE:--o} -pl camel-relay-component package -DskipTests >&2
mvn -B -q ${MVN_OFFLINE:--o} -pl camel-relay-component org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp" >&2
CP="$ROOT/camel-relay-component/target/camel-relay-component-0.1.0-SNAPSHOT.jar:$(cat "$WORK/cp")"
mkfifo "$WORK/ctl"
java -Xmx512m -cp "$CP" bench/listener/ListenerBench.java defaults "$PORT" < "$WORK/ctl" > "$WORK/out" 2>"$WORK/err" &
SERVER_PID=$!
exec {CTL}>"$WORK/ctl"
until grep -q listening "$WORK/out" 2>/dev/null; do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/err"; exit 1; }; sleep 0.2
done
set +e
"$SOURCE" -s "$S" -m "$N" -l 4096 -c -f a@bench.test -t b@example.net 127.0.0.1:"$PORT" > "$WORK/source.out" 2>&1
RC=$?
set -e
echo stats >&"$CTL"
until grep -q stats "$WORK/out"; do sleep 0.2; done
ACCEPTED=$(grep stats "$WORK/out" | sed 's/.*accepted=//')
# -c prints only a counter; smtp-source reports every unexpected reply on a line of its own
REFUSED=$(grep -c "smtp-source:" "$WORK/source.out" || true)
echo "smtp-source -s $S -m $N -l 4096 127.0.0.1:$PORT (default listener settings): exit $RC, $ACCEPTED of $N accepted, $REFUSED errors reported by smtp-source"
[ "$RC" -eq 0 ] && [ "$ACCEPTED" -eq "$N" ] && [ "$REFUSED" -eq 0 ] || { tail -5 "$WORK/source.out"; exit 1; }
