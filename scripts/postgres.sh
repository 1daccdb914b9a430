#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the integration tests and print its URL.
# Usage: eval "$(scripts/postgres.sh start)"   ...   scripts/postgres.sh stop
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DIR=${CAREWISE_PG_DIR:-/tmp/carewise-pg}
PORT=${CAREWISE_PG_PORT:-54329}
RUN_AS=()
if [[ $(id -u) -eq 0 ]]; then RUN_AS=(runuser -u postgres --); fi

case "${1:-start}" in
  start)
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR" stop -m immediate >/dev/null 2>&1 || true
    rm -rf "$DIR"; mkdir -p "$DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DIR"
    "${RUN_AS[@]}" "$PGBIN/initdb" -D "$DIR" -U carewise --auth=trust -E UTF8 >/dev/null
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c full_page_writes=off" start >/dev/null
    "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U carewise -d postgres -qc "CREATE DATABASE carewise_test" >/dev/null
    echo "export CAREWISE_TEST_POSTGRES_URL=postgresql+psycopg://carewise@127.0.0.1:$PORT/carewise_test"
    ;;
  stop)
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR" stop -m fast >/dev/null 2>&1 || true
    ;;
esac
