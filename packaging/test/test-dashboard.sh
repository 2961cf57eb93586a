#!/bin/bash
# The Grafana dashboards against a real Prometheus: runs the packaged exporter (as root, on
# loopback), a Prometheus scraping it with the example scrape config and the recording and alert
# rules, makes execs (and exits, one of them by SIGSEGV), and evaluates every query of the host
# dashboard and of the fleet dashboard (which reads the recorded series) with dashboard_queries.py:
# those about execs, exits and lifetimes must return data. Also checks that every recording and
# alert rule evaluates without error against the real metrics.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

JOB=exec-exporter # the job of packaging/prometheus/scrape.yml, which the rules select
MARKER=ee-dash-probe
CRASHER=ee-dash-crash # ended by SIGSEGV, for the panels of crashes

need_packages prometheus python3-yaml curl
[ "$(id -u)" = 0 ] || fail "run as root: the exporter loads a BPF program"
deb=$(deb_path)
work=$(mktemp -d /var/tmp/exec-exporter-dashboard.XXXXXX)
pids=()
cleanup() {
	local status=$? p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ "$status" -ne 0 ]; then
		log "exporter log:"; tail -n 20 "$work/exporter.log" >&2 2>/dev/null || true
		log "prometheus log:"; tail -n 20 "$work/prometheus.log" >&2 2>/dev/null || true
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The exporter as packaged: the jar and the JNI library out of the .deb.
dpkg-deb -x "$deb" "$work/pkg"
exporter_port=$(free_port)
java -Dexecexporter.native.library="$work/pkg/usr/lib/exec-exporter/libexecexporter.so" \
	-jar "$work/pkg/usr/share/exec-exporter/exec-exporter.jar" \
	--web.listen-address="127.0.0.1:$exporter_port" >"$work/exporter.log" 2>&1 &
pids+=($!)
exporter_up() { curl -sf --max-time 5 "http://127.0.0.1:$exporter_port/metrics" >/dev/null; }
wait_until 60 "the exporter on 127.0.0.1:$exporter_port" exporter_up

# Prometheus, from the example config: loopback target, a fast scrape, the rules beside it.
prom_port=$(free_port)
cp "$ROOT/packaging/prometheus/rules.yml" "$ROOT/packaging/prometheus/alerts.yml" "$work/"
PYTHONPATH=$ROOT/packaging/test python3 - "$ROOT/packaging/prometheus/scrape.yml" "$work/prometheus.yml" \
	"127.0.0.1:$exporter_port" <<'PY'
import sys, yaml, mixin
c = yaml.safe_load(open(sys.argv[1]))
c["global"].update(scrape_interval="1s", evaluation_interval="1s")
c["scrape_configs"][0]["static_configs"] = [{"targets": [sys.argv[3]]}]
yaml.safe_dump(c, open(sys.argv[2], "w"))
PY
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
prom=http://127.0.0.1:$prom_port
target_up() {
	local r
	r=$(curl -sf --max-time 5 "$prom/api/v1/query" --data-urlencode "query=up{job=\"$JOB\"} == 1")
	grep -q '"result":\[{' <<<"$r"
}
wait_until 60 "Prometheus to scrape the exporter" target_up

# Execs to count: a marker command in bursts, for as long as the test runs, and a process of
# another that is killed by SIGSEGV once it has exec'd (its comm says so; killed before, it would be
# a forked shell that never exec'd, whose exit is not counted). No core file (ulimit).
cp /bin/true "$work/$MARKER"
cp /bin/sleep "$work/$CRASHER"
(
	ulimit -c 0
	while :; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do "$work/$MARKER"; done
		"$work/$CRASHER" 10 & # ends by itself if this loop is stopped before it kills it
		crasher=$!
		while kill -0 "$crasher" 2>/dev/null && [ "$(cat "/proc/$crasher/comm" 2>/dev/null)" != "$CRASHER" ]; do
			sleep 0.01
		done
		kill -SEGV "$crasher" 2>/dev/null || true
		wait "$crasher" || true
		sleep 0.2
	done
) >/dev/null 2>&1 &
pids+=($!)

summary=
for dashboard in exec-exporter exec-exporter-fleet; do
	problems=$(python3 "$ROOT/packaging/test/dashboard_queries.py" "$ROOT/packaging/grafana/$dashboard.json" \
		"$prom" "$JOB" 180 exits,lifetime 2>"$work/summary") || fail "$dashboard.json: $(echo "$problems" | paste -sd ';' -)"
	summary="$summary${summary:+; }$dashboard.json: $(cat "$work/summary")"
done

# The marker's execs have a series of their own, unless other tests on this host flood the
# exporter with command names and its comm series are at their limit.
marker_seen() {
	local r q="exec_events_total{comm=\"$MARKER\"} > 0 or exec_exporter_series >= exec_exporter_series_limit"
	r=$(curl -sf --max-time 5 "$prom/api/v1/query" --data-urlencode "query=$q")
	grep -q '"result":\[{' <<<"$r"
}
wait_until 30 "the marker command's execs in Prometheus" marker_seen

# Every recording and alert rule has been evaluated against the real metrics, without error.
rules_ok() {
	local r
	r=$(curl -sf --max-time 5 "$prom/api/v1/rules") || return 1
	python3 -c '
import json, sys
rules = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
bad = [r["name"] + ": " + r.get("lastError", r["health"]) for r in rules if r["health"] != "ok"]
print("; ".join(bad)); sys.exit(1 if bad or not rules else 0)' <<<"$r"
}
wait_until 30 "every rule to evaluate without error" rules_ok

pass "$summary; the recording and alert rules evaluate"
