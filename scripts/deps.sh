#!/usr/bin/env bash
# Install what Sanfu needs to build, run and test on Debian 12, and nothing
# that is already there: Debian packages (checked one by one with
# dpkg-query), then the npm packages of package.json. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# build; run; test and check; the browser tests; the benchmarks.
PACKAGES=(
	build-essential pkg-config ca-certificates
	libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev nettle-dev
	libxlsxwriter-dev libpq-dev postgresql
	libcmocka-dev clang libclang-rt-14-dev clang-format clang-tidy cppcheck valgrind
	nodejs npm chromium fonts-noto-cjk
	wrk nginx-light
)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${PACKAGES[@]}"; do
	# NodeSource's nodejs bundles npm and conflicts with Debian's npm package.
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
		continue
	fi
	if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then
		continue
	fi
	installed "$p" || missing+=("$p")
done

as_root=()
if [ "$(id -u)" -ne 0 ]; then
	as_root=(sudo)
fi

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	"${as_root[@]}" apt-get update -q
	"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

npm_state="up to date"
if [ ! -d node_modules ] || [ package.json -nt node_modules ] ||
	{ [ -f package-lock.json ] && [ package-lock.json -nt node_modules ]; }; then
	if [ -f package-lock.json ]; then
		npm ci --no-audit --no-fund --loglevel=error
	else
		npm install --no-audit --no-fund --loglevel=error
	fi
	touch node_modules
	npm_state="installed"
fi

echo "deps: ${#PACKAGES[@]} Debian packages checked, ${#missing[@]} installed;" \
	"node $(node --version), npm packages $npm_state"
