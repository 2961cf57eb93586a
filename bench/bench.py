#!/usr/bin/env python3
"""Cost of exec-exporter per exec, against the limit and against peers, measured side by side.

Rounds of paired runs (A B C D, A B C D, ...): in each, the same exec storm (execstorm: N workers
exec'ing a tiny static binary under K names, with exact per-name counts) runs with
  none          no tracer: the limit
  daemon        the exec-exporter daemon, defaults
  bpftrace      `@[comm] = count()` in the kernel: the floor of any BPF method
  daemon-wake1  the daemon with its reader woken on every sample (the classic perf-buffer way)
and for each: the top exec rate and its ratio to `none` in the same round, the BPF program's ns per
exec (kernel.bpf_stats_enabled), the tracer's user+system CPU per exec, its peak RSS, events lost and
dropped, and whether its counts match the generator's exactly. Every tracer first sees a warm-up storm
(other names): the measured storm runs against a warm JIT; the warm-up's CPU is reported as "cold".
The order of the configurations rotates from round to round.

Then a long run at the top rate (none, then daemon; --long-seconds, default 60): zero loss, exact
counts, the daemon's CPU per exec in steady state and which of its threads spent it, scraped every
15 s as Prometheus would. Then, for the daemon alone: scrape latency at 100 / 1,000 / 10,000 comm
series (warm, plain and gzip), start-to-ready time over every daemon start, and the user-space
pipeline's ceiling without the kernel (JMH, src/jmh/java, on one CPU).

Writes a Markdown report (default bench/RESULTS.md), with bench/FINDINGS.md appended if present.
Run as root: bench/run.sh.
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
import threading
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


def cpu_times(pid):
    """(utime, stime) of the whole process (all threads, ended ones included), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def cpu_seconds(pid):
    """utime + stime of the whole process (all threads), in seconds."""
    return sum(cpu_times(pid))


def thread_cpu(pid):
    """{thread name without its number: CPU seconds} over the live threads, from schedstat (ns)."""
    groups = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return groups
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = re.sub(r"[#\s]*\d+$", "", f.read().strip())
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        groups[name] = groups.get(name, 0.0) + ns / 1e9
    return groups


def peak_rss_mib(pid, field="VmHWM"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
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


def series_count(samples):
    """Label combinations with a series: exec_exporter_series, exec_exporter_comm_series before 0.2."""
    return metric_sum(samples, "exec_exporter_series") + metric_sum(samples, "exec_exporter_comm_series")


class Storm:
    """execstorm: a fixed number of execs over a set of names, with exact per-name counts."""

    def __init__(self, workdir, workers, count, names, seconds=None, rate=None):
        self.workdir = workdir
        self.workers = workers
        self.count = count
        self.names = names
        self.seconds = seconds
        self.rate = rate

    def run(self):
        os.makedirs(os.path.dirname(self.workdir), exist_ok=True)
        cmd = [os.path.join(NATIVE, "execstorm"), "--binary", os.path.join(NATIVE, "noop"),
               "--dir", self.workdir, "--workers", str(self.workers)]
        cmd += ["--seconds", str(self.seconds)] if self.seconds else ["--count", str(self.count)]
        cmd += ["--rate", str(self.rate)] if self.rate else []
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
    java_opts = []  # --java-opts: JVM options of every daemon
    jar = JAR

    def __init__(self, name, extra_args=(), java_opts=()):
        self.name = name
        self.extra_args = list(extra_args)
        self.own_java_opts = list(java_opts)
        self.proc = None
        self.port = None
        self.ready_seconds = None

    def start(self):
        self.port = free_port()
        began = time.monotonic()
        self.proc = subprocess.Popen(["java"] + Daemon.java_opts + self.own_java_opts + ["-jar", Daemon.jar, f"--web.listen-address=127.0.0.1:{self.port}"]
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


# daemon-lean: the JVM options bench/RESULTS.md recommends for the service (serial GC, a heap that
# starts small and grows only with live data); everything else at defaults
LEAN_JVM = "-XX:+UseSerialGC -Xms16m"
SETTLE_SECONDS = 0.3  # after a storm: longer than the poll timeout (100 ms), so every batch is consumed


def daemon_checks(daemon, names, expected):
    """What only the daemon tells: lost, dropped, exact per-name counts (once it has them), ready time."""
    wait_until(lambda: daemon.counts(names) == expected, 10, 0.1)
    lost, dropped = daemon.lost_dropped()
    return {"lost": lost, "dropped": dropped, "exact": daemon.counts(names) == expected,
            "ready_s": daemon.ready_seconds}


def measure(tracer, warmup, storm, names):
    """One run under one tracer: a warm-up storm (the "cold" CPU), then the measured storm."""
    tracer.start()
    try:
        pid = tracer.pid()
        ids = programs_held(pid) if pid else set()
        cold0 = cpu_seconds(pid) if pid else 0.0
        warm_total = 0
        if pid:  # the warm-up is for the tracer's JIT; with no tracer there is nothing to warm
            _, warm_total, _ = warmup.run()
            time.sleep(SETTLE_SECONDS)
        cnt0, ns0 = prog_stats(ids)
        cpu0 = cpu_times(pid) if pid else (0.0, 0.0)
        per_name, total, seconds = storm.run()
        time.sleep(SETTLE_SECONDS)
        cnt1, ns1 = prog_stats(ids)
        cpu1 = cpu_times(pid) if pid else (0.0, 0.0)
        expected = dict(per_name)
        result = {
            "rate": total / seconds,
            "execs": total,
            "bpf_ns_per_exec": (ns1 - ns0) / (cnt1 - cnt0) if cnt1 > cnt0 else None,
            "cpu_us_per_exec": (sum(cpu1) - sum(cpu0)) * 1e6 / total if pid else None,
            "user_us_per_exec": (cpu1[0] - cpu0[0]) * 1e6 / total if pid else None,
            "sys_us_per_exec": (cpu1[1] - cpu0[1]) * 1e6 / total if pid else None,
            "cold_cpu_us_per_exec": (sum(cpu0) - cold0) * 1e6 / warm_total if pid else None,
            "peak_rss_mib": peak_rss_mib(pid) if pid else None,
        }
        if isinstance(tracer, Daemon):
            result.update(daemon_checks(tracer, names, expected))
    finally:
        tracer.stop()
    if isinstance(tracer, Bpftrace):
        result["exact"] = tracer.final_counts(names) == expected
    return result


def long_run(make_tracer, workdir, args):
    """--long-seconds at the top rate after a warm-up storm; the daemon is scraped every 15 s."""
    names = [f"bl{i}" for i in range(args.names)]
    tracer = make_tracer()
    tracer.start()
    try:
        pid = tracer.pid()
        ids = programs_held(pid) if pid else set()
        Storm(os.path.join(workdir, "warm"), args.workers, args.warmup, [f"bw{i}" for i in range(args.names)]).run()
        time.sleep(SETTLE_SECONDS)
        cnt0, ns0 = prog_stats(ids)
        cpu0 = cpu_times(pid) if pid else (0.0, 0.0)
        threads0 = thread_cpu(pid) if pid else {}
        storm = Storm(os.path.join(workdir, "long"), args.workers, None, names, seconds=args.long_seconds)
        if isinstance(tracer, Daemon):
            done = []

            def scraper():
                while not done:
                    time.sleep(15)
                    if not done:
                        try:
                            tracer.scrape()
                        except OSError:
                            pass
            t = threading.Thread(target=scraper, daemon=True)
            t.start()
            try:
                per_name, total, seconds = storm.run()
            finally:
                done.append(True)
        else:
            per_name, total, seconds = storm.run()
        time.sleep(SETTLE_SECONDS)
        cnt1, ns1 = prog_stats(ids)
        cpu1 = cpu_times(pid) if pid else (0.0, 0.0)
        threads1 = thread_cpu(pid) if pid else {}
        result = {"rate": total / seconds, "execs": total, "seconds": seconds}
        if pid:
            result.update({
                "bpf_ns_per_exec": (ns1 - ns0) / (cnt1 - cnt0) if cnt1 > cnt0 else None,
                "cpu_us_per_exec": (sum(cpu1) - sum(cpu0)) * 1e6 / total,
                "user_us_per_exec": (cpu1[0] - cpu0[0]) * 1e6 / total,
                "sys_us_per_exec": (cpu1[1] - cpu0[1]) * 1e6 / total,
                "threads_us_per_exec": {k: round((v - threads0.get(k, 0.0)) * 1e6 / total, 3)
                                        for k, v in sorted(threads1.items(), key=lambda kv: -kv[1])
                                        if v - threads0.get(k, 0.0) > 0},
                "peak_rss_mib": peak_rss_mib(pid),
            })
        if isinstance(tracer, Daemon):
            result.update(daemon_checks(tracer, names, per_name))
    finally:
        tracer.stop()
    return result


def timed_scrapes(port, count, gzip):
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    times, size = [], 0
    for _ in range(count):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=headers)
        began = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            size = len(response.read())
        times.append((time.perf_counter() - began) * 1000)
    return times, size


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered))) - 1))]


def scrape_latency(series_counts, scrapes, warmup_scrapes):
    """/metrics latency of a warm daemon holding N comm series, plain and gzip, for each N."""
    results = {}
    for n in series_counts:
        daemon = Daemon("daemon", [f"--comm.max-series={max(n, 500)}"])
        daemon.start()
        try:
            with tempfile.TemporaryDirectory(prefix="bench-series-") as tmp:
                names = [f"s{i:07d}" for i in range(n)]
                Storm(tmp, 2, n, names).run()
            wait_until(lambda: series_count(daemon.scrape()) >= n, 30, 0.2)
            timed_scrapes(daemon.port, warmup_scrapes, False)
            timed_scrapes(daemon.port, warmup_scrapes, True)
            result = {"series": int(series_count(daemon.scrape()))}
            for mode, gzip in (("plain", False), ("gzip", True)):
                cpu0 = cpu_seconds(daemon.pid())
                times, size = timed_scrapes(daemon.port, scrapes, gzip)
                cpu1 = cpu_seconds(daemon.pid())
                result[mode] = {"median_ms": statistics.median(times), "p95_ms": percentile(times, 0.95),
                                "max_ms": max(times), "bytes": size,
                                "daemon_cpu_ms_per_scrape": (cpu1 - cpu0) * 1000 / scrapes}
            result["rss_mib"] = peak_rss_mib(daemon.pid(), "VmRSS")
            result["peak_rss_mib"] = peak_rss_mib(daemon.pid())
            result["ready_s"] = daemon.ready_seconds
            results[n] = result
            print(f"scrape {n} series: {json.dumps(result)}", flush=True)
        finally:
            daemon.stop()
    return results


def rss_under_scrapes(series, scrapes, java_opts=()):
    """RSS of a daemon at defaults holding `series` comm series while it is scraped back to back."""
    daemon = Daemon("daemon", java_opts=java_opts)
    daemon.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
            Storm(tmp, 2, series, [f"r{i:07d}" for i in range(series)]).run()
        wait_until(lambda: series_count(daemon.scrape()) >= series, 30, 0.2)
        rss = {0: peak_rss_mib(daemon.pid(), "VmRSS")}
        done = 0
        for mark in (100, 300, scrapes):
            if mark > done:
                timed_scrapes(daemon.port, mark - done, False)
                done = mark
                rss[mark] = peak_rss_mib(daemon.pid(), "VmRSS")
        result = {"series": int(series_count(daemon.scrape())),
                  "rss_mib_after_scrapes": rss, "peak_rss_mib": peak_rss_mib(daemon.pid())}
        print(f"rss under scrapes: {json.dumps(result)}", flush=True)
        return result
    finally:
        daemon.stop()


def jmh(args):
    """The pipeline's events/s without the kernel (PipelineBenchmark), the whole JVM on one CPU."""
    out = os.path.join(ROOT, "target", "jmh-result.json")
    cmd = ["taskset", "-c", "0", "mvn", "-B", "-q", "-ntp", "-Pjmh", "-DskipTests", "test-compile", "exec:exec@jmh",
           f"-Djmh.args=-f 1 -rf json -rff {out} {args.jmh_args} PipelineBenchmark".strip()]
    print("jmh: " + " ".join(cmd), flush=True)
    log = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if log.returncode != 0:
        raise RuntimeError(f"JMH failed:\n{log.stdout[-3000:]}\n{log.stderr[-3000:]}")
    with open(out) as f:
        data = json.load(f)
    results = []
    for b in data:
        results.append({"benchmark": b["benchmark"].rsplit(".", 1)[1], "params": b.get("params", {}),
                        "events_per_s": b["primaryMetric"]["score"],
                        "error": b["primaryMetric"]["scoreError"],
                        "iterations": b["primaryMetric"]["rawData"]})
    summary = [line for line in log.stdout.splitlines() if line.startswith("Benchmark") or "thrpt" in line]
    return {"command": " ".join(cmd), "results": results, "summary": summary}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if not isinstance(value, (int, float)) or value != value:
        return "—"
    return f"{value:,.{digits}f}"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return f"{os.cpu_count()} cores ({cpu}), kernel {platform.release()}, {java[0] if java else 'java ?'}"


def verdict(ok):
    return "—" if ok is None else ("met" if ok else "**missed**")


def report(args, rounds, long, latency, rss_scrapes, bench, readies, path):
    configs = list(rounds[0].keys()) if rounds else []
    lines = [
        "# Benchmark results", "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- load average at start: {args.loadavg}; the machine is shared and noisy: compare within a run",
        f"- command: `{' '.join(['bench/run.sh'] + sys.argv[1:])}`",
        f"- paired rounds: {args.rounds} rounds; in each, every tracer ({', '.join(configs[1:])}; order rotated "
        "from round to round) runs between two runs with no tracer; "
        f"each run: a warm-up storm of {args.warmup:,} execs (other names), then the measured storm of "
        f"{args.count:,} execs by {args.workers} workers over {args.names} names",
        "- a tracer's ratio is its rate over the mean of the no-tracer runs just before and after it; the table "
        "gives the median over rounds",
        f"- daemon-lean: the daemon with the JVM options `{LEAN_JVM}` (all else at defaults)",
        "",
    ]
    ratios = {c: [r[c]["ratio"] for r in rounds] for c in configs}
    daemon_ratio = median(ratios.get("daemon", []))
    bpf = {c: median([r[c]["bpf_ns_per_exec"] for r in rounds]) for c in configs}
    long_daemon = long.get("daemon") if long else None
    scrape_1000 = latency.get(1000) if latency else None
    pipeline = [r for r in (bench or {}).get("results", []) if r["benchmark"] == "pipeline"]
    ceiling = min((r["events_per_s"] for r in pipeline), default=None)
    rss = max([r["daemon"]["peak_rss_mib"] for r in rounds if "daemon" in r]
              + ([long_daemon["peak_rss_mib"]] if long_daemon else [])
              + ([rss_scrapes["defaults"]["peak_rss_mib"]] if rss_scrapes else []), default=None)
    lean_rss = max([r["daemon-lean"]["peak_rss_mib"] for r in rounds if "daemon-lean" in r]
                   + ([rss_scrapes["lean"]["peak_rss_mib"]] if rss_scrapes else []), default=None)

    def ok(value, test):
        return None if value is None else test(value)
    targets = [
        ("top exec rate with the daemon / none (paired rounds)", "≥ 0.97", fmt(daemon_ratio, 3),
         ok(daemon_ratio, lambda v: v >= 0.97)),
        ("BPF ns per exec, daemon (paired rounds)", "≤ 1,500", fmt(bpf.get("daemon")),
         ok(bpf.get("daemon"), lambda v: v <= 1500)),
        ("BPF ns per exec, daemon / bpftrace (same rounds)", "≤ 4", fmt(
            bpf["daemon"] / bpf["bpftrace"] if bpf.get("daemon") and bpf.get("bpftrace") else None, 2),
         ok(bpf["daemon"] / bpf["bpftrace"] if bpf.get("daemon") and bpf.get("bpftrace") else None, lambda v: v <= 4)),
        (f"daemon CPU µs per exec at the top rate, steady state ({args.long_seconds} s)", "≤ 2",
         fmt(long_daemon["cpu_us_per_exec"], 2) if long_daemon else "—",
         ok(long_daemon["cpu_us_per_exec"] if long_daemon else None, lambda v: v <= 2)),
        (f"lost + dropped at the top rate for {args.long_seconds} s; exact counts", "0; yes",
         f"{long_daemon['lost'] + long_daemon['dropped']}; {fmt(long_daemon['exact'])}" if long_daemon else "—",
         ok(long_daemon, lambda v: v["lost"] + v["dropped"] == 0 and v["exact"])),
        ("pipeline ceiling, events/s on one core (JMH)", "≥ 1,000,000", fmt(ceiling),
         ok(ceiling, lambda v: v >= 1_000_000)),
        ("start to ready, s (max over every daemon start)", "≤ 2", fmt(max(readies), 2) if readies else "—",
         ok(max(readies) if readies else None, lambda v: v <= 2)),
        ("scrape at 1,000 series, warm, ms (median / p95)", "≤ 50",
         f"{fmt(scrape_1000['plain']['median_ms'], 1)} / {fmt(scrape_1000['plain']['p95_ms'], 1)}"
         if scrape_1000 else "—", ok(scrape_1000, lambda v: v["plain"]["p95_ms"] <= 50)),
        ("peak RSS at defaults, MiB (storms, long run, scrapes at 500 series)", "≤ 150", fmt(rss, 1),
         ok(rss, lambda v: v <= 150)),
        (f"the same with the JVM options `{LEAN_JVM}`", "≤ 150", fmt(lean_rss, 1),
         ok(lean_rss, lambda v: v <= 150)),
    ]
    lines += ["## Targets", "", "| what | target | measured | |", "|---|---|---|---|"]
    lines += [f"| {w} | {t} | {m} | {verdict(v)} |" for w, t, m, v in targets]
    lines.append("")

    if rounds:
        lines += ["## Paired rounds", "",
                  "| configuration | exec rate (median) | ratio to none (median, min–max) | BPF ns/exec | "
                  "CPU µs/exec warm (user + sys) | CPU µs/exec cold | peak RSS MiB | lost | dropped | exact counts |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for c in configs:
            runs = [r[c] for r in rounds]
            exact = all(run.get("exact") for run in runs) if any("exact" in run for run in runs) else None
            daemonish = c.startswith("daemon")
            lines.append(
                f"| {c} | {fmt(median([x['rate'] for x in runs]))}/s | {fmt(median(ratios[c]), 3)} "
                f"({fmt(min(ratios[c]), 3)}–{fmt(max(ratios[c]), 3)}) | {fmt(bpf[c])} | "
                f"{fmt(median([x['cpu_us_per_exec'] for x in runs]), 2)} "
                f"({fmt(median([x['user_us_per_exec'] for x in runs]), 2)} + "
                f"{fmt(median([x['sys_us_per_exec'] for x in runs]), 2)}) | "
                f"{fmt(median([x['cold_cpu_us_per_exec'] for x in runs]), 2)} | "
                f"{fmt(median([x['peak_rss_mib'] for x in runs]), 1)} | "
                f"{fmt(max((x.get('lost') or 0) for x in runs)) if daemonish else '—'} | "
                f"{fmt(max((x.get('dropped') or 0) for x in runs)) if daemonish else '—'} | {fmt(exact)} |")
        lines += ["", "CPU is the tracer process's utime + stime from /proc over the measured storm (after the "
                  "warm-up storm), divided by the storm's execs; \"cold\" is the same over the warm-up storm, "
                  "started right after the tracer is ready (JIT compilation included). bpftrace counts in the "
                  "kernel and does no work per exec in user space.", ""]
    if long:
        lines += [f"## Top rate for {args.long_seconds} s", "",
                  "| configuration | exec rate | execs | BPF ns/exec | CPU µs/exec (user + sys) | peak RSS MiB | "
                  "lost | dropped | exact counts |", "|---|---|---|---|---|---|---|---|---|"]
        for c, r in long.items():
            lines.append(f"| {c} | {fmt(r['rate'])}/s | {fmt(r['execs'])} | {fmt(r.get('bpf_ns_per_exec'))} | "
                         f"{fmt(r.get('cpu_us_per_exec'), 2)} ({fmt(r.get('user_us_per_exec'), 2)} + "
                         f"{fmt(r.get('sys_us_per_exec'), 2)}) | {fmt(r.get('peak_rss_mib'), 1)} | "
                         f"{fmt(r.get('lost'))} | {fmt(r.get('dropped'))} | {fmt(r.get('exact'))} |")
        if long_daemon:
            top = list(long_daemon["threads_us_per_exec"].items())[:8]
            lines += ["", "The daemon's CPU by thread over the long run (µs per exec; live threads only): "
                      + ", ".join(f"{k} {v:.3f}" for k, v in top) + "."]
        lines.append("")
    if readies:
        lines += [f"Daemon start to ready (attached and serving, `java -jar` to `/-/ready` 200): median "
                  f"{fmt(median(readies), 2)} s, max {fmt(max(readies), 2)} s over {len(readies)} starts.", ""]
    if latency:
        lines += ["## Scrape latency (warm daemon)", "",
                  "| comm series | plain ms median / p95 / max | plain bytes | gzip ms median / p95 / max | "
                  "gzip bytes | daemon CPU ms per scrape (plain / gzip) | RSS MiB after (now / peak) |",
                  "|---|---|---|---|---|---|---|"]
        for n, r in latency.items():
            p, g = r["plain"], r["gzip"]
            lines.append(f"| {fmt(r['series'])} | {fmt(p['median_ms'], 1)} / {fmt(p['p95_ms'], 1)} / "
                         f"{fmt(p['max_ms'], 1)} | {fmt(p['bytes'])} | {fmt(g['median_ms'], 1)} / "
                         f"{fmt(g['p95_ms'], 1)} / {fmt(g['max_ms'], 1)} | {fmt(g['bytes'])} | "
                         f"{fmt(p['daemon_cpu_ms_per_scrape'], 1)} / {fmt(g['daemon_cpu_ms_per_scrape'], 1)} | "
                         f"{fmt(r['rss_mib'], 1)} / {fmt(r['peak_rss_mib'], 1)} |")
        lines += ["", f"{args.warmup_scrapes} warm-up scrapes of each kind, then {args.scrapes} timed ones, "
                  "from a Python client on the same machine.", ""]
    if rss_scrapes:
        lines += ["## RSS under scrapes", "",
                  f"A daemon at defaults holding 500 comm series (the default comm.max_series), scraped back to "
                  f"back ({args.rss_scrapes:,} scrapes; Prometheus every 15 s makes as many in about 4 hours):", "",
                  "| JVM options | series | RSS MiB after 0 / 100 / 300 / all scrapes | peak RSS MiB |",
                  "|---|---|---|---|"]
        for k, r in rss_scrapes.items():
            after = " / ".join(fmt(v, 1) for v in r["rss_mib_after_scrapes"].values())
            lines.append(f"| {'(none)' if k == 'defaults' else '`' + LEAN_JVM + '`'} | {fmt(r['series'])} | "
                         f"{after} | {fmt(r['peak_rss_mib'], 1)} |")
        lines.append("")
    if bench:
        lines += ["## User-space pipeline ceiling (JMH, no kernel)", "",
                  f"`{bench['command']}`", "",
                  "`pipeline`: synthetic ring batches of 64 records decoded by the pollers' loop into the "
                  "real queue and drained by the real aggregator into Micrometer meters, all on one thread; "
                  "the JVM (JIT and GC included) pinned to one CPU. `decodeAndQueue`: the pollers' share.", "",
                  "| benchmark | comm names | events/s on one core | ± (99.9%) |", "|---|---|---|---|"]
        for r in bench["results"]:
            lines.append(f"| {r['benchmark']} | {r['params'].get('names', '')} | {fmt(r['events_per_s'])} | "
                         f"{fmt(r['error'])} |")
        lines.append("")
    findings = os.path.join(ROOT, "bench", "FINDINGS.md")
    if os.path.exists(findings):
        with open(findings) as f:
            lines += [f.read().rstrip(), ""]
    # the footprint section (bench/footprint.py) is another command's: keep it as it is
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        begin, end = "<!-- footprint -->", "<!-- /footprint -->"
        if begin in old and end in old:
            lines += [old[old.index(begin):old.index(end) + len(end)], ""]
    lines += ["## Raw numbers", "", "```", json.dumps({"rounds": rounds, "long": long, "scrape_latency": latency,
                                                        "rss_under_scrapes": rss_scrapes,
                                                        "jmh": bench, "ready_s": readies}, indent=1), "```", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
    end = lines.index("## Raw numbers")
    print("\n".join(lines[:end]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=30000, help="execs per measured storm")
    parser.add_argument("--warmup", type=int, default=10000, help="execs of the warm-up storm before each")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--names", type=int, default=8, help="distinct command names in the storm")
    parser.add_argument("--configs", default="none,daemon,bpftrace,daemon-wake1,daemon-lean")
    parser.add_argument("--long-seconds", type=int, default=60, help="the top-rate run; 0 skips it")
    parser.add_argument("--series", default="100,1000,10000", help="comm series counts for scrape latency")
    parser.add_argument("--scrapes", type=int, default=40)
    parser.add_argument("--warmup-scrapes", type=int, default=10)
    parser.add_argument("--jmh-args", default="", help="extra JMH arguments (e.g. '-wi 1 -i 2')")
    parser.add_argument("--no-jmh", action="store_true", help="skip the JMH pipeline ceiling")
    parser.add_argument("--daemon-args", default="", help="extra flags for every daemon (A/B of a setting)")
    parser.add_argument("--java-opts", default="", help="JVM options of every daemon (A/B of heap or GC flags)")
    parser.add_argument("--rss-scrapes", type=int, default=1000,
                        help="back-to-back scrapes of a daemon at defaults for its RSS; 0 skips it")
    parser.add_argument("--jar", default=JAR, help="the exec-exporter jar to run (A/B of two builds)")
    parser.add_argument("--output", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: run as root (it loads BPF and reads kernel program stats)")
    args.loadavg = " ".join(open("/proc/loadavg").read().split()[:3])
    extra = args.daemon_args.split()
    Daemon.java_opts = args.java_opts.split()
    Daemon.jar = args.jar

    tracers = {
        "none": lambda: Tracer(),
        "daemon": lambda: Daemon("daemon", extra),
        "bpftrace": lambda: Bpftrace(),
        "daemon-wake1": lambda: Daemon("daemon-wake1", extra + ["--bpf.wakeup-events=1"]),
        "daemon-lean": lambda: Daemon("daemon-lean", extra, LEAN_JVM.split()),
    }
    configs = args.configs.split(",") if args.configs else []
    for c in configs:
        if c not in tracers:
            sys.exit(f"bench: unknown configuration {c!r} in --configs")
    if configs and configs[0] != "none":
        sys.exit("bench: --configs must start with none (the limit every ratio is taken to)")
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        stats_before = f.read().strip()
    subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=1"], check=True)
    readies = []
    try:
        rounds, long = [], {}
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            for r in range(args.rounds if configs else 0):
                names = [f"bn{r}x{i}" for i in range(args.names)]
                warmup = Storm(os.path.join(tmp, f"warm{r}"), args.workers, args.warmup,
                               [f"bw{r}x{i}" for i in range(args.names)])
                storm = Storm(os.path.join(tmp, f"round{r}"), args.workers, args.count, names)
                # none, X, none, Y, none ...: each X is compared with the mean of the no-tracer runs
                # just before and just after it, which cancels a load on the machine that drifts
                tracing = configs[1:]
                order = tracing[r % len(tracing):] + tracing[:r % len(tracing)]
                results, nones = {}, [measure(tracers["none"](), warmup, storm, names)]
                for c in order:
                    results[c] = measure(tracers[c](), warmup, storm, names)
                    nones.append(measure(tracers["none"](), warmup, storm, names))
                    results[c]["ratio"] = results[c]["rate"] / statistics.mean(x["rate"] for x in nones[-2:])
                    if "ready_s" in results[c]:
                        readies.append(results[c]["ready_s"])
                    print(f"round {r + 1}/{args.rounds} {c}: {json.dumps(results[c])}", flush=True)
                results["none"] = dict(nones[0], rate=statistics.mean(x["rate"] for x in nones), ratio=1.0,
                                       runs=[x["rate"] for x in nones])
                print(f"round {r + 1}/{args.rounds} none: {results['none']['runs']}", flush=True)
                rounds.append({c: results[c] for c in configs})
            if args.long_seconds > 0:
                for c in ("none", "daemon"):
                    long[c] = long_run(tracers[c], os.path.join(tmp, f"long-{c}"), args)
                    if "ready_s" in long[c]:
                        readies.append(long[c]["ready_s"])
                    print(f"long {c}: {json.dumps(long[c])}", flush=True)
        latency = scrape_latency([int(n) for n in args.series.split(",") if n], args.scrapes,
                                 args.warmup_scrapes) if args.series else {}
        readies += [r["ready_s"] for r in latency.values()]
        rss = {"defaults": rss_under_scrapes(500, args.rss_scrapes),
               "lean": rss_under_scrapes(500, args.rss_scrapes, LEAN_JVM.split())} if args.rss_scrapes else None
    finally:
        subprocess.run(["sysctl", "-qw", f"kernel.bpf_stats_enabled={stats_before}"], check=False)
    bench = None if args.no_jmh else jmh(args)
    report(args, rounds, long, latency, rss, bench, readies, args.output)


if __name__ == "__main__":
    main()
