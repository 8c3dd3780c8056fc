#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster on loopback: initdb in a temporary directory
# (as the postgres user when we are root, since initdb refuses root), start, export TEST_DATABASE_URL,
# run the command, and always stop and remove the cluster, even when the command fails.
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d /tmp/groupadmin-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
cleanup() {
  as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
as_pg "$pgbin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres groupadmin_test
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/groupadmin_test"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throw-away)"
"$@"
