#!/bin/bash
# The OCI image (packaging/oci/build-image.sh), for real: builds it from the .deb, checks its tag and
# configuration, unpacks its layers into a root filesystem and runs that root's entrypoint with
# systemd-nspawn as a container runtime would run the DaemonSet's pod: a read-only root, a tmpfs
# /tmp, CAP_BPF and CAP_PERFMON only, no new privileges, bpf and perf_event_open allowed, SIGTERM
# to stop. Then execs on the host and inside the container must be counted exactly in /metrics,
# the daemon must have dropped its capabilities, and a stop must leave no BPF program behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CACHE_DIR=${CACHE_DIR:-/var/cache/exec-exporter-test}
MARKER_EXECS=40
# nspawn's default capabilities (systemd-nspawn(1)), all dropped: the pod's `drop: [ALL]`.
NSPAWN_DEFAULT_CAPS=CAP_AUDIT_CONTROL,CAP_AUDIT_WRITE,CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_DAC_READ_SEARCH,CAP_FOWNER,CAP_FSETID,CAP_IPC_OWNER,CAP_KILL,CAP_LEASE,CAP_LINUX_IMMUTABLE,CAP_MKNOD,CAP_NET_BIND_SERVICE,CAP_NET_BROADCAST,CAP_NET_RAW,CAP_SETFCAP,CAP_SETGID,CAP_SETPCAP,CAP_SETUID,CAP_SYS_ADMIN,CAP_SYS_BOOT,CAP_SYS_CHROOT,CAP_SYS_NICE,CAP_SYS_PTRACE,CAP_SYS_RESOURCE,CAP_SYS_TTY_CONFIG

need_packages debootstrap buildah systemd-container curl bpftool libcap2-bin util-linux
[ "$(id -u)" = 0 ] || fail "run as root: building the image and running it need it"
deb=$(deb_path)
version=$(dpkg-deb -f "$deb" Version)
run=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
host_marker=eei$run-host # comms of this run: 12 bytes, below the 15-byte cut
ct_marker=eei$run-ct
work=$(mktemp -d /var/tmp/exec-exporter-image-test.XXXXXX)
nspawn_pid=
cleanup() {
	local status=$?
	if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
		kill -TERM "$nspawn_pid" 2>/dev/null || true
		for _ in $(seq 40); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
		kill -KILL "$nspawn_pid" 2>/dev/null || true
		wait "$nspawn_pid" 2>/dev/null || true
	fi
	if [ "$status" -ne 0 ] && [ -f "$work/container.log" ]; then
		log "container output:"; tail -n 20 "$work/container.log" >&2
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build, check the tag and the configuration, unpack ---------------------------------------------
start=$SECONDS
built=$("$ROOT/packaging/oci/build-image.sh" --deb "$deb" --output "$work/image.oci.tar" --cache "$CACHE_DIR/image" \
	2>"$work/build.log") || { tail -n 20 "$work/build.log" >&2; fail "build-image.sh failed"; }
build_seconds=$((SECONDS - start))
mkdir "$work/oci" "$work/rootfs"
tar -C "$work/oci" -xf "$work/image.oci.tar"
problem=$(python3 - "$work/oci" "$work/rootfs" "localhost/exec-exporter:$version" "$version" "$work/command" <<'PY'
import json, os, subprocess, sys
oci, rootfs, tag, version, command = sys.argv[1:6]
blob = lambda d: os.path.join(oci, "blobs", *d.split(":"))
index = json.load(open(os.path.join(oci, "index.json")))
(entry,) = index["manifests"]
ref = entry.get("annotations", {}).get("org.opencontainers.image.ref.name")
if ref != tag:
    sys.exit(f"the image is tagged {ref}, not {tag}")
manifest = json.load(open(blob(entry["digest"])))
config = json.load(open(blob(manifest["config"]["digest"])))
c = config["config"]
problems = []
if c.get("Labels", {}).get("org.opencontainers.image.version") != version:
    problems.append(f"label org.opencontainers.image.version is not {version}")
if c.get("Entrypoint") != ["/usr/bin/exec-exporter"]:
    problems.append(f"Entrypoint is {c.get('Entrypoint')}")
if "10135/tcp" not in c.get("ExposedPorts", {}):
    problems.append("port 10135/tcp is not exposed")
if c.get("StopSignal") != "SIGTERM":
    problems.append(f"StopSignal is {c.get('StopSignal')}")
if problems:
    sys.exit("; ".join(problems))
for layer in manifest["layers"]:  # in order, as a runtime stacks them
    media = layer["mediaType"]
    if media not in ("application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip"):
        sys.exit(f"layer of media type {media}")
    subprocess.run(["tar", "--numeric-owner", "-xf", blob(layer["digest"]), "-C", rootfs], check=True)
# The command the runtime runs: Entrypoint, then Cmd, NUL-separated.
open(command, "w").write("".join(a + "\0" for a in c["Entrypoint"] + c.get("Cmd", [])))
PY
) || fail "the image: $problem"
mapfile -d '' -t command <"$work/command"
size=$(du -sm "$work/image.oci.tar" | cut -f1)

# --- run it as a pod would ------------------------------------------------------------------------------
port=$(free_port)
setsid systemd-nspawn --quiet --directory="$work/rootfs" --machine="ee-image-$$" --register=no --keep-unit \
	--read-only --tmpfs=/tmp --resolv-conf=off --timezone=off --link-journal=no \
	--capability=CAP_BPF,CAP_PERFMON --drop-capability="$NSPAWN_DEFAULT_CAPS" --no-new-privileges=yes \
	--system-call-filter='bpf perf_event_open' --kill-signal=SIGTERM --chdir=/ \
	-- "${command[@]}" --web.listen-address="127.0.0.1:$port" >"$work/container.log" 2>&1 </dev/null &
nspawn_pid=$!
metrics=http://127.0.0.1:$port/metrics
ready() {
	kill -0 "$nspawn_pid" 2>/dev/null || fail "the container exited: $(tail -n 3 "$work/container.log" | paste -sd ' ' -)"
	curl -sf --max-time 5 "http://127.0.0.1:$port/-/ready" >/dev/null
}
wait_until 120 "the image's exporter to be ready on 127.0.0.1:$port" ready

# The payload: nspawn's child that is pid 1 of its own pid namespace.
payload() {
	local p
	for p in $(ps -o pid= --ppid "$nspawn_pid"); do
		if awk '/^NSpid:/ { exit !(NF == 3 && $3 == 1) }' "/proc/$p/status" 2>/dev/null; then echo "$p"; return 0; fi
	done
	return 1
}
pid=$(payload) || fail "cannot find the container's process"
grep -q '^exec-exporter\|java' "/proc/$pid/comm" || fail "the container's pid 1 is $(cat "/proc/$pid/comm"), not the JVM"
status=/proc/$pid/status
[ "$(awk '/^Uid:/ {print $2}' "$status")" = 0 ] || fail "the container's process does not run as uid 0"
[ "$(awk '/^NoNewPrivs:/ {print $2}' "$status")" = 1 ] || fail "the container's process may gain privileges"
caps() { capsh --decode="$(awk -v f="$1:" '$1 == f {print $2}' "$2")" | sed 's/.*=//'; }
bounding=$(caps CapBnd "$status")
[ "$bounding" = cap_perfmon,cap_bpf ] || fail "the container's capability bounding set is $bounding"
held() {
	local t
	for t in /proc/"$pid"/task/*/status; do
		[ -z "$(caps CapEff "$t")$(caps CapPrm "$t")" ] || return 0
	done
	return 1
}
wait_until 10 "the daemon to drop CAP_BPF and CAP_PERFMON on every thread" eval '! held'
progs=$(grep -hs '^prog_id:' /proc/"$pid"/fdinfo/* | awk '{print $2}' | sort -un | xargs)
[ -n "$progs" ] || fail "the container's process holds no BPF program"
ct() { nsenter --target "$pid" --mount --uts --ipc --pid -- "$@"; }
! ct /bin/sh -c ': >/etc/exec-exporter/probe' 2>/dev/null || fail "the container's root filesystem is writable"

# --- execs on the host and in the container, counted exactly --------------------------------------------
cp /bin/true "$work/$host_marker"
for _ in $(seq "$MARKER_EXECS"); do "$work/$host_marker"; done
ct /bin/sh -c "cp /bin/true /tmp/$ct_marker && i=0 && while [ \$i -lt $MARKER_EXECS ]; do /tmp/$ct_marker; i=\$((i+1)); done" \
	|| fail "cannot exec in the container"
count() { sed -n "s/^exec_events_total{comm=\"$1\"[^}]*} \\([0-9.e+]*\\).*/\\1/p" <<<"$2"; }
value() { sed -n "s/^$1 \\([0-9.e+]*\\).*/\\1/p" <<<"$2" | head -n 1; }
counted() {
	local m host ct
	m=$(curl -sf --max-time 5 "$metrics") || return 1
	host=$(count "$host_marker" "$m"); ct=$(count "$ct_marker" "$m")
	if awk -v h="${host:-0}" -v c="${ct:-0}" -v n="$MARKER_EXECS" 'BEGIN { exit !(h > n || c > n) }'; then
		fail "more execs counted than made: $host_marker $host, $ct_marker $ct, made $MARKER_EXECS each"
	fi
	[ "${host%.0}" = "$MARKER_EXECS" ] && [ "${ct%.0}" = "$MARKER_EXECS" ] && return 0
	# Other tests on this host may fill the comm series: the execs then count as overflow.
	awk -v s="$(value exec_exporter_series "$m")" -v l="$(value exec_exporter_series_limit "$m")" \
		'BEGIN { exit !(s != "" && s >= l) }' && log "comm series at their limit: the markers count as overflow" && return 0
	return 1
}
wait_until 30 "$MARKER_EXECS execs of $host_marker (host) and of $ct_marker (container) in $metrics" counted

# --- stop: SIGTERM, exit 0, nothing left in the kernel ----------------------------------------------------
kill -TERM "$nspawn_pid"
rc=0
wait "$nspawn_pid" || rc=$?
nspawn_pid=
[ "$rc" = 0 ] || fail "the container exited $rc on SIGTERM"
# The kernel frees a program once its last reference goes, which can be a moment after the process
# that held it has exited: wait for that, as long as a hung release would take to notice.
prog_gone() { ! bpftool prog show id "$1"; }
for id in $progs; do
	wait_until 60 "BPF program $id to be released after the container stopped" prog_gone "$id"
done

pass "image localhost/exec-exporter:$version ($size MiB, built in ${build_seconds}s) ran under nspawn: read-only root, CAP_BPF+CAP_PERFMON then none, $MARKER_EXECS host and $MARKER_EXECS container execs counted, stopped clean"
