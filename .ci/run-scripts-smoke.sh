#!/usr/bin/env bash
# Runs ./run-relay.sh and ./run-relay-server.sh as a user would: starts each, sends one message with a real SMTP client
# (swaks; else curl; else swaks from apt-get), sees it delivered to a loopback SMTP sink that the relay uses as its
# relay host (RELAY_HOST/RELAY_PORT), checks with examples/relay-server/relay-server mailq that the relay server's
# queue is empty again (over its management HTTP server, MANAGEMENT_PORT), and stops it. Ports are ephemeral, the
# relay server's queue lives in a temporary directory, and Maven uses a private copy of ~/.m2/repository, so
# run-relay-server.sh's `mvn install` leaves ~/.m2 as it was. Every process started here is stopped on exit, by its process group id.
set -euo pipefail
cd "$(dirname "$0")/.."

START_TIMEOUT=${START_TIMEOUT:-600}   # seconds for a script to build and start listening
DELIVERY_TIMEOUT=${DELIVERY_TIMEOUT:-60}

work=$(mktemp -d "${TMPDIR:-/tmp}/run-scripts-smoke.XXXXXX")
groups=()

log() { printf '%s run-scripts-smoke: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

stop_group() {
    local pgid=$1 i
    kill -TERM -- "-$pgid" 2>/dev/null || return 0
    for i in $(seq 1 60); do
        kill -0 -- "-$pgid" 2>/dev/null || return 0
        sleep 0.5
    done
    log "process group $pgid ignored SIGTERM for 30 s: killing it"
    kill -KILL -- "-$pgid" 2>/dev/null || true
}

cleanup() {
    local pgid
    for pgid in "${groups[@]}"; do
        stop_group "$pgid"
    done
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" INT TERM

# starts a command in a process group of its own, output to a log file; sets $started to its group id
start_group() {
    local logfile=$1
    shift
    setsid "$@" >"$logfile" 2>&1 </dev/null &
    started=$!
    groups+=("$started")
    # the group exists once the child has called setsid(); until then a check of the group would fail
    while ! kill -0 -- "-$started" 2>/dev/null && kill -0 "$started" 2>/dev/null; do
        sleep 0.1
    done
}

fail() {
    log "FAILED: $1"
    local f
    for f in "${@:2}"; do
        [ -f "$f" ] && { echo "----- last lines of $f"; tail -n 60 "$f"; }
    done
    exit 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 20000))
        port_open "$port" || { echo "$port"; return; }
    done
}

# waits until port $1 accepts connections while process group $2 lives, at most $3 seconds
await_port() {
    local port=$1 pgid=$2 deadline=$((SECONDS + $3))
    while ! port_open "$port"; do
        kill -0 -- "-$pgid" 2>/dev/null || return 1
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 1
    done
}

# the private local repository; on a machine without ~/.m2 yet, Maven fills it from the registry
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$work/repository"
if [ -d "$HOME/.m2/repository" ]; then
    cp -a "$HOME/.m2/repository" "$work/repository"
    rm -rf "$work/repository/io/github/camelrelay"
fi

client=
if command -v swaks >/dev/null; then
    client=swaks
elif command -v curl >/dev/null && curl --version | grep -qw smtp; then
    client=curl
else
    log "installing swaks"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq swaks >/dev/null
    client=swaks
fi
log "SMTP client: $client"

# send_mail PORT SUBJECT
send_mail() {
    local port=$1 subject=$2
    if [ "$client" = swaks ]; then
        swaks --server "127.0.0.1:$port" --helo client.example.com --from sender@example.com \
            --to rcpt@example.net --header "Subject: $subject" --body "Sent by .ci/run-scripts-smoke.sh"
    else
        printf 'From: <sender@example.com>\r\nTo: <rcpt@example.net>\r\nSubject: %s\r\n\r\nSent by .ci/run-scripts-smoke.sh\r\n' \
            "$subject" >"$work/message.eml"
        curl -sS -v --url "smtp://127.0.0.1:$port/client.example.com" --mail-from sender@example.com \
            --mail-rcpt rcpt@example.net --upload-file "$work/message.eml" 2>&1
    fi
}

# the component's test SMTP server is the sink: compile it if this checkout has not been built yet
if [ ! -f camel-relay-component/target/test-classes/io/github/camelrelay/smtprelay/testsupport/TestSmtpServer.class ]; then
    log "building the component's test classes for the sink"
    mvn -B -q -DskipTests -pl camel-relay-component test-compile
fi
start_group "$work/sink.log" java -cp camel-relay-component/target/test-classes .ci/SmtpSink.java "$work/sink" 20
sink=$started
for i in $(seq 1 60); do
    [ -f "$work/sink/port" ] && break
    kill -0 -- "-$sink" 2>/dev/null || fail "the SMTP sink did not start" "$work/sink.log"
    sleep 1
done
[ -f "$work/sink/port" ] || fail "the SMTP sink did not start within 60 s" "$work/sink.log"
sink_port=$(cat "$work/sink/port")
log "SMTP sink on 127.0.0.1:$sink_port"

delivered=0
# smoke NAME SCRIPT: starts ./SCRIPT with the sink as its relay host, relays one message through it and stops it
smoke() {
    local name=$1 script=$2 port mport subject reply deadline pgid found listing
    port=$(free_port)
    subject="run-scripts-smoke $name $$-$RANDOM"
    log "$name: starting ./$script with SMTP on 127.0.0.1:$port"
    mport=$(free_port)
    start_group "$work/$name.log" env RELAY_HOST=127.0.0.1 RELAY_PORT="$sink_port" SMTP_PORT="$port" \
        MANAGEMENT_PORT="$mport" RELAY_DATA_DIR="$work/$name-data" "./$script"
    pgid=$started
    await_port "$port" "$pgid" "$START_TIMEOUT" \
        || fail "$name: ./$script did not listen on 127.0.0.1:$port within $START_TIMEOUT s" "$work/$name.log"
    log "$name: listening after ${SECONDS}s of this script; sending one message"
    reply=$(send_mail "$port" "$subject") || fail "$name: the SMTP client failed: $reply" "$work/$name.log"
    echo "$reply" | grep -qE '250[ -].*queued as' \
        || fail "$name: no 250 for the message; the client saw: $reply" "$work/$name.log"
    deadline=$((SECONDS + DELIVERY_TIMEOUT))
    found=
    while [ -z "$found" ]; do
        found=$(grep -l -F "Subject: $subject" "$work"/sink/message-*.eml 2>/dev/null | head -n 1 || true)
        [ -n "$found" ] && break
        [ "$SECONDS" -lt "$deadline" ] || fail "$name: the message did not reach the sink within $DELIVERY_TIMEOUT s" \
            "$work/$name.log" "$work/sink.log"
        sleep 1
    done
    grep -q -F 'X-Sink-Rcpt-To: rcpt@example.net' "$found" \
        || fail "$name: the sink got the message for other recipients: $(head -n 2 "$found")" "$work/$name.log"
    if [ "$script" = run-relay-server.sh ]; then
        # the CLI against the running server's management HTTP server: once the delivery has committed, the queue
        # is empty
        deadline=$((SECONDS + DELIVERY_TIMEOUT))
        while :; do
            listing=$(MANAGEMENT_PORT="$mport" examples/relay-server/relay-server mailq 2>&1) \
                || fail "$name: relay-server mailq failed: $listing" "$work/$name.log"
            [ "$listing" = "Mail queue is empty" ] && break
            [ "$SECONDS" -lt "$deadline" ] \
                || fail "$name: expected relay-server mailq to print 'Mail queue is empty' but it printed: $listing" "$work/$name.log"
            sleep 1
        done
        log "$name: relay-server mailq on 127.0.0.1:$mport: $listing"
    fi
    log "$name: delivered to the sink ($(basename "$found")); stopping ./$script"
    stop_group "$pgid"
    delivered=$((delivered + 1))
}

smoke run-relay run-relay.sh
smoke run-relay-server run-relay-server.sh

echo "$delivered passed, 0 failed"
