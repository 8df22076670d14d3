#!/bin/sh
# Keeps the layer boundaries of DESIGN.md and the banned functions of
# STYLE.md: each src/ folder may include only the layers below it, SQL
# lives in src/store, libmicrohttpd in src/http, jansson in the JSON adapter.
set -u
cd "$(dirname "$0")/.." || exit 2
fail=0
rank() {
	case "$1" in
	util) echo 0 ;; domain) echo 1 ;; store) echo 2 ;; api) echo 3 ;;
	http) echo 4 ;; cli) echo 5 ;; *) echo 9 ;;
	esac
}
for f in src/*/*.c src/*/*.h; do
	layer=$(basename "$(dirname "$f")")
	me=$(rank "$layer")
	for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*"/\1/p' "$f" | sort -u); do
		them=$(rank "$inc")
		# http and cli are siblings at the top; cli may start the server.
		if [ "$them" -gt "$me" ] && ! { [ "$layer" = cli ] && [ "$inc" = http ]; }; then
			echo "layering: $f ($layer) includes $inc/"
			fail=1
		fi
	done
done
if grep -ln 'microhttpd.h' src/*/*.[ch] | grep -v '^src/http/'; then
	echo "layering: libmicrohttpd outside src/http"; fail=1
fi
if grep -ln 'jansson.h' src/*/*.[ch] | grep -v '^src/util/json\.'; then
	echo "layering: jansson outside the JSON adapter"; fail=1
fi
if grep -lnE '(sqlite3|libpq-fe)\.h' src/*/*.[ch] | grep -v '^src/store/'; then
	echo "layering: a database client library outside src/store"; fail=1
fi
if grep -lnE '"(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM) ' src/*/*.c | grep -v '^src/store/'; then
	echo "layering: SQL text outside src/store"; fail=1
fi
if grep -nE '\b(sprintf|strcpy|strcat|strtok|gets|atoi|localtime)\s*\(' src/*/*.[ch] src/main.c; then
	echo "banned function used (see STYLE.md)"; fail=1
fi
if grep -nE '\b(time|clock_gettime|fopen|open|read|write)\s*\(' src/domain/*.c; then
	echo "layering: I/O or the clock in src/domain"; fail=1
fi
[ $fail = 0 ] && echo "layering: ok"
exit $fail
