#!/usr/bin/env bash
# make bench: how fast Sanfu is next to the limit of this machine. For each
# database size (10k, 100k, 1M orders; 10M for the reads with BENCH_FULL=1)
# it generates the data once (sanfu seed-demo + sanfu gen, cached by the
# generator's and schema's sources), starts `sanfu serve` on a copy and
# times its start, drives each scenario over loopback with wrk at 64
# connections, measures nginx serving a static file of the same size as the
# order response as the ceiling, and records the server's peak RSS. Results:
# bench/results/latest.json and latest.md (bench/README.md explains them).
#
# Settings (environment): BENCH_FULL=1 adds 10M orders for the reads;
# BENCH_SIZES="10000 100000" picks sizes; BENCH_DURATION=10 seconds per
# scenario; BENCH_CONNECTIONS=64; BENCH_OUT=var/bench (scratch and cache);
# BENCH_ONLY="get search2" runs only those scenarios; BENCH_WEB=0 skips the
# browser measurements.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ROOT=$PWD

BUILD=${BUILD:-build}
case $BUILD in /*) SANFU=$BUILD/sanfu ;; *) SANFU=$ROOT/$BUILD/sanfu ;; esac
# BENCH_SANFU: serve with another binary (e.g. an older build, for a before
# and after) on databases generated with this one.
SERVE_BIN=${BENCH_SANFU:-$SANFU}
OUT=${BENCH_OUT:-$ROOT/var/bench}
CACHE=$OUT/cache
RUN=$OUT/run
DUR=${BENCH_DURATION:-10}
WARM=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-64}
CORES=$(nproc)
THREADS=${BENCH_THREADS:-$CORES}
PORT=${BENCH_PORT:-18480}
NGINX_PORT=$((PORT + 1))
MHD_PORT=$((PORT + 2))
SIZES=${BENCH_SIZES:-"10000 100000 1000000"}
FULL=${BENCH_FULL:-0}
ONLY=${BENCH_ONLY:-}
WRK_DIR=$ROOT/bench/wrk
# Two- and three-character terms people type; each must find what LIKE finds.
TERMS2=${BENCH_TERMS2:-"路灯,噪音,井盖,停车"}
TERMS3=${BENCH_TERMS3:-"电动车,人行道,垃圾房,公交站"}

need() {
	command -v "$1" >/dev/null 2>&1 || {
		echo "bench: $1 is needed ($2)" >&2
		exit 1
	}
}
need wrk "apt-get install wrk"
need nginx "apt-get install nginx-light (or nginx)"
need node "apt-get install nodejs"
need curl "apt-get install curl"
need jq "apt-get install jq"
need sqlite3 "apt-get install sqlite3"

make -s BUILD="$BUILD" all "$(dirname "$SANFU")/bench/mhd-static"
MHD_STATIC=$(dirname "$SANFU")/bench/mhd-static
mkdir -p "$CACHE" "$RUN"
rm -f "$RUN"/*.txt "$RUN"/*.err "$RUN"/*.json "$RUN"/*.log
SERVER_PID=
NGINX_PID=
CEILING_PID=
SCAN_ARGS=()
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
	[ -n "$CEILING_PID" ] && kill "$CEILING_PID" 2>/dev/null || true
}
trap cleanup EXIT

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

wanted() {
	[ -z "$ONLY" ] && return 0
	case " $ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

# ---- the machine ----

machine_json() {
	local cpu mem mhd sq
	cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
	mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	mhd=$(dpkg-query -W -f '${Version}' libmicrohttpd12 2>/dev/null || echo "?")
	sq=$(sqlite3 --version | cut -d' ' -f1)
	jq -n --arg cpu "$cpu" --arg cores "$CORES" --arg mem "$mem" --arg kernel "$(uname -sr)" \
		--arg os "$(. /etc/os-release && echo "$PRETTY_NAME")" \
		--arg sanfu "$("$SANFU" --version 2>&1 | head -1)" --arg sqlite "$sq" \
		--arg mhd "$mhd" --arg nginx "$(nginx -v 2>&1 | sed 's/.*nginx\///')" \
		--arg wrk "$(wrk -v 2>&1 | head -1 | cut -d' ' -f2)" \
		--arg cc "$(${CC:-cc} --version | head -1)" \
		--arg node "$(node --version)" \
		'{cpu: $cpu, cores: ($cores | tonumber), memory: $mem, kernel: $kernel, os: $os,
		  versions: {sanfu: $sanfu, sqlite: $sqlite, libmicrohttpd: $mhd, nginx: $nginx,
		  wrk: $wrk, compiler: $cc, node: $node}}'
}
machine_json >"$RUN/machine.json"
jq -n --arg d "$DUR" --arg c "$CONNS" --arg t "$THREADS" --arg w "$WARM" \
	'{duration_s: ($d | tonumber), connections: ($c | tonumber), wrk_threads: ($t | tonumber),
	  warmup_s: ($w | tonumber), server_threads: "one per core"}' >"$RUN/settings.json"

# ---- databases ----

# The cache key: what decides the generated rows.
GEN_KEY=${BENCH_GEN_KEY:-}
# (Not the schema: a cached database is brought up to date by sanfu migrate,
# as a deployed one would be.)
[ -n "$GEN_KEY" ] || GEN_KEY=$(cat src/cli/gen*.c src/cli/gen_impl.h src/store/gen*.c src/store/gen_impl.h \
	src/cli/seed*.c data/demo/*.json | sha1sum | cut -c1-12)

make_db() {
	local n=$1 db=$CACHE/orders-$1-$GEN_KEY.db t0 t1
	if [ -f "$db" ] && [ -f "$db.done" ]; then
		"$SANFU" migrate --db "$db" >"$RUN/migrate-$n.log" 2>&1
		echo "$db"
		return
	fi
	rm -f "$CACHE"/orders-"$n"-*.db*
	log "generating $n orders (cached in $CACHE)"
	SANFU_FAST_HASH=true "$SANFU" seed-demo --db "$db" >"$RUN/seed-$n.log" 2>&1
	t0=$(date +%s.%N)
	"$SANFU" gen --orders "$n" --seed 1 --db "$db" >"$RUN/gen-$n.log" 2>&1
	t1=$(date +%s.%N)
	if [ "$n" -le 1000000 ]; then
		log "audit verify on $n orders"
		"$SANFU" audit verify --db "$db" >"$RUN/audit-$n.log" 2>&1 || {
			echo "bench: audit verify failed on the generated $n orders" >&2
			cat "$RUN/audit-$n.log" >&2
			exit 1
		}
	fi
	jq -n --arg s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
		--arg b "$(stat -c %s "$db")" \
		'{gen_seconds: ($s | tonumber), db_bytes: ($b | tonumber)}' >"$db.done"
	echo "$db"
}

# ---- the server ----

start_server() {
	local db=$1 name=$2 out
	out=$(node bench/lib/ready.mjs "$RUN/serve-$name.log" "$PORT" -- env SANFU_LOG_REQUESTS=false \
		"$SERVE_BIN" serve --db "$db" --listen "127.0.0.1:$PORT" "${SCAN_ARGS[@]}")
	SERVER_PID=${out% *}
	START_MS=${out#* }
}

stop_server() {
	HWM_KB=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
	kill "$SERVER_PID"
	while kill -0 "$SERVER_PID" 2>/dev/null; do sleep 0.05; done
	SERVER_PID=
}

# login LOGIN -> "COOKIE CSRF"
login() {
	local h b
	h=$(mktemp)
	b=$(curl -sf -D "$h" -H 'Content-Type: application/json' \
		-d "{\"login\":\"$1\",\"password\":\"Sanfu2026\"}" "http://127.0.0.1:$PORT/api/v1/auth/login")
	echo "$(sed -n 's/^[Ss]et-[Cc]ookie: \(sanfu_session=[^;]*\).*/\1/p' "$h") $(echo "$b" | jq -r .csrf)"
	rm -f "$h"
}

# ---- scenarios ----

# The ceilings: nginx, and libmicrohttpd answering the same bytes alone.
ceiling() { [ "$1" = nginx ] || [ "$1" = mhd ]; }

# wrk_run NAME SCRIPT URL: warm up, then measure; the output goes to $RUN/$SIZE-NAME.txt
wrk_run() {
	local name=$1 script=$2 url=$3
	if [ "$WARM" != 0 ]; then
		BENCH_IN_WARMUP=1 BENCH_WRK=$WRK_DIR BENCH_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNS" -d"${WARM}s" \
			-s "$WRK_DIR/$script" "$url" >/dev/null 2>&1 || true
		ceiling "$name" || drain
	fi
	# What else used the cores meanwhile (other work skews the figures):
	# all busy time less the server's and wrk's, as a share of the cores.
	local b0 s0 b1 s1 w pid=${CEILING_PID:-${SERVER_PID:-}}
	b0=$(busy_ticks)
	s0=$(proc_ticks "$pid")
	w=$({ TIMEFORMAT='%U %S'; time BENCH_WRK=$WRK_DIR BENCH_THREADS=$THREADS wrk -t"$THREADS" \
		-c"$CONNS" -d"${DUR}s" --latency -s "$WRK_DIR/$script" "$url" >"$RUN/$SIZE-$name.txt" \
		2>"$RUN/$SIZE-$name.err"; } 2>&1)
	b1=$(busy_ticks)
	s1=$(proc_ticks "$pid")
	[ "$name" = nginx ] && s1=$(nginx_ticks) && s0=$NGINX_T0
	awk -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v w="$w" -v hz="$(getconf CLK_TCK)" \
		-v d="$DUR" -v n="$CORES" 'BEGIN { split(w, x, " "); o = b - s - (x[1] + x[2]) * hz;
			printf "%.0f\n", (o < 0 ? 0 : o) / (d * n * hz) * 100 }' >"$RUN/$SIZE-$name.other"
	log "$SIZE $name: $(sed -n 's/^Requests\/sec: *//p' "$RUN/$SIZE-$name.txt") req/s"
	# A ceiling made of error pages would be no ceiling.
	if ceiling "$name" && ! grep -q '^BENCH_BAD 0$' "$RUN/$SIZE-$name.txt"; then
		echo "bench: $name did not serve the file (see $RUN/$SIZE-$name.err)" >&2
		exit 1
	fi
	ceiling "$name" || drain
}

# Wait until the server has worked off what the last scenario left in
# flight (slow requests queued behind each other outlive wrk's run) and
# answers /healthz quickly again.
drain() {
	local t
	for _ in $(seq 1800); do
		t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 10 "http://127.0.0.1:$PORT/healthz" ||
			echo 10)
		awk -v t="$t" 'BEGIN { exit !(t < 0.02) }' && return
		sleep 0.1
	done
	log "the server is still busy after 3 minutes"
}

urlenc() { jq -rn --arg s "$1" '$s | @uri'; }

# Busy clock ticks of the whole machine, and of one process (0 when none).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
proc_ticks() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
# nginx's master and workers together.
nginx_ticks() {
	local t=0 p
	for p in $(pgrep -s "$(ps -o sid= -p "$NGINX_PID" | tr -d ' ')" nginx 2>/dev/null); do
		t=$((t + $(proc_ticks "$p")))
	done
	echo "$t"
}

# Every search term must find exactly what a LIKE over the searched fields
# finds: the same count, paging through the API, and the same first page.
like_where() {
	echo "(title LIKE '%$1%' OR description LIKE '%$1%' OR address LIKE '%$1%' OR
		code LIKE '%$1%' OR requester_org LIKE '%$1%')"
}
verify_search() {
	local db=$1 t where sums="" counts i=0
	# The counts of every term in one pass over the orders (10M orders do
	# not fit the page cache), the first pages from the newest orders down.
	for t in ${TERMS2//,/ } ${TERMS3//,/ }; do
		sums="$sums, SUM($(like_where "$t"))"
	done
	counts=$(sqlite3 "$db" "SELECT ${sums#, } FROM orders" | tr '|' ' ')
	read -r -a counts <<<"$counts"
	for t in ${TERMS2//,/ } ${TERMS3//,/ }; do
		where=$(like_where "$t")
		jq -n --arg t "$t" --arg hits "${counts[$i]}" \
			--arg first "$(sqlite3 "$db" "SELECT id FROM orders WHERE $where
				ORDER BY created_at DESC, id DESC LIMIT 20" | tr '\n' ' ')" \
			'{term: $t, hits: ($hits | tonumber), first: ($first | split(" ") |
			  map(select(. != "") | tonumber))}'
		i=$((i + 1))
	done | jq -s . >"$RUN/$SIZE-search-expect.json"
	node bench/lib/verify-search.mjs "http://127.0.0.1:$PORT" "$COOKIE" \
		"$RUN/$SIZE-search-expect.json" >"$RUN/$SIZE-search-check.json" || {
		echo "bench: a search term does not find what it should (above)" >&2
		exit 1
	}
	log "$SIZE search terms verified: $(jq -c 'map({(.term): .hits}) | add' "$RUN/$SIZE-search-check.json")"
}

# nginx on the same cores serving a file of the same size as the order response.
nginx_ceiling() {
	local dir=$RUN/nginx bytes www
	rm -rf "$dir"
	mkdir -p "$dir/tmp"
	# The file where nginx's workers (www-data when started by root) can
	# read it, whatever the permissions of the checkout's folders.
	www=$(mktemp -d /tmp/sanfu-bench-www.XXXXXX)
	chmod 755 "$www"
	curl -sf -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/v1/orders/$((MAX_ID / 2))" \
		>"$www/order.json"
	chmod 644 "$www/order.json"
	cp "$www/order.json" "$dir/order.json"
	bytes=$(stat -c %s "$www/order.json")
	cat >"$dir/nginx.conf" <<EOF
worker_processes $CORES;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	keepalive_timeout 65;
	default_type application/json;
	client_body_temp_path $dir/tmp;
	proxy_temp_path $dir/tmp;
	fastcgi_temp_path $dir/tmp;
	uwsgi_temp_path $dir/tmp;
	scgi_temp_path $dir/tmp;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $www;
	}
}
EOF
	nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/stderr.log" &
	NGINX_PID=$!
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$NGINX_PORT/order.json" >/dev/null 2>&1 && break
		sleep 0.05
	done
	NGINX_T0=$(nginx_ticks)
	BENCH_PATH=/order.json wrk_run nginx path.lua "http://127.0.0.1:$NGINX_PORT/order.json"
	kill "$NGINX_PID"
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=
	rm -rf "$www"
	echo "$bytes" >"$RUN/$SIZE-nginx.bytes"
	mhd_ceiling "$dir/order.json"
}

# libmicrohttpd alone (bench/lib/mhd-static.c: Sanfu's daemon flags and
# thread pool, no routing, session or database) answering the same bytes:
# the fastest any Sanfu answer can be with this HTTP library here.
mhd_ceiling() {
	"$MHD_STATIC" "$1" "$MHD_PORT" "$CORES" 2>"$RUN/$SIZE-mhd.stderr" &
	CEILING_PID=$!
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$MHD_PORT/order.json" >/dev/null 2>&1 && break
		sleep 0.05
	done
	BENCH_PATH=/order.json wrk_run mhd path.lua "http://127.0.0.1:$MHD_PORT/order.json"
	kill "$CEILING_PID"
	wait "$CEILING_PID" 2>/dev/null || true
	CEILING_PID=
}

run_size() {
	local n=$1 reads_only=$2 db cache_db first last
	SIZE=$n
	cache_db=$(make_db "$n")
	if [ "$reads_only" = 1 ]; then
		# Reads only (10M): no copy of a database this large; the server
		# runs on the cached one with the deadline scan off, so only the
		# bench's sign-ins write to it.
		db=$cache_db
		SCAN_ARGS=(--scan-interval 0)
	else
		db=$RUN/orders-$n.db
		rm -f "$db" "$db-wal" "$db-shm" "$db.key"
		log "$n: copying the database"
		cp "$cache_db" "$db"
		[ -f "$cache_db-wal" ] && cp "$cache_db-wal" "$db-wal"
		cp "$cache_db.key" "$db.key"
		SCAN_ARGS=()
	fi
	# Written data goes to disk now, not during the scenarios (the copy's
	# gigabytes written back meanwhile would stall the server's reads).
	sync
	MAX_ID=$(sqlite3 "$db" "SELECT MAX(id) FROM orders")
	DEPTS=$(sqlite3 "$db" "SELECT group_concat(id) FROM units WHERE kind = 'department'")
	AREA=$(sqlite3 "$db" "SELECT id FROM units WHERE kind = 'community' ORDER BY id LIMIT 1")
	UNIT=$(sqlite3 "$db" "SELECT dept_unit_id FROM categories WHERE code = 'street_light'")
	MEMBER=$(sqlite3 "$db" "SELECT login FROM users WHERE role = 'dept' AND unit_id = $UNIT ORDER BY id LIMIT 1")
	start_server "$db" "$n"
	log "$n: server ready in $START_MS ms (pid $SERVER_PID)"
	read -r COOKIE CSRF <<<"$(login dispatcher)"
	read -r COOKIE2 CSRF2 <<<"$(login "$MEMBER")"
	export BENCH_COOKIE=$COOKIE BENCH_CSRF=$CSRF BENCH_COOKIE2=$COOKIE2 BENCH_CSRF2=$CSRF2
	export BENCH_MAX_ID=$MAX_ID BENCH_DEPTS=$DEPTS BENCH_AREA=$AREA BENCH_UNIT=$UNIT
	verify_search "$db"
	nginx_ceiling
	local base=http://127.0.0.1:$PORT
	wanted get && wrk_run get get.lua "$base"
	wanted inbox && wrk_run inbox inbox.lua "$base"
	wanted search2 && BENCH_TERMS=$(urlenc "$TERMS2" | sed 's/%2C/,/g') wrk_run search2 search.lua "$base"
	wanted search3 && BENCH_TERMS=$(urlenc "$TERMS3" | sed 's/%2C/,/g') wrk_run search3 search.lua "$base"
	wanted search_deadline && BENCH_SORT=deadline \
		BENCH_TERMS=$(urlenc "$TERMS2,$TERMS3" | sed 's/%2C/,/g') wrk_run search_deadline search.lua "$base"
	wanted dashboard && BENCH_PATH=/api/v1/stats/overview wrk_run dashboard path.lua "$base"
	wanted open311 && BENCH_PATH="/open311/v2/requests.json?page_size=50" \
		wrk_run open311 path.lua "$base"
	if [ "$reads_only" = 0 ]; then
		first=$((MAX_ID + 1))
		wanted create && wrk_run create create.lua "$base"
		last=$(curl -sf -H "Cookie: $COOKIE" "$base/api/v1/orders?limit=1&sort=-created" |
			jq '.items[0].id')
		if wanted transition && [ "$last" -ge "$first" ]; then
			BENCH_FIRST_ID=$first BENCH_LAST_ID=$last wrk_run transition transition.lua "$base"
		fi
	fi
	stop_server
	if [ "$reads_only" = 0 ] && [ -z "${BENCH_SANFU:-}" ]; then
		# The writes kept the dashboard's counters: they must still agree
		# with the orders they count. (Not for another binary, which may
		# predate them.)
		local check
		check=$(sqlite3 "$db" <bench/lib/check-counters.sql)
		log "$n: $check"
		[ "$check" = "counters: 0 cells differ" ] || {
			echo "bench: the dashboard counters disagree with the orders" >&2
			exit 1
		}
	fi
	jq -n --arg n "$n" --arg ms "$START_MS" --arg kb "$HWM_KB" --arg max "$MAX_ID" \
		--slurpfile gen "$cache_db.done" --arg bytes "$(cat "$RUN/$n-nginx.bytes")" \
		'{orders: ($n | tonumber), max_id: ($max | tonumber), start_ms: ($ms | tonumber),
		  peak_rss_mb: (($kb | tonumber) / 1024), response_bytes: ($bytes | tonumber)} + $gen[0]' \
		>"$RUN/$n-size.json"
	log "$n: peak RSS $((HWM_KB / 1024)) MB"
	[ "$reads_only" = 1 ] || rm -f "$db" "$db-wal" "$db-shm" "$db.key"
}

if [ "${BENCH_GEN_ONLY:-0}" = 1 ]; then
	# Only make (and cache) the databases.
	for n in $SIZES; do make_db "$n" >/dev/null; done
	exit 0
fi
for n in $SIZES; do
	run_size "$n" 0
done
if [ "$FULL" = 1 ]; then
	run_size 10000000 1
fi

if [ "${BENCH_WEB:-1}" = 0 ]; then
	:
elif [ -x /usr/bin/chromium ] && [ -d node_modules/playwright-core ]; then
	log "web console measurements (bench/web/measure.mjs)"
	node bench/web/measure.mjs --json "$RUN/web.json" >"$RUN/web.log" 2>&1 ||
		log "web measurements failed or missed a budget; see $RUN/web.log"
else
	log "no web console measurements: they need chromium and node_modules (make deps)"
fi

RESULTS=${BENCH_RESULTS:-bench/results}
mkdir -p "$RESULTS"
node bench/lib/report.mjs "$RUN" "$RESULTS" >/dev/null
log "wrote $RESULTS/latest.json and $RESULTS/latest.md"
