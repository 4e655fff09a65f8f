#!/usr/bin/env bash
# Builds the project (without tests) and starts the Spring Boot relay server: SMTP on 127.0.0.1:2525, an embedded
# persistent Artemis in ./data/artemis, delivery by MX, or through RELAY_HOST when it is set.
# Every setting is an environment variable (RELAY_HOST, RELAY_PORT, RELAY_USERNAME, RELAY_PASSWORD, SMTP_PORT,
# ARTEMIS_BROKER_URL, DKIM_DOMAIN, ...): see docs/relay-server.md. Arguments are passed on as properties, e.g.
#   ./run-relay-server.sh --camel.smtprelay.relay.retry.initial-delay=1m
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests install
args=""
if [ "$#" -gt 0 ]; then
    args="-Dspring-boot.run.arguments=$*"
fi
# the data directory is relative to where the server runs: keep it at the repository root, not in examples/
export RELAY_DATA_DIR="${RELAY_DATA_DIR:-$PWD/data/artemis}"
exec mvn -B -q -f examples/relay-server/pom.xml spring-boot:run ${args:+"$args"}
