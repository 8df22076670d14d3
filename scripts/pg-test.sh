#!/bin/sh
# A throwaway PostgreSQL cluster for tests: `pg-test.sh start DIR` creates
# and starts one in DIR (listening only on a Unix socket in DIR) and prints
# its URL; `pg-test.sh restart DIR` restarts it (tests of reconnection);
# `pg-test.sh stop DIR` stops it and removes DIR. Runs the server
# as the `postgres` user when started as root (initdb refuses root).
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|restart|stop DIR" >&2; exit 2; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg-test: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 3; }
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U sanfu -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as_pg "$bin/createdb" -h "$dir" -U sanfu sanfu
	echo "postgres:///sanfu?host=$dir&user=sanfu"
	;;
restart)
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w restart >/dev/null
	;;
stop)
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|restart|stop DIR" >&2; exit 2 ;;
esac
