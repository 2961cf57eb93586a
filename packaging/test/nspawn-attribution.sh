# Execs attributed to their systemd units under the container's real systemd, sourced by
# test-nspawn.sh after the upgrade (it defines ct, unit_state, scrape, serving and main_host_pid;
# nspawn-operations.sh CONF). It changes ARGS and the config file: only remove and purge follow. With
# --metrics.labels=comm,unit, two services that run the same binary under one comm, a known and
# different number of times each, and end when done, are counted under their two units; so is the
# exec of each service's own shell. One service sits in system.slice as any installed service does
# (no login session, no slice of its own needed), the other in a nested slice of its own, which the
# unit label skips.
# shellcheck shell=bash

ATTR_PROBE=ee-attr-probe # a copy of /bin/true: the comm both services exec
ATTR_UNIT_A=ee-attr-a.service
ATTR_EXECS_A=17
ATTR_UNIT_B=ee-attr-b.service
ATTR_SLICE_B=ee-attr.slice # nested: /ee.slice/ee-attr.slice
ATTR_EXECS_B=29

# exec_events_total of a comm under a unit, "" if there is no such series.
attr_count() {
	sed -n "s/^exec_events_total{comm=\"$1\",unit=\"$2\"} \\([0-9.e+]*\\)\$/\\1/p" <<<"$3" | head -n 1
}
attr_is() { [ -n "$1" ] && awk -v n="$1" -v want="$2" 'BEGIN { exit !(n == want) }'; }
attr_counted() {
	local m=$1
	attr_is "$(attr_count "$ATTR_PROBE" "$ATTR_UNIT_A" "$m")" "$ATTR_EXECS_A" \
		&& attr_is "$(attr_count "$ATTR_PROBE" "$ATTR_UNIT_B" "$m")" "$ATTR_EXECS_B" \
		&& attr_is "$(attr_count sh "$ATTR_UNIT_A" "$m")" 1 \
		&& attr_is "$(attr_count sh "$ATTR_UNIT_B" "$m")" 1
}
# What a failure shows: every series of the two comms (execs of a cgroup that no walk found are
# under unit=""), the cgroup and budget counters, where the services ran, and the daemon's start.
attr_seen() {
	local m=$1
	grep -E "^exec_events_total\\{comm=\"($ATTR_PROBE|sh)\"" <<<"$m" >&2 || echo "(no series of $ATTR_PROBE or sh)" >&2
	grep -E '^exec_exporter_(cgroup_[a-z_]*_total|series|series_limit|overflow_events_total|filtered_events_total) ' <<<"$m" >&2 || true
	ct journalctl --no-pager -o short-precise -u "$ATTR_UNIT_A" -u "$ATTR_UNIT_B" >&2 || true
	grep -h 'Attributing execs to cgroups' <<<"$(attr_journal)" >&2 || true
}
attr_journal() {
	ct journalctl --no-pager -o cat -u exec-exporter.service _SYSTEMD_INVOCATION_ID="$(unit_state InvocationID)"
}
# A service that ran and ended: a transient unit that succeeded is unloaded (inactive), one that
# failed stays loaded, failed.
attr_finished() {
	local state
	state=$(ct systemctl is-active "$1" 2>/dev/null || true)
	[ "$state" = inactive ] || [ "$state" = failed ]
}
# The line the service wrote: its cgroup v2 path (read with shell builtins: no exec but the probe's).
attr_cgroup_of() {
	local j
	j=$(ct journalctl --no-pager -o cat -u "$1") || return 1
	j=$(awk '/^cgroup / { print substr($0, 8); exit }' <<<"$j")
	[ -n "$j" ] && printf '%s\n' "$j"
}

check_attribution() {
	local mount_line mount own_mount m deadline cgroup_a cgroup_b unit
	# The labels are a restart setting. Only the two comms are counted (comm.allow in the config
	# file): execs on the rest of the host, in cgroups outside the container, have an empty unit
	# and a comm of their own, and must not fill the series budget while other builds run here.
	ct sed -i 's/^ARGS="\(.*\)"$/ARGS="\1 --metrics.labels=comm,unit"/' /etc/default/exec-exporter
	ct sed -i "s/^  allow: \\[\\]\$/  allow: [$ATTR_PROBE, sh]/" "$CONF"
	grep -q "^  allow: \\[$ATTR_PROBE, sh\\]\$" <<<"$(ct cat "$CONF")" || fail "cannot set comm.allow in $CONF"
	ct systemctl restart exec-exporter.service || fail "systemctl restart with --metrics.labels=comm,unit failed"
	wait_until 90 "/metrics with --metrics.labels=comm,unit" serving
	grep -q -- '--metrics.labels=comm,unit' <<<"$(tr '\0' ' ' <"/proc/$(main_host_pid)/cmdline")" \
		|| fail "the service does not run with --metrics.labels=comm,unit"

	# The cgroup2 mount the daemon walks must be the container's own (hybrid or pure v2, nspawn
	# follows the host).
	wait_until 10 "the daemon's line about the cgroup2 mount" eval 'grep -q "Attributing execs to cgroups" <<<"$(attr_journal)"'
	mount_line=$(grep 'Attributing execs to cgroups' <<<"$(attr_journal)" | tail -n 1)
	mount=$(sed -n 's/.* cgroup2=\([^ ]*\).*/\1/p' <<<"$mount_line")
	own_mount=$(ct awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } ; break } }' /proc/self/mountinfo)
	[ -n "$mount" ] && [ "$mount" = "$own_mount" ] \
		|| fail "the daemon walks cgroup2=${mount:-?}, the container's cgroup2 mount is ${own_mount:-none} ($mount_line)"
	log "the daemon attributes execs to cgroups from cgroup2=$mount ($( [ "$mount" = /sys/fs/cgroup ] && echo 'pure v2' || echo 'hybrid'))"

	ct cp /bin/true "/usr/local/bin/$ATTR_PROBE"
	# Both at once, as services run on a host; each ends when its loop is done.
	# shellcheck disable=SC2016 # expanded by the service's shell
	local script='while read -r l; do case $l in 0::*) echo "cgroup ${l#0::}" ;; esac; done </proc/self/cgroup
i=0; while [ $i -lt "$1" ]; do /usr/local/bin/'"$ATTR_PROBE"'; i=$((i + 1)); done'
	ct timeout 30 systemd-run --quiet --unit="$ATTR_UNIT_A" /bin/sh -c "$script" sh "$ATTR_EXECS_A" \
		|| fail "systemd-run of $ATTR_UNIT_A failed"
	ct timeout 30 systemd-run --quiet --unit="$ATTR_UNIT_B" --slice="$ATTR_SLICE_B" /bin/sh -c "$script" sh "$ATTR_EXECS_B" \
		|| fail "systemd-run of $ATTR_UNIT_B failed"
	for unit in "$ATTR_UNIT_A" "$ATTR_UNIT_B"; do
		wait_until 30 "$unit to end" attr_finished "$unit"
		[ "$(ct systemctl is-active "$unit" 2>/dev/null || true)" != failed ] \
			|| { ct systemctl --no-pager status "$unit" >&2 || true; fail "$unit failed"; }
	done
	wait_until 10 "the services' cgroup lines in the journal" eval 'attr_cgroup_of "$ATTR_UNIT_A" && attr_cgroup_of "$ATTR_UNIT_B"'
	cgroup_a=$(attr_cgroup_of "$ATTR_UNIT_A")
	cgroup_b=$(attr_cgroup_of "$ATTR_UNIT_B")
	[ "$cgroup_a" = "/system.slice/$ATTR_UNIT_A" ] || fail "$ATTR_UNIT_A ran in cgroup $cgroup_a, not /system.slice/$ATTR_UNIT_A"
	[ "$cgroup_b" = "/ee.slice/$ATTR_SLICE_B/$ATTR_UNIT_B" ] \
		|| fail "$ATTR_UNIT_B ran in cgroup $cgroup_b, not /ee.slice/$ATTR_SLICE_B/$ATTR_UNIT_B"

	deadline=$((SECONDS + 20))
	until m=$(scrape) && attr_counted "$m"; do
		if [ $SECONDS -ge $deadline ]; then
			log "after 20s, $METRICS says (the services ran in cgroups $cgroup_a and $cgroup_b):"
			attr_seen "${m:-}"
			local lost
			lost=$(attr_count "$ATTR_PROBE" "" "${m:-}" | awk '{ printf "%d", $1 }')
			[ -z "$lost" ] || log "$lost execs of $ATTR_PROBE have an empty unit: the daemon did not find their cgroup (gone when it looked, or not walked yet)"
			fail "the execs of $ATTR_PROBE and sh are not counted $ATTR_EXECS_A and 1 under unit=\"$ATTR_UNIT_A\", $ATTR_EXECS_B and 1 under unit=\"$ATTR_UNIT_B\""
		fi
		sleep 0.5
	done
	log "two services of one binary under their units: $ATTR_PROBE $ATTR_EXECS_A under $ATTR_UNIT_A ($cgroup_a), $ATTR_EXECS_B under $ATTR_UNIT_B ($cgroup_b); each one's sh under its unit"
}
