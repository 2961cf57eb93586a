#!/bin/bash
# The .deb on a real systemd: boots a Debian 12 root with systemd-nspawn, installs the package with
# dpkg -i, and checks that postinst enables and starts the service, that start/stop work, that execs
# in the container reach /metrics, that a stop leaves no BPF program behind, the service's
# operations (nspawn-operations.sh: readiness, reload, starts that must fail), that an upgrade keeps
# the operator's edited conffiles, execs counted under their systemd units (nspawn-attribution.sh),
# and that remove and purge leave nothing behind.
#
# The root is debootstrapped once and cached under $CACHE_DIR, keyed by a hash of its package list;
# each run boots it with --volatile=overlay, so the cache stays pristine and nothing needs copying.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nspawn-operations.sh"
. "$(dirname "$0")/nspawn-attribution.sh"

CACHE_DIR=${CACHE_DIR:-/var/cache/exec-exporter-test}
SUITE=bookworm
MIRROR=${MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PORT=10135
METRICS=http://127.0.0.1:$PORT/metrics
MARKER=ee-nspawn-probe # the comm of the execs the test makes inside the container
MARKER_EXECS=25

need_packages debootstrap systemd-container dpkg-dev curl bpftool libcap2-bin
deb=$(deb_path)
version=$(dpkg-deb -f "$deb" Version)

# The root has systemd and, already installed, every dependency of the package (first alternative),
# so dpkg -i needs no network: the container has only its own loopback.
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^$')
# shellcheck disable=SC2086 # deps is a list of words
packages=$(printf '%s\n' systemd systemd-sysv dbus curl procps $deps | sort -u | paste -sd, -)
key=$(printf '%s %s %s v1' "$SUITE" "$packages" "$MIRROR" | sha256sum | cut -c1-16)
root=$CACHE_DIR/$SUITE-$key

work=$(mktemp -d /var/tmp/exec-exporter-nspawn.XXXXXX)
nspawn_pid=
leader=
booted_ok=
cleanup() {
	local status=$?
	cp "$work/console.log" "$work/console.log.at-failure" 2>/dev/null || true
	if [ "$status" -ne 0 ] && [ -z "$booted_ok" ] && [ -n "$leader" ]; then
		ct systemctl list-jobs --no-pager >&2 2>&1 || true
	fi
	if [ "$status" -ne 0 ] && [ -n "$leader" ] && kill -0 "$leader" 2>/dev/null; then
		log "the service, as the container's systemd saw it:"
		ct systemctl --no-pager status exec-exporter.service >&2 2>&1 || true
		ct journalctl --no-pager -n 40 -u exec-exporter.service >&2 2>&1 || true
	fi
	if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
		# SIGTERM asks nspawn to power the container off cleanly; SIGKILL if that takes too long.
		kill -TERM "$nspawn_pid" 2>/dev/null || true
		for _ in $(seq 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
		kill -KILL "$nspawn_pid" 2>/dev/null || true
		wait "$nspawn_pid" 2>/dev/null || true
	fi
	if [ "$status" -ne 0 ] && [ -z "$booted_ok" ] && [ -f "$work/console.log" ]; then
		log "container init: ${leader:-not found}; system state: $(cat "$work/boot-state" 2>/dev/null)"
		log "container console (last lines before the power-off):"
		sed 's/\x1b\[[0-9;]*m//g' "$work/console.log.at-failure" 2>/dev/null | tail -n 30 >&2 || true
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the cached root --------------------------------------------------------------------------
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock -w 900 9 || fail "cannot lock $CACHE_DIR"
if [ ! -f "$root/.complete" ]; then
	log "debootstrapping $SUITE into $root ($packages)"
	rm -rf "$root.tmp"
	start=$SECONDS
	debootstrap --variant=minbase --include="$packages" "$SUITE" "$root.tmp" "$MIRROR" \
		>"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
	# no login prompt on the console: nothing reads it
	ln -sf /dev/null "$root.tmp/etc/systemd/system/console-getty.service"
	rm -f "$root.tmp/etc/machine-id" && touch "$root.tmp/etc/machine-id"
	apt-get -q -y -o RootDir="$root.tmp" clean >/dev/null 2>&1 || true
	touch "$root.tmp/.complete"
	mv "$root.tmp" "$root"
	log "debootstrap took $((SECONDS - start))s"
	# older roots of other package lists are stale
	find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -type d -name "$SUITE-*" ! -name "$SUITE-$key" -exec rm -rf {} +
fi
flock -u 9

# --- boot -------------------------------------------------------------------------------------
mkdir -p "$work/share"
cp "$deb" "$work/share/exec-exporter.deb"
# An upgrade: the same package under a higher version.
dpkg-deb -R "$deb" "$work/upgrade"
sed -i "s/^Version: .*/Version: $version+upgrade1/" "$work/upgrade/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -b "$work/upgrade" "$work/share/exec-exporter-upgrade.deb" >/dev/null

# nspawn's own seccomp filter denies bpf and perf_event_open to the whole container: allow them,
# so that what decides is the unit's SystemCallFilter=, as on a host. Likewise the container's
# capability bounding set must hold the unit's capabilities.
setsid systemd-nspawn --quiet --boot --directory="$root" --volatile=overlay \
	--machine="ee-test-$$" --register=no --keep-unit --private-network \
	--capability=CAP_BPF,CAP_PERFMON,CAP_IPC_LOCK --system-call-filter='bpf perf_event_open' \
	--bind-ro="$work/share:/mnt/test" \
	>"$work/console.log" 2>&1 </dev/null &
nspawn_pid=$!

# The container's init: the child of nspawn that is pid 1 of its own pid namespace (nspawn forks
# helpers too, which come and go).
container_leader() {
	local p
	for p in $(ps -o pid= --ppid "$nspawn_pid"); do
		if awk '/^NSpid:/ { exit !(NF == 3 && $3 == 1) }' "/proc/$p/status" 2>/dev/null; then
			leader=$p
			return 0
		fi
	done
	return 1
}
wait_until 30 "the container's init" container_leader

# Runs a command inside the container (all its namespaces), with a clean environment.
ct() {
	nsenter --target "$leader" --all -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}
booted() {
	local state
	state=$(ct systemctl is-system-running 2>/dev/null || true)
	echo "$state" >"$work/boot-state"
	[ "$state" = running ] || [ "$state" = degraded ]
}
wait_until 120 "the container to boot" booted
booted_ok=1
log "container booted (systemd $(ct systemctl --version | sed -n '1s/systemd \([0-9]*\).*/\1/p'))"

unit_state() { ct systemctl show -P "$1" exec-exporter.service 2>/dev/null; }
is_active() { [ "$(unit_state ActiveState)/$(unit_state SubState)" = active/running ]; }
is_inactive() { [ "$(unit_state ActiveState)" = inactive ]; }
scrape() { ct curl -sf --max-time 5 "$METRICS"; }
# (grep -q would close the pipe early and, under pipefail, fail the pipeline: capture, then match)
serving() {
	local m restarts
	restarts=$(unit_state NRestarts)
	[ "${restarts:-0}" = 0 ] || fail "the service exited and was restarted $restarts times: it does not start"
	m=$(scrape) && grep -q '^exec_exporter_lost_events_total' <<<"$m"
}
metric() { sed -n "s/^$1 \\([0-9.e+]*\\).*/\\1/p" <<<"$2" | head -n 1; }
at_least() { [ -n "$1" ] && awk -v n="$1" -v want="$2" 'BEGIN { exit !(n >= want) }'; }
# The marker's execs are counted in its own series; or, while other tests on this host flood the
# exporter with command names and its comm series are at their limit, in the overflow series.
marker_seen() {
	local m
	m=$(scrape) || return 1
	at_least "$(sed -n "s/^exec_events_total{comm=\"$MARKER\"[^}]*} \\([0-9.e+]*\\).*/\\1/p" <<<"$m")" "$MARKER_EXECS" && return 0
	at_least "$(metric exec_exporter_series "$m")" "$(metric exec_exporter_series_limit "$m")" \
		&& at_least "$(metric exec_exporter_overflow_events_total "$m")" "$((overflow_before + MARKER_EXECS))" \
		&& log "the comm series are at their limit (other tests flood the host): the marker's execs count as overflow"
}

# The host pid of the service's main process (MainPID is a pid of the container's namespace).
main_host_pid() {
	local inner
	inner=$(unit_state MainPID)
	[ -n "$inner" ] && [ "$inner" != 0 ] || return 1
	for p in $(pgrep -f /usr/share/exec-exporter/exec-exporter.jar || true); do
		[ "$(readlink "/proc/$p/ns/pid")" = "$(readlink "/proc/$leader/ns/pid")" ] || continue
		if awk -v want="$inner" '/^NSpid:/ { exit !($NF == want) }' "/proc/$p/status"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Our BPF programs (exec_btf, exec_tracepoint, exit_btf) held by any process of the container, from the
# prog_id of their fds' fdinfo. The container's systemd holds BPF programs of its own (cgroup
# device and firewall programs), hence the filter by name. The kernel never reuses an id, and a
# program outlives its last fd only if pinned, so an id that is gone is a program that was freed.
container_exec_progs() {
	local dir p id
	for dir in /proc/[0-9]*; do
		p=${dir#/proc/}
		[ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$(readlink "/proc/$leader/ns/pid")" ] || continue
		grep -hs '^prog_id:' /proc/"$p"/fdinfo/* 2>/dev/null | awk '{print $2}' || true
	done | sort -un | while read -r id; do
		if grep -qE 'name (exec_(btf|tracepoint)|exit_btf)' <<<"$(bpftool prog show id "$id" 2>/dev/null)"; then echo "$id"; fi
	done
}
prog_exists() { bpftool prog show id "$1" >/dev/null 2>&1; }

# Starts, waits for /metrics, makes marker execs and waits to see them counted. Sets service_progs.
check_running() {
	local what=$1 host_pid
	wait_until 30 "the service to be active ($what)" is_active
	wait_until 90 "/metrics on $METRICS ($what)" serving
	host_pid=$(main_host_pid) || fail "cannot find the service's process ($what)"
	overflow_before=$(metric exec_exporter_overflow_events_total "$(scrape)")
	overflow_before=${overflow_before%.*}
	ct sh -c "cp /bin/true /usr/local/bin/$MARKER && i=0 && while [ \$i -lt $MARKER_EXECS ]; do /usr/local/bin/$MARKER; i=\$((i+1)); done"
	wait_until 30 "$MARKER_EXECS execs of $MARKER in $METRICS ($what)" marker_seen
	service_progs=$(grep -hs '^prog_id:' /proc/"$host_pid"/fdinfo/* | awk '{print $2}' | sort -un | xargs)
	[ -n "$service_progs" ] || fail "the service holds no BPF program ($what)"
	for id in $service_progs; do
		grep -qE 'name (exec_(btf|tracepoint)|exit_btf)' <<<"$(bpftool prog show id "$id")" \
			|| fail "BPF program $id of the service is not exec_btf, exec_tracepoint or exit_btf"
	done
}

# Stops and checks that the service is inactive (not failed) and its BPF programs are gone.
check_stopped() {
	local what=$1 id left
	wait_until 30 "the service to be inactive ($what)" is_inactive
	[ "$(unit_state Result)" = success ] || fail "the service stopped with Result=$(unit_state Result) ($what)"
	for id in $service_progs; do
		! prog_exists "$id" || fail "BPF program $id is still loaded after the service stopped ($what)"
	done
	left=$(container_exec_progs | xargs)
	[ -z "$left" ] || fail "processes of the container still hold exec-exporter's BPF programs $left ($what)"
}

# --- install: postinst creates the user, enables and starts the service --------------------------
ct dpkg -i /mnt/test/exec-exporter.deb >"$work/dpkg-install.log" 2>&1 \
	|| { cat "$work/dpkg-install.log" >&2; fail "dpkg -i failed"; }
[ "$(ct systemctl is-enabled exec-exporter.service)" = enabled ] || fail "postinst did not enable the service"
ct getent passwd exec-exporter >/dev/null || fail "postinst did not create the user exec-exporter"
check_running "after dpkg -i"
log "postinst started the service; BPF programs $service_progs"

# The privileges the unit grants, seen from the running process.
host_pid=$(main_host_pid)
[ "$(awk '/^Uid:/ {print $2}' "/proc/$host_pid/status")" = "$(ct id -u exec-exporter)" ] \
	|| fail "the service does not run as the user exec-exporter"
# The unit bounds it to CAP_BPF, CAP_PERFMON and CAP_IPC_LOCK, which loaded the probe as a
# non-root user; once attached, the daemon drops them all (--capabilities.drop), on every thread.
caps() { capsh --decode="$(awk -v f="$1:" '$1 == f {print $2}' "$2")" | sed 's/.*=//'; }
bounding=$(caps CapBnd "/proc/$host_pid/status")
case $bounding in
	cap_ipc_lock,cap_perfmon,cap_bpf | "") ;;
	*) fail "the service's capability bounding set is $bounding" ;;
esac
held() {
	local t
	for t in /proc/"$host_pid"/task/*/status; do
		[ -z "$(caps CapEff "$t")$(caps CapPrm "$t")$(caps CapAmb "$t")" ] || return 0
	done
	return 1
}
wait_until 60 "the daemon to drop its capabilities on every thread" eval '! held'
# The service user has no CAP_SETPCAP to empty the bounding set: the drop's log line says what it keeps.
drop_logged() {
	local journal
	journal=$(ct journalctl --no-pager -o cat -u exec-exporter.service)
	grep -q 'the bounding set keeps CAP_IPC_LOCK, CAP_PERFMON, CAP_BPF (000000c000004000)' <<<"$journal"
}
wait_until 60 "the drop's log line naming the bounding set" drop_logged

# Stray signals are ignored: the same process keeps serving (SIGUSR2, HotSpot's suspend signal unless
# the launcher moves it, would crash the JVM and systemd would restart it).
for sig in USR1 USR2 ALRM USR2; do
	ct systemctl kill -s "$sig" exec-exporter.service
	sleep 0.5
done
wait_until 60 "/metrics after SIGUSR1, SIGUSR2 and SIGALRM" serving
[ "$(main_host_pid)" = "$host_pid" ] || fail "the service's process changed after SIGUSR1, SIGUSR2 and SIGALRM"
ignored_logged() {
	local journal
	journal=$(ct journalctl --no-pager -o cat -u exec-exporter.service)
	grep -q 'ignoring SIGUSR2' <<<"$journal" && grep -q 'ignoring SIGALRM' <<<"$journal"
}
wait_until 60 "the log lines of the ignored signals" ignored_logged

grep -q ' /usr/lib/exec-exporter/libexecexporter.so$' "/proc/$host_pid/maps" \
	|| fail "the service did not load /usr/lib/exec-exporter/libexecexporter.so"
ct exec-exporter --help >/dev/null 2>&1 || fail "exec-exporter --help fails in the container"

ct systemctl stop exec-exporter.service
check_stopped "systemctl stop"
ct systemctl start exec-exporter.service
check_running "systemctl start"
check_operations

# --- upgrade: the operator's edits survive, the service runs the new version ----------------------
ct sh -c 'echo "# edited by the operator" >> /etc/exec-exporter/exec-exporter.yml'
ct sed -i 's/^ARGS=.*/ARGS="--log.level=debug"/' /etc/default/exec-exporter
sums_before=$(ct md5sum /etc/exec-exporter/exec-exporter.yml /etc/default/exec-exporter)
ct dpkg -i /mnt/test/exec-exporter-upgrade.deb >"$work/dpkg-upgrade.log" 2>&1 \
	|| { cat "$work/dpkg-upgrade.log" >&2; fail "dpkg -i of the upgrade failed"; }
[ "$(ct dpkg-query -W -f '${Version}' exec-exporter)" = "$version+upgrade1" ] || fail "the upgrade did not install"
[ "$(ct md5sum /etc/exec-exporter/exec-exporter.yml /etc/default/exec-exporter)" = "$sums_before" ] \
	|| fail "the upgrade changed the operator's edited conffiles"
check_running "after the upgrade"
grep -q -- '--log.level=debug' <<<"$(tr '\0' ' ' <"/proc/$(main_host_pid)/cmdline")" \
	|| fail "after the upgrade the service does not run with the edited ARGS"

# --- execs under their units: changes ARGS and the config file, which only remove and purge follow --
check_attribution

# --- remove and purge ---------------------------------------------------------------------------
ct dpkg --remove exec-exporter >"$work/dpkg-remove.log" 2>&1 || { cat "$work/dpkg-remove.log" >&2; fail "dpkg --remove failed"; }
check_stopped "dpkg --remove"
ct dpkg --purge exec-exporter >"$work/dpkg-purge.log" 2>&1 || { cat "$work/dpkg-purge.log" >&2; fail "dpkg --purge failed"; }
[ -z "$(ct dpkg-query -W -f '${Status}' exec-exporter 2>/dev/null || true)" ] || fail "dpkg still knows exec-exporter after purge"
for path in /etc/exec-exporter /etc/default/exec-exporter /usr/bin/exec-exporter /usr/share/exec-exporter \
		/usr/lib/exec-exporter /lib/systemd/system/exec-exporter.service \
		/etc/systemd/system/multi-user.target.wants/exec-exporter.service \
		/var/lib/systemd/deb-systemd-helper-enabled/exec-exporter.service.dsh-also \
		/var/lib/systemd/deb-systemd-helper-masked/exec-exporter.service; do
	! ct test -e "$path" -o -L "$path" || fail "$path is left after purge"
done
! ct getent passwd exec-exporter >/dev/null || fail "the user exec-exporter is left after purge"
! ct getent group exec-exporter >/dev/null || fail "the group exec-exporter is left after purge"
[ "$(unit_state LoadState)" = not-found ] || fail "systemd still has the unit loaded after purge ($(unit_state LoadState))"

pass "install, start, execs in /metrics, stop without BPF leftovers, upgrade keeps conffiles, execs under their units, purge (package $version)"
