# Shared by the packaging tests: sourced, never run.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)

exec 4>&2
log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&4; }

# One line a CI log can be grepped for, then exit. Written to fd 3, the test's stdout, so that a
# check run with its output discarded (wait_until) can still fail the test with a message.
exec 3>&1
pass() { printf 'PASS %s%s\n' "$TEST_NAME" "${1:+: $1}" >&3; exit 0; }
fail() { printf 'FAIL %s: %s\n' "$TEST_NAME" "$*" >&3; exit 1; }

# Installs the Debian packages that are missing, non-interactively.
need_packages() {
	local missing=() p
	for p in "$@"; do
		[ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q update >/dev/null || true
	apt-get -q -y --no-install-recommends install "${missing[@]}" >/dev/null \
		|| fail "cannot install ${missing[*]} with apt-get"
}

# The version of the project, from pom.xml.
project_version() {
	sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml"
}

# The .deb built by `mvn package`: $DEB if set, else target/exec-exporter_<version>_amd64.deb.
deb_path() {
	local deb=${DEB:-$ROOT/target/exec-exporter_$(project_version)_amd64.deb}
	[ -f "$deb" ] || fail "no package at $deb: run mvn -B package -DskipITs first"
	printf '%s\n' "$deb"
}

# wait_until <seconds> <description> <command...>: runs the command every 0.5 s until it
# succeeds; fails the test once the deadline has passed.
wait_until() {
	local seconds=$1 what=$2 deadline
	shift 2
	deadline=$((SECONDS + seconds))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || fail "timed out after ${seconds}s waiting for $what"
		sleep 0.5
	done
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
