#!/usr/bin/env bash
# start: creates and starts a PostgreSQL cluster under var/pg-test on port 54329
#        and prints its URL; stop: stops and deletes it. initdb refuses root, so
#        as root it runs as the postgres user in a folder that user owns.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${THROWAWAY_PG_DIR:-/tmp/coworklib-pg-test}
port=${THROWAWAY_PG_PORT:-54329}
# Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<version>/bin.
if ! command -v initdb >/dev/null 2>&1; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bindir" ] && PATH="$bindir:$PATH"
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
  start)
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner initdb -D "$dir/data" -U postgres --auth=trust >/dev/null
    as_owner pg_ctl -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/coworklib"
    ;;
  stop)
    as_owner pg_ctl -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
