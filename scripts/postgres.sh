#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: listens on 127.0.0.1 only, data in a
# scratch folder, no password (trust, loopback only). Prints the export line for its
# admin URL, which tests/test_postgres.py creates its databases through:
#
#   eval "$(bash scripts/postgres.sh)"        # start (or reuse), export TEST_POSTGRES_URL
#   bash scripts/postgres.sh stop             # stop it
#
# Needs Debian's postgresql package (apt-get install postgresql; .ci/run installs it).
# Not for grades that matter: see the README for a real PostgreSQL gradebook.
set -euo pipefail

DATA=${TEST_POSTGRES_DIR:-/tmp/nbtools-test-postgres}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ] || [ ! -x "$BIN/pg_ctl" ]; then
    echo "scripts/postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi

# The server refuses to run as root: as root, run it as the postgres user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-start}" = stop ]; then
    [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
    exit 0
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 >/dev/null
    # A free port, picked once and kept with the data.
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
        | as_owner tee "$DATA/test_port" >/dev/null
fi
PORT=$(cat "$DATA/test_port")

if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA" start >&2
fi
echo "export TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/postgres"
