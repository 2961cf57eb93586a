#!/bin/sh
# Generates the rules, alerts, example configs and dashboards that the package ships from the mixin
# (jsonnet, Debian's package of that name), into packaging/prometheus and packaging/grafana.
#   build.sh          write them
#   build.sh --check  write nothing; fail if a shipped file differs from what the mixin generates
set -eu
here=$(cd "$(dirname "$0")" && pwd)
packaging=$(dirname "$here")
command -v jsonnet >/dev/null || { echo "build.sh: jsonnet is missing (apt-get install jsonnet)" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/prometheus" "$out/grafana"
jsonnet -S -J "$here" -m "$out" "$here/build.jsonnet" >/dev/null

case "${1:-}" in
--check)
	stale=
	for f in $(cd "$out" && find . -type f | sed 's|^\./||' | sort); do
		cmp -s "$out/$f" "$packaging/$f" || stale="$stale packaging/$f"
	done
	if [ -n "$stale" ]; then
		echo "build.sh: not what packaging/mixin generates:$stale (run packaging/mixin/build.sh)" >&2
		exit 1
	fi
	;;
"")
	cp -r "$out/." "$packaging/"
	;;
*)
	echo "usage: build.sh [--check]" >&2
	exit 2
	;;
esac
