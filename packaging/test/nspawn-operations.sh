# Operations of the service under the container's real systemd, sourced by test-nspawn.sh (which
# defines ct, unit_state, scrape, metric, main_host_pid, check_running, check_stopped and
# service_progs): Type=notify readiness, `systemctl reload` that keeps the probe and every count,
# a reload of a bad file, and starts that must fail.
# shellcheck shell=bash

CONF=/etc/exec-exporter/exec-exporter.yml
DROPIN=/etc/systemd/system/exec-exporter.service.d/test-no-capabilities.conf

# What the marker's execs are counted in: its own series and the overflow series (while other
# tests flood the host with names, its execs may land in the latter).
counted() {
	local m own over
	m=$(scrape) || return 1
	own=$(sed -n "s/^exec_events_total{comm=\"$MARKER\"[^}]*} \\([0-9.e+]*\\).*/\\1/p" <<<"$m")
	over=$(metric exec_exporter_overflow_events_total "$m")
	awk -v a="${own:-0}" -v b="${over:-0}" 'BEGIN { printf "%d\n", a + b }'
}
marker_execs() {
	ct sh -c "i=0 && while [ \$i -lt $MARKER_EXECS ]; do /usr/local/bin/$MARKER; i=\$((i+1)); done"
}
has() { local m; m=$(scrape) && grep -q "$1" <<<"$m"; }
# journald may take a moment to store what a process wrote just before it exited: wait for it.
journal_has() { local j; j=$(ct journalctl -u exec-exporter.service --no-pager) && grep -q -- "$1" <<<"$j"; }

check_ready_when_started() {
	ct systemctl stop exec-exporter.service
	check_stopped "stop before the readiness check"
	ct systemctl start exec-exporter.service || fail "systemctl start failed"
	# No waiting here: with Type=notify, start returns only after READY=1, sent once the probe is
	# attached and the port listens.
	[ "$(unit_state Type)" = notify ] || fail "the unit is Type=$(unit_state Type), not notify"
	[ "$(unit_state ActiveState)/$(unit_state SubState)" = active/running ] \
		|| fail "systemctl start returned with the service $(unit_state ActiveState)/$(unit_state SubState)"
	scrape >/dev/null || fail "systemctl start returned, but $METRICS does not answer yet: READY=1 came too early"
	[ -n "$(container_exec_progs)" ] || fail "systemctl start returned before the BPF program was attached"
	case $(unit_state StatusText) in
		"Counting execs; metrics on "*) ;;
		*) fail "systemctl status shows '$(unit_state StatusText)', not the running status" ;;
	esac
	check_running "systemctl start, Type=notify"
	log "ready when systemctl start returns: $(unit_state StatusText)"
}

check_reload_keeps_the_probe_and_the_counts() {
	local pid progs before after
	pid=$(main_host_pid)
	progs=$service_progs
	before=$(counted)
	[ "$before" -ge "$MARKER_EXECS" ] || fail "the marker's execs were not counted before the reload ($before)"
	# A live change: a larger series budget and a pinned comm (raising the budget removes no series).
	ct sed -i -e 's/^  max_series: 500$/  max_series: 777/' -e 's/^  pinned: \[\]$/  pinned: [ee-pinned]/' "$CONF"
	ct systemctl reload exec-exporter.service || fail "systemctl reload failed"
	wait_until 30 "the reloaded budget and the pinned comm in $METRICS" \
		eval 'has "^exec_exporter_series_limit 777" && has "^exec_events_total{comm=\"ee-pinned\"} 0"'
	[ "$(main_host_pid)" = "$pid" ] || fail "the reload restarted the daemon"
	[ "$(unit_state NRestarts)" = 0 ] || fail "the service restarted during the reload"
	[ "$(grep -hs '^prog_id:' /proc/"$pid"/fdinfo/* | awk '{print $2}' | sort -un | xargs)" = "$progs" ] \
		|| fail "after the reload the daemon holds other BPF programs than $progs"
	after=$(counted)
	[ "$after" -ge "$before" ] || fail "a count went back from $before to $after across the reload"
	marker_execs
	wait_until 30 "the marker's execs counted on from $after" eval '[ "$(counted)" -ge $((after + MARKER_EXECS)) ]'
	[ "$(metric exec_exporter_config_last_reload_successful "$(scrape)")" = 1.0 ] \
		|| fail "exec_exporter_config_last_reload_successful is not 1 after a good reload"
	wait_until 10 "the promslog line of the reload in the journal" \
		journal_has 'msg="Reloaded the configuration" changed=metrics.max_series,comm.pinned'
	log "systemctl reload: same process, same BPF programs $progs, counts $before -> $after and on"
}

check_bad_reloads_keep_the_running_config() {
	local pid
	pid=$(main_host_pid)
	ct cp "$CONF" "$CONF.good"
	ct sed -i 's/^  max_series: 777$/  max_series: 777\n  colour: blue/' "$CONF"
	# ExecReload= checks the file first: the reload fails where the operator sees it.
	if ct systemctl reload exec-exporter.service >/dev/null 2>&1; then
		fail "systemctl reload of a file with an unknown key succeeded"
	fi
	[ "$(unit_state ActiveState)" = active ] && [ "$(main_host_pid)" = "$pid" ] \
		|| fail "a failed reload stopped or restarted the service"
	wait_until 10 "the bad key of the failed reload in the journal" journal_has 'unknown key /comm/colour'
	# A SIGHUP that bypasses the check: the daemon keeps its configuration and says so in a metric.
	ct systemctl kill -s HUP --kill-who=main exec-exporter.service
	wait_until 30 "exec_exporter_config_last_reload_successful 0" eval 'has "^exec_exporter_config_last_reload_successful 0"'
	has "^exec_exporter_series_limit 777" || fail "a reload of a bad file changed the series budget"
	[ "$(main_host_pid)" = "$pid" ] || fail "a SIGHUP with a bad file restarted the daemon"
	ct mv "$CONF.good" "$CONF"
	ct systemctl reload exec-exporter.service || fail "systemctl reload of the good file again failed"
	wait_until 30 "exec_exporter_config_last_reload_successful 1" eval 'has "^exec_exporter_config_last_reload_successful 1"'
	log "a bad file fails systemctl reload, and a SIGHUP with it changes nothing but the reload gauge"
}

check_failing_starts() {
	# Without its capabilities the probe cannot load: systemctl start itself must fail.
	ct mkdir -p "$(dirname "$DROPIN")"
	ct sh -c "printf '[Service]\nAmbientCapabilities=\nCapabilityBoundingSet=\n' > $DROPIN"
	ct systemctl daemon-reload
	if ct systemctl restart exec-exporter.service >/dev/null 2>&1; then
		fail "systemctl restart succeeded although the probe cannot load"
	fi
	# At once, before Restart=on-failure's next attempt (RestartSec=5s) says something else.
	case $(unit_state StatusText) in
		"Failed to start: "*) ;;
		*) fail "systemctl status shows '$(unit_state StatusText)' after a failed start" ;;
	esac
	wait_until 10 "the journal to say which capability is missing" journal_has 'exec-exporter: missing CAP_'
	ct systemctl stop exec-exporter.service # ends Restart=on-failure's attempts
	ct rm -f "$DROPIN"
	ct systemctl daemon-reload

	# A bad flag is exit 2: the start fails and is not tried again (RestartPreventExitStatus=2).
	ct cp /etc/default/exec-exporter /etc/default/exec-exporter.good
	ct sed -i 's/^ARGS=.*/ARGS="--comm.max-series=0"/' /etc/default/exec-exporter
	if ct systemctl start exec-exporter.service >/dev/null 2>&1; then
		fail "systemctl start succeeded with --comm.max-series=0"
	fi
	sleep 6 # longer than RestartSec=: an automatic restart would have begun
	[ "$(unit_state ActiveState)" = failed ] || fail "after exit 2 the service is $(unit_state ActiveState), not failed"
	[ "$(unit_state NRestarts)" = 0 ] || fail "systemd restarted the service after a usage error"
	ct mv /etc/default/exec-exporter.good /etc/default/exec-exporter
	ct systemctl reset-failed exec-exporter.service
	ct systemctl start exec-exporter.service || fail "systemctl start failed after the failing starts"
	check_running "start after the failing starts"
	log "starts that must fail do fail: without capabilities (exit 1, retried), with a bad flag (exit 2, not retried)"
}

check_operations() {
	check_ready_when_started
	check_reload_keeps_the_probe_and_the_counts
	check_bad_reloads_keep_the_running_config
	check_failing_starts
}
