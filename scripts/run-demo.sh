#!/usr/bin/env bash
# Serve the demo: build if needed, create var/sanfu.db with the Cangqian
# demo data the first time (sanfu seed-demo prints the demo logins and
# keeps them in var/demo-logins.txt), print the logins again on later runs,
# then serve on http://127.0.0.1:8080 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
SANFU=$BUILD/sanfu
DB=${SANFU_DEMO_DB:-var/sanfu.db}
LISTEN=${SANFU_DEMO_LISTEN:-127.0.0.1:8080}
LOGINS=$(dirname "$DB")/demo-logins.txt

make -s BUILD="$BUILD" all
mkdir -p "$(dirname "$DB")"

if [ ! -e "$DB" ]; then
	"$SANFU" init --db "$DB"
	if ! "$SANFU" seed-demo --db "$DB"; then
		# Leave no half-seeded database behind: the next run starts over.
		rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$LOGINS"
		echo "run-demo: loading the demo data failed" >&2
		exit 1
	fi
elif [ -f "$LOGINS" ]; then
	echo "Demo database $DB exists (delete it to start over). Demo logins:"
	cat "$LOGINS"
else
	echo "Using $DB (no $LOGINS: sign in with the accounts you made)."
fi

echo
echo "Sanfu is at http://$LISTEN"
exec "$SANFU" serve --db "$DB" --listen "$LISTEN"
