#!/bin/bash
# The systemd unit: systemd-analyze verify is clean, the security exposure stays at or below 2.5,
# and the privileges are exactly the ones the probe needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MAX_EXPOSURE=2.5
need_packages systemd man-db
unit=$ROOT/packaging/systemd/exec-exporter.service
deb=$(deb_path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# verify checks that ExecStart's binary and the man page in Documentation= exist and that every
# unit it refers to loads: run it on a root made of the installed package plus the host's units.
dpkg-deb -x "$deb" "$work/root"
mkdir -p "$work/root/lib/systemd/system"
cp -a /usr/lib/systemd/system/. "$work/root/lib/systemd/system/"
cp "$unit" "$work/root/lib/systemd/system/exec-exporter.service"
if ! out=$(MANPATH=$work/root/usr/share/man systemd-analyze verify --root="$work/root" exec-exporter.service 2>&1) \
		|| [ -n "$out" ]; then
	fail "systemd-analyze verify: $out"
fi

security=$(systemd-analyze security --offline=true "$unit" 2>&1 || true)
score=$(printf '%s\n' "$security" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "systemd-analyze security printed no exposure level: $security"
if ! awk -v s="$score" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(s <= max) }'; then
	printf '%s\n' "$security" | grep '✗' >&2 || true
	fail "security exposure $score is above $MAX_EXPOSURE"
fi

# The value of a setting: the last assignment wins, as in systemd.
setting() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
caps=$(tr ' ' '\n' <<<"$(setting AmbientCapabilities)" | sort | xargs)
[ "$caps" = "CAP_BPF CAP_IPC_LOCK CAP_PERFMON" ] || fail "AmbientCapabilities is '$caps'"
bounding=$(tr ' ' '\n' <<<"$(setting CapabilityBoundingSet)" | sort | xargs)
[ "$bounding" = "$caps" ] || fail "CapabilityBoundingSet '$bounding' differs from AmbientCapabilities '$caps'"
for s in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
		ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes ProtectControlGroups=yes \
		RestrictNamespaces=yes LockPersonality=yes SystemCallArchitectures=native Restart=on-failure \
		EnvironmentFile=-/etc/default/exec-exporter \
		'ExecStart=/usr/bin/exec-exporter --config.file=/etc/exec-exporter/exec-exporter.yml $ARGS'; do
	[ "$(setting "${s%%=*}")" = "${s#*=}" ] || fail "the unit does not set $s"
done
[ "$(setting MemoryDenyWriteExecute)" != yes ] || fail "MemoryDenyWriteExecute=yes breaks the JVM's JIT"
case $(setting User) in "" | root | 0) fail "the unit runs as root" ;; esac
[ -n "$(setting Documentation)" ] || fail "the unit has no Documentation="
# Readiness and reload: READY=1 from the daemon itself, a reload checks the files, then SIGHUP.
[ "$(setting Type)" = notify ] || fail "Type= is '$(setting Type)', expected notify"
[ "$(setting NotifyAccess)" = main ] || fail "NotifyAccess= is '$(setting NotifyAccess)', expected main"
grep -qx 'ExecReload=/usr/bin/exec-exporter --config.file=/etc/exec-exporter/exec-exporter.yml $ARGS --config.check' \
	"$unit" || fail "ExecReload= does not check the files with --config.check first"
[ "$(setting ExecReload)" = '/bin/kill -HUP $MAINPID' ] || fail "the last ExecReload= is not kill -HUP \$MAINPID"

# bpf sits in @privileged and perf_event_open in @debug: a deny line after the line that allows
# them takes them away again. Every SystemCallFilter= line that allows them must come after the
# last deny line, and one must.
last_deny=$(grep -n '^SystemCallFilter=~' "$unit" | tail -n 1 | cut -d: -f1 || true)
for call in bpf perf_event_open; do
	allow=$(grep -nE "^SystemCallFilter=([^~][^=]* )?$call( |\$)" "$unit" | tail -n 1 | cut -d: -f1 || true)
	[ -n "$allow" ] || fail "SystemCallFilter= does not allow $call"
	[ -z "$last_deny" ] || [ "$allow" -gt "$last_deny" ] || fail "line $last_deny, a SystemCallFilter=~ line after the one that allows $call (line $allow), may deny it again"
done

pass "verify clean, exposure $score (max $MAX_EXPOSURE), capabilities $caps"
