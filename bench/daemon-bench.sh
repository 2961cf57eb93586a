#!/bin/sh
# Cost of the exec-exporter daemon on this host, measured with the test helpers (run as root after
# `mvn -B package -DskipITs`):
#   - the top exec rate of execstorm without and with the daemon (alternating runs, same storm);
#   - the daemon's CPU seconds per 1,000 execs and its RSS, from /proc, during the storm;
#   - the time of one /metrics scrape with 1,000 comm series.
# Read the ratios, not the absolute numbers: the machines are shared and noisy.
set -eu
cd "$(dirname "$0")/.."
JAR=target/exec-exporter.jar
NATIVE=target/test-native
COUNT=${COUNT:-20000}
PORT=${PORT:-18135}
WORK=$(mktemp -d)
DAEMON=
cleanup() {
	[ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
storm() { # workers count names... -> prints the rate
	w=$1; c=$2; shift 2
	"$NATIVE/execstorm" --binary "$NATIVE/noop" --dir "$WORK/bin" --workers "$w" --count "$c" "$@" |
		awk '/^total/ { printf "%.0f\n", $2 / $6 }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { printf "%.0f\n", $2 }'; }

NAMES="$(hex benchA) $(hex benchB) $(hex benchC) $(hex benchD)"
TICK=$(getconf CLK_TCK)

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc) cores; storm: 3 workers, $COUNT execs"
base1=$(storm 3 "$COUNT" $NAMES)

java -jar "$JAR" --web.listen-address=127.0.0.1:$PORT --comm.max-series=2000 >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
i=0
until curl -sf "http://127.0.0.1:$PORT/-/ready" >/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || { cat "$WORK/daemon.log"; exit 1; }; sleep 0.1
done
storm 3 5000 $NAMES >/dev/null # warm-up: JIT
sleep 2
seen0=$(metric exec_exporter_bpf_execs_seen_total)
t0=$(cpu_ticks $DAEMON)
with=$(storm 3 "$COUNT" $NAMES)
sleep 1
t1=$(cpu_ticks $DAEMON)
seen1=$(metric exec_exporter_bpf_execs_seen_total)
rss=$(awk '/^VmRSS/ { print $2 }' /proc/$DAEMON/status)
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$DAEMON/status)
lost=$(metric exec_exporter_lost_events_total)
dropped=$(metric exec_exporter_dropped_events_total)

# 1,000 comm series: one exec each of 1,000 distinct names, then time the scrapes.
names1000=$(i=0; while [ $i -lt 1000 ]; do hex "$(printf 'series%04d' $i)"; printf ' '; i=$((i + 1)); done)
storm 2 1000 $names1000 >/dev/null
sleep 2
series=$(metric exec_exporter_comm_series)
bytes=$(curl -s "http://127.0.0.1:$PORT/metrics" | wc -c)
for i in 1 2 3 4 5; do curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics"; done # warm-up
scrapes=$(for i in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/metrics"; done |
	sort -n | awk '{ t[NR] = $1 } END { printf "median %.1f ms, max %.1f ms", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000 }')

kill "$DAEMON"; wait "$DAEMON" || true; DAEMON=
base2=$(storm 3 "$COUNT" $NAMES)

events=$((seen1 - seen0))
awk -v b1="$base1" -v b2="$base2" -v w="$with" -v ticks=$((t1 - t0)) -v hz="$TICK" -v ev="$events" \
	-v rss="$rss" -v hwm="$hwm" -v lost="$lost" -v dropped="$dropped" -v series="$series" -v bytes="$bytes" \
	-v scrapes="$scrapes" 'BEGIN {
	printf "top exec rate without the daemon: %d/s and %d/s; with it: %d/s (ratio %.2f)\n", b1, b2, w, w / ((b1 + b2) / 2)
	printf "daemon CPU during the storm: %.2f s for %d execs = %.3f s per 1,000 execs (lost %d, dropped %d)\n",
		ticks / hz, ev, ticks / hz / ev * 1000, lost, dropped
	printf "daemon RSS after the storm: %.0f MiB (peak %.0f MiB)\n", rss / 1024, hwm / 1024
	printf "scrape with %d comm series (%d bytes): %s\n", series, bytes, scrapes
}'
