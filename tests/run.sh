#!/usr/bin/env bash
# The whole test suite: the cmocka unit binaries, the HTTP API tests, the
# browser tests and the fuzz corpus replays, each group's full output kept
# in tests/out/. The API tests run twice: on SQLite and on PostgreSQL
# (api-pg). SF_ONLY=unit|api|api-pg|e2e|fuzz runs one group. The last line is
# "N passed, N failed"; the exit status is non-zero when anything failed or
# when no test ran.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

BUILD=${BUILD:-build}
ONLY=${SF_ONLY:-}
OUT=tests/out
mkdir -p "$OUT"
export BUILD

total_pass=0
total_fail=0

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# Print the failing parts of a group's log, at most 200 lines.
show_failures() {
	local log=$1 pattern=$2
	echo "---- failures (full output: $log)"
	grep -a -n -B2 -A12 -E "$pattern" "$log" | head -n 200
	echo "----"
}

run_unit() {
	local log=$OUT/unit.log pass=0 fail=0 bins=()
	: >"$log"
	for b in "$BUILD"/tests/test_*; do
		[ -x "$b" ] && bins+=("$b")
	done
	if [ ${#bins[@]} -eq 0 ]; then
		echo "unit: no test binaries in $BUILD/tests (run make first)"
		return
	fi
	for b in "${bins[@]}"; do
		local one rc p f
		one=$(mktemp)
		"$b" >"$one" 2>&1
		rc=$?
		cat "$one" >>"$log"
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$one" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$one" | tail -n 1)
		p=${p:-0}
		f=${f:-0}
		if ! grep -qE '^\[  (PASSED|FAILED)  \] [0-9]+ test' "$one"; then
			# No summary: the binary crashed or aborted before the end.
			echo "  $(basename "$b"): CRASHED (exit $rc)"
			echo "$(basename "$b"): crashed with exit status $rc" >>"$log"
			tail -n 20 "$one"
			f=$((f + 1))
		elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "  $(basename "$b"): exit $rc without a failed test"
			f=1
		fi
		if [ "$f" -gt 0 ]; then
			grep -E '^\[  (FAILED|  ERROR) |^\[  ERROR   \]|Failure!|error:' "$one" | head -n 40
		fi
		printf '  %-24s %4d passed, %d failed\n' "$(basename "$b")" "$p" "$f"
		pass=$((pass + p))
		fail=$((fail + f))
		rm -f "$one"
	done
	echo "unit: $pass passed, $fail failed"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
}

# Run node's test runner on one folder with the TAP reporter and count.
run_node() {
	local group=$1 dir=$2 log=$OUT/$1.log pass fail rc files
	files=$(find "$dir" -maxdepth 1 -name '*.test.mjs' 2>/dev/null | sort)
	if [ -z "$files" ]; then
		[ "$group" = api ] && echo "$group: no tests in $dir"
		return
	fi
	# shellcheck disable=SC2086
	node --test --test-reporter=tap $files >"$log" 2>&1
	rc=$?
	pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	pass=${pass:-0}
	fail=${fail:-0}
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "$group: the test runner exited $rc without a counted failure"
		tail -n 30 "$log"
		fail=1
	fi
	grep -a -E '^ *(not )?ok [0-9]+ - ' "$log" | grep -v '^ \{4,\}' |
		sed 's/^ */  /' | head -n 300
	[ "$fail" -gt 0 ] && show_failures "$log" '^ *not ok '
	echo "$group: $pass passed, $fail failed"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
}

# Replay the committed corpora through every fuzz target's replay binary:
# $BUILD/fuzz/replay_NAME (built by make from tests/fuzz/fuzz_NAME.c with
# tests/fuzz/replay_main.c, any compiler) reads tests/fuzz/corpus/NAME/ (or
# tests/fuzz/NAME/). The libFuzzer builds $BUILD/fuzz/fuzz_NAME are for
# `make fuzz` and are not run here.
run_fuzz() {
	local log=$OUT/fuzz.log pass=0 fail=0 t name corpus
	: >"$log"
	for t in "$BUILD"/fuzz/replay_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		name=$(basename "$t")
		name=${name#replay_}
		corpus=tests/fuzz/corpus/$name
		[ -d "$corpus" ] || corpus=tests/fuzz/$name
		if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
			echo "  $name: no corpus" | tee -a "$log"
			continue
		fi
		# Files as arguments: libFuzzer (and a plain replay driver) runs each once.
		if find "$corpus" -type f -print0 | xargs -0 "$t" >>"$log" 2>&1; then
			echo "  $name: $(find "$corpus" -type f | wc -l) inputs replayed"
			pass=$((pass + 1))
		else
			echo "  $name: FAILED"
			fail=$((fail + 1))
		fi
	done
	[ $((pass + fail)) -eq 0 ] && return
	[ "$fail" -gt 0 ] && show_failures "$log" 'ERROR|SUMMARY|runtime error'
	echo "fuzz: $pass passed, $fail failed"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
}

# The same API tests again on PostgreSQL, on a throwaway cluster that
# scripts/pg-test.sh starts in a temporary directory and removes after.
run_api_pg() {
	local dir url
	dir=$(mktemp -u /tmp/sanfu-pgsuite-XXXXXX)
	if ! url=$(scripts/pg-test.sh start "$dir" 2>"$OUT/api-pg.cluster.log"); then
		echo "api-pg: cannot start a PostgreSQL cluster:"
		cat "$OUT/api-pg.cluster.log"
		total_fail=$((total_fail + 1))
		return
	fi
	SANFU_TEST_DB_KIND=postgres SANFU_TEST_PG_URL=$url run_node api-pg tests/api
	scripts/pg-test.sh stop "$dir"
}

want unit && run_unit
want api && run_node api tests/api
want api-pg && run_api_pg
want e2e && run_node e2e tests/e2e
want fuzz && run_fuzz

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
