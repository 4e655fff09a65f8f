#!/usr/bin/env bash
# Builds the example relay and the component it uses (without tests, nothing installed into ~/.m2) and starts it:
# SMTP on 127.0.0.1:2525 for loopback clients, delivery by MX, or through RELAY_HOST when it is set.
# RELAY_HOST, RELAY_PORT, RELAY_USERNAME, RELAY_PASSWORD, DNS_SERVERS, SMTP_PORT, SMTP_BIND_ADDRESS configure it;
# examples/camel-main-relay/README.md says more. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests -pl examples/camel-main-relay -am package
jar=(examples/camel-main-relay/target/camel-main-relay-*.jar)
exec java -jar "${jar[0]}" "$@"
