#!/usr/bin/env python3
"""Cost of exec-exporter per exec, against the limit and against peers, measured side by side.

Rounds of paired runs (A B C D, A B C D, ...): in each, the same exec storm (execstorm: N workers
exec'ing a tiny static binary under K names, with exact per-name counts) runs with
  none          no tracer: the limit
  daemon        the exec-exporter daemon, defaults
  bpftrace      `@[comm] = count()` in the kernel: the floor of any BPF method
  daemon-wake1  the daemon with its reader woken on every sample (the classic perf-buffer way)
and for each: the top exec rate and its ratio to `none` in the same round, the BPF program's ns per
exec (kernel.bpf_stats_enabled), the tracer's user+system CPU per 1,000 events, its peak RSS, events
lost and dropped, and whether its counts match the generator's exactly. Then, for the daemon alone:
start-to-ready time and scrape latency at 100 / 1,000 / 10,000 comm series.

Writes a Markdown report (default bench/RESULTS.md). Run as root: bench/run.sh.
"""
import argparse
import datetime
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "target", "exec-exporter.jar")
NATIVE = os.path.join(ROOT, "target", "test-native")
CLK_TCK = os.sysconf("SC_CLK_TCK")
BPFTRACE_PROGRAM = "tracepoint:sched:sched_process_exec { @[comm] = count(); }"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def wait_until(predicate, seconds, step=0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def cpu_seconds(pid):
    """utime + stime of the whole process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def programs_held(pid):
    """Ids of the BPF programs a process holds an fd of."""
    ids = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        if line.startswith("prog_id:"):
                            ids.add(int(line.split()[1]))
            except OSError:
                pass
    except OSError:
        pass
    return ids


def prog_stats(ids):
    """Summed (run_cnt, run_time_ns) of the programs with these ids."""
    if not ids:
        return 0, 0
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, check=True).stdout
    cnt = ns = 0
    for prog in json.loads(out):
        if prog.get("id") in ids:
            cnt += prog.get("run_cnt", 0)
            ns += prog.get("run_time_ns", 0)
    return cnt, ns


def parse_metrics(text):
    """{(name, frozenset(labels)): value} from Prometheus text format (labels as escaped strings)."""
    samples = {}
    pattern = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)')
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = pattern.match(line)
        if m:
            samples[(m.group(1), m.group(3) or "")] = float(m.group(4))
    return samples


def metric_sum(samples, name):
    return sum(v for (n, _), v in samples.items() if n == name)


class Storm:
    """execstorm: a fixed number of execs over a set of names, with exact per-name counts."""

    def __init__(self, workdir, workers, count, names):
        self.workdir = workdir
        self.workers = workers
        self.count = count
        self.names = names

    def run(self):
        cmd = [os.path.join(NATIVE, "execstorm"), "--binary", os.path.join(NATIVE, "noop"),
               "--dir", self.workdir, "--workers", str(self.workers), "--count", str(self.count)]
        cmd += [n.encode().hex() for n in self.names]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        per_name, total, seconds = {}, 0, 0.0
        for line in out.splitlines():
            f = line.split()
            if f[0] == "name":
                per_name[bytes.fromhex(f[1]).decode()] = int(f[2])
            elif f[0] == "total":
                total, seconds = int(f[1]), float(f[5])
        return per_name, total, seconds


class Tracer:
    """A tracer process: start, wait until it sees execs, read its counts, stop."""
    name = "none"

    def start(self):
        pass

    def pid(self):
        return None

    def counts(self, names):
        return None

    def lost_dropped(self):
        return None, None

    def stop(self):
        pass


class Daemon(Tracer):
    def __init__(self, name, extra_args=()):
        self.name = name
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.ready_seconds = None

    def start(self):
        self.port = free_port()
        began = time.monotonic()
        self.proc = subprocess.Popen(["java", "-jar", JAR, f"--web.listen-address=127.0.0.1:{self.port}"]
                                     + self.extra_args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"daemon exited: {self.proc.stderr.read().decode()}")
            try:
                return http_get(f"http://127.0.0.1:{self.port}/-/ready", 1)[0] == 200
            except OSError:
                return False
        if not wait_until(ready, 60):
            raise RuntimeError("daemon not ready in 60 s")
        self.ready_seconds = time.monotonic() - began

    def pid(self):
        return self.proc.pid

    def scrape(self):
        return parse_metrics(http_get(f"http://127.0.0.1:{self.port}/metrics")[1].decode())

    def counts(self, names):
        samples = self.scrape()
        counts = {}
        for (metric, labels), value in samples.items():
            if metric == "exec_events_total":
                m = re.search(r'comm="((?:[^"\\]|\\.)*)"', labels)
                if m and m.group(1) in names:
                    counts[m.group(1)] = int(value)
        return counts

    def lost_dropped(self):
        samples = self.scrape()
        return (int(metric_sum(samples, "exec_exporter_lost_events_total")),
                int(metric_sum(samples, "exec_exporter_dropped_events_total")))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Bpftrace(Tracer):
    """bpftrace counting in a kernel map; tracefs is mounted for it in a private mount namespace."""
    name = "bpftrace"

    def __init__(self):
        self.proc = None
        self.output = ""

    def start(self):
        script = ("grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts || "
                  "mount -t tracefs tracefs /sys/kernel/tracing || exit 98; exec \"$@\"")
        self.proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                                      "bpftrace", "-e", BPFTRACE_PROGRAM],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if "Attaching" not in line:
            raise RuntimeError(f"bpftrace did not attach: {line!r}")
        wait_until(lambda: programs_held(self.proc.pid), 10)

    def pid(self):
        return self.proc.pid

    def counts(self, names):
        return None  # known only at exit: see stop()

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.output, _ = self.proc.communicate(timeout=30)

    def final_counts(self, names):
        counts = {}
        for m in re.finditer(r"^@\[(.*)\]: (\d+)$", self.output, re.MULTILINE):
            if m.group(1) in names:
                counts[m.group(1)] = int(m.group(2))
        return counts


def measure(tracer, storm, names):
    """One run of the storm under one tracer; a dict of what was measured."""
    tracer.start()
    try:
        pid = tracer.pid()
        ids = programs_held(pid) if pid else set()
        cnt0, ns0 = prog_stats(ids)
        cpu0 = cpu_seconds(pid) if pid else 0.0
        per_name, total, seconds = storm.run()
        expected = {n: c for n, c in per_name.items()}
        if isinstance(tracer, Daemon):
            wait_until(lambda: tracer.counts(names) == expected, 10, 0.1)
        cnt1, ns1 = prog_stats(ids)
        cpu1 = cpu_seconds(pid) if pid else 0.0
        result = {
            "rate": total / seconds,
            "execs": total,
            "bpf_ns_per_exec": (ns1 - ns0) / (cnt1 - cnt0) if cnt1 > cnt0 else None,
            "cpu_ms_per_1000": (cpu1 - cpu0) * 1000 / total * 1000 if pid else None,
            "peak_rss_mib": peak_rss_mib(pid) if pid else None,
        }
        if isinstance(tracer, Daemon):
            result["lost"], result["dropped"] = tracer.lost_dropped()
            result["exact"] = tracer.counts(names) == expected
            result["ready_s"] = tracer.ready_seconds
    finally:
        tracer.stop()
    if isinstance(tracer, Bpftrace):
        result["exact"] = tracer.final_counts(names) == expected
    return result


def scrape_latency(series_counts, scrapes):
    """Median /metrics latency of the daemon holding N comm series, for each N."""
    results = {}
    for n in series_counts:
        daemon = Daemon("daemon", [f"--comm.max-series={max(n, 1)}", "--comm.idle-timeout=1h"])
        daemon.start()
        try:
            with tempfile.TemporaryDirectory(prefix="bench-series-") as tmp:
                names = [f"s{i:07d}" for i in range(n)]
                Storm(tmp, 2, n, names).run()
            wait_until(lambda: metric_sum(daemon.scrape(), "exec_exporter_comm_series") >= n, 30, 0.2)
            times = []
            size = 0
            for _ in range(scrapes):
                began = time.perf_counter()
                _, body = http_get(f"http://127.0.0.1:{daemon.port}/metrics", 30)
                times.append((time.perf_counter() - began) * 1000)
                size = len(body)
            results[n] = {"median_ms": statistics.median(times), "max_ms": max(times), "bytes": size,
                          "series": int(metric_sum(daemon.scrape(), "exec_exporter_comm_series"))}
        finally:
            daemon.stop()
    return results


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return f"{value:,.{digits}f}"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({cpu}), kernel {platform.release()}"


def report(args, rounds, latency, path):
    configs = list(rounds[0].keys())
    none_rates = [r["none"]["rate"] for r in rounds]
    lines = [
        "# Benchmark results", "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- command: `bench/run.sh {' '.join(sys.argv[1:])}`",
        f"- storm: {args.workers} workers, {args.count:,} execs per run over {args.names} names; "
        f"{args.rounds} rounds, configurations paired in each round ({' '.join(configs)})",
        "- ratios are taken within each round, then the median over rounds; the machine is shared and noisy",
        "",
        "| configuration | exec rate (median) | ratio to none | BPF ns/exec | tracer CPU µs per exec | peak RSS MiB | lost | dropped | exact counts |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in configs:
        runs = [r[c] for r in rounds]
        ratios = [r[c]["rate"] / r["none"]["rate"] for r in rounds]
        exact = None
        if any("exact" in run for run in runs):
            exact = all(run.get("exact") for run in runs)
        lines.append(f"| {c} | {fmt(median([x['rate'] for x in runs]))}/s | {fmt(median(ratios), 3)} | "
                     f"{fmt(median([x['bpf_ns_per_exec'] for x in runs]))} | "
                     f"{fmt(median([x['cpu_ms_per_1000'] for x in runs]), 1)} | "
                     f"{fmt(median([x['peak_rss_mib'] for x in runs]), 1)} | "
                     f"{fmt(max((x.get('lost') or 0) for x in runs)) if c.startswith('daemon') else '—'} | "
                     f"{fmt(max((x.get('dropped') or 0) for x in runs)) if c.startswith('daemon') else '—'} | "
                     f"{fmt(exact)} |")
    ready = [r["daemon"]["ready_s"] for r in rounds if "daemon" in r]
    lines.append("")
    if ready:
        lines += [f"Daemon start to ready (attached and serving): median {fmt(median(ready), 2)} s, "
                  f"max {fmt(max(ready), 2)} s.", ""]
    if latency:
        lines += ["| comm series | scrape median ms | scrape max ms | body bytes |", "|---|---|---|---|"]
        for n, r in latency.items():
            lines.append(f"| {fmt(r['series'])} | {fmt(r['median_ms'], 1)} | {fmt(r['max_ms'], 1)} | {fmt(r['bytes'])} |")
        lines.append("")
    lines += ["## Raw runs", "", "```", json.dumps({"rounds": rounds, "scrape_latency": latency,
                                                      "none_rates": none_rates}, indent=1), "```", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines[:lines.index("## Raw runs")]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=20000, help="execs per run")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--names", type=int, default=8, help="distinct command names in the storm")
    parser.add_argument("--configs", default="none,daemon,bpftrace,daemon-wake1")
    parser.add_argument("--series", default="100,1000,10000", help="comm series counts for scrape latency")
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--output", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: run as root (it loads BPF and reads kernel program stats)")

    tracers = {
        "none": lambda: Tracer(),
        "daemon": lambda: Daemon("daemon"),
        "bpftrace": lambda: Bpftrace(),
        "daemon-wake1": lambda: Daemon("daemon-wake1", ["--bpf.wakeup-events=1"]),
    }
    configs = args.configs.split(",")
    for c in configs:
        if c not in tracers:
            sys.exit(f"bench: unknown configuration {c!r} in --configs")
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        stats_before = f.read().strip()
    subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=1"], check=True)
    try:
        rounds = []
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            for r in range(args.rounds):
                names = [f"bn{r}x{i}" for i in range(args.names)]
                storm = Storm(os.path.join(tmp, f"round{r}"), args.workers, args.count, names)
                results = {}
                for c in configs:
                    results[c] = measure(tracers[c](), storm, names)
                    print(f"round {r + 1}/{args.rounds} {c}: {json.dumps(results[c])}", flush=True)
                rounds.append(results)
        latency = scrape_latency([int(n) for n in args.series.split(",") if n], args.scrapes) if args.series else {}
    finally:
        subprocess.run(["sysctl", "-qw", f"kernel.bpf_stats_enabled={stats_before}"], check=False)
    report(args, rounds, latency, args.output)


if __name__ == "__main__":
    main()
