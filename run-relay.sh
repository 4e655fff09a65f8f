#!/usr/bin/env bash
# Builds the project (without tests) and starts the example relay on 127.0.0.1:2525.
# RELAY_HOST, RELAY_PORT, RELAY_USERNAME, RELAY_PASSWORD, DNS_SERVERS, SMTP_PORT configure it.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests install
exec mvn -B -q -f examples/camel-main-relay exec:java
