#!/usr/bin/env bash
# The shared settled record against a real PostgreSQL: starts a throw-away cluster on a loopback port (as the postgres
# user when run as root, which PostgreSQL refuses to run as), runs SharedSettledRecordPostgresTest against it, and
# removes the cluster whatever happens. Installs PostgreSQL with apt-get when it is missing (root only).
# Usage: .ci/postgres-settled.sh [extra mvn options, e.g. -o]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL is not installed: run this script as root, or first: sudo apt-get install -y postgresql" >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PORT=${SMTPRELAY_PG_PORT:-55432}
DIR=$(mktemp -d /tmp/smtprelay-pg.XXXXXX)

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cleanup() {
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT

if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$DIR"
fi
as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust --no-sync >/dev/null
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off" start >/dev/null
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres smtprelay

mvn -B "$@" verify -pl camel-relay-component -Dtest=SharedSettledRecordPostgresTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dsmtprelay.postgres.url="jdbc:postgresql://127.0.0.1:$PORT/smtprelay" -Dsmtprelay.postgres.user=postgres
