#!/bin/bash
# The fleet on real Prometheus servers (federation.py): three exporters of the package, two regional
# Prometheus servers evaluating the shipped rules, a global one federating the recorded series;
# storms of known size must arrive exactly in the global per-comm fleet totals and rates. Also
# measures the sizing of the README's "Running a fleet" (SIZING_REPORT=<file> keeps it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_packages prometheus python3-yaml jsonnet
[ "$(id -u)" = 0 ] || fail "run as root: the exporters load a BPF program"
deb=$(deb_path)
for tool in execstorm noop; do
	[ -x "$ROOT/target/test-native/$tool" ] || fail "no $ROOT/target/test-native/$tool: run mvn -B package first"
done
work=$(mktemp -d /var/tmp/exec-exporter-federation.XXXXXX)
trap 'rm -rf "$work"' EXIT

dpkg-deb -x "$deb" "$work/pkg"
if ! result=$(python3 "$ROOT/packaging/test/federation.py" "$work/pkg/usr/share/exec-exporter/exec-exporter.jar" \
		"$work/pkg/usr/lib/exec-exporter/libexecexporter.so" "$ROOT/target/test-native/execstorm" \
		"$ROOT/target/test-native/noop" "$work"); then
	for log in "$work"/exporter-*.log "$work"/*/log; do
		[ -f "$log" ] && { log "${log#"$work"/}:"; tail -n 5 "$log" >&2; }
	done
	fail "$result"
fi
pass "$result"
