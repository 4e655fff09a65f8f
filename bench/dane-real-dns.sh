#!/usr/bin/env bash
# DANE and MTA-STS against real DNS software: NSD (authoritative) from the Debian archive serving zones signed with
# ldns-keygen and ldns-signzone, and the producer validating DNSSEC itself (dnssec=true, dnsServers at NSD, the
# signed parent zone's DS as the only trust anchor). Installs nsd and ldnsutils (apt-get, as root or with sudo -n)
# when they are missing, builds the component's test classes (test-compile, never install), and runs
# bench/dane/RealDnsCases.java: DANE-EE, DANE-TA, no TLSA match (and the next MX), STARTTLS stripped, an unsigned
# zone, bogus MX and TLSA signatures, MTA-STS enforce, an MX host outside the policy, an untrusted certificate, and
# REQUIRETLS, each through a real Camel producer against TestSmtpServer on 127.0.0.2 and .3. Prints one PASS or FAIL
# line per case and "N passed, M failed"; exits non-zero when a case failed. Not part of mvn verify or .ci/run.
#   bench/dane-real-dns.sh            MVN_ARGS=-o for an offline build, KEEP_WORK=1 keeps the working directory
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/dane-real-dns.XXXXXX")
cleanup() {
    # the driver stops NSD itself; this is for a driver that died before it could
    if [ -s "$work/nsd.pid" ] && kill -0 "$(cat "$work/nsd.pid")" 2>/dev/null; then
        kill "$(cat "$work/nsd.pid")" || true
    fi
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
log() { printf '%s dane-real-dns: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

if ! command -v nsd >/dev/null || ! command -v ldns-signzone >/dev/null || ! command -v ldns-verify-zone >/dev/null; then
    log "installing nsd and ldnsutils"
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { log "need root or sudo to install nsd and ldnsutils"; exit 1; }
        sudo="sudo -n"
    fi
    $sudo apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nsd ldnsutils >/dev/null
fi
log "$(nsd -v 2>&1 | head -n 1), $(ldns-signzone -v 2>&1 | head -n 1)"

log "building the component's test classes"
# Maven's output goes to a file, shown only when it fails
# shellcheck disable=SC2086 # MVN_ARGS holds several arguments
mvn -B -q ${MVN_ARGS:-} -DskipTests -pl camel-relay-component test-compile >"$work/mvn.log" 2>&1 &&
    mvn -B -q ${MVN_ARGS:-} -pl camel-relay-component dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$work/classpath.txt" >>"$work/mvn.log" 2>&1 || { cat "$work/mvn.log"; exit 1; }
classpath="camel-relay-component/target/classes:camel-relay-component/target/test-classes:$(cat "$work/classpath.txt")"

log "running bench/dane/RealDnsCases.java in $work"
java -Dlog4j2.configurationFile=bench/dane/log4j2.properties -Djava.util.logging.config.file=bench/dane/logging.properties -Drealdns.log="$work/relay.log" \
    -cp "$classpath" bench/dane/RealDnsCases.java "$work" || {
    echo "----- the relay's delivery lines"
    grep -e 'smtprelay.delivery' -e ' ERROR ' "$work/relay.log" 2>/dev/null | tail -n 60 || true
    echo "----- NSD's log"
    tail -n 30 "$work/nsd.log" 2>/dev/null || true
    exit 1
}
