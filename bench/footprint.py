#!/usr/bin/env python3
"""What exec-exporter costs a host that runs it, build against build, in one run.

For each build (a .deb: the package as operators run it, its launcher /usr/bin/exec-exporter relocated
into a scratch root, nothing installed on this machine) and in turn, A B A B over --rounds:
  series per comm    lines of one comm in a plain-text scrape; and what a real Prometheus
                     (--enable-feature=native-histograms, protobuf when offered) stores per comm
                     and for the whole host, at 500 comms (the default comm.max_series)
  body               the plain-text /metrics at 500 comms, bytes
  bytes per scrape   allocated by the HTTP threads per plain scrape at 500 comms (JFR's
                     jdk.ThreadAllocationStatistics at the start and end of 200 scrapes)
  idle CPU           % of a core over the quietest of --idle-windows windows (fewest execs on the
                     host: the machine is shared), with the thread wake-ups per second
  CPU per exec       the daemon's and libbpf-tools execsnoop's (it prints every exec, to /dev/null), per exec
                     their BPF program ran for (the storm's and any other process's)
                     under the same exec storm at --rate execs/s, µs per exec
  RSS                after 300 back-to-back scrapes at 500 comms: the packaged launcher, and the
                     README's run command (java [the launcher's options file] -jar)
  start to ready     the packaged launcher to /-/ready 200, over --starts starts

Usage (as root; bench/footprint.sh builds the current tree first):
  footprint.py --baseline REF            the tree at git REF (built here) against target/*.deb
  footprint.py --build NAME=DEB ...      any builds
Writes its section into bench/RESULTS.md (between the footprint markers; bench.py keeps it).
"""
import argparse
import datetime
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as b  # noqa: E402 (the storm, process and scrape helpers are shared)

ROOT = b.ROOT
BEGIN, END = "<!-- footprint -->", "<!-- /footprint -->"
COMMS = 500
EXECSNOOP = "/usr/sbin/execsnoop"


def build_at(ref, workdir):
    """Builds the package of git ref `ref` (git archive: no worktree left behind); returns the .deb."""
    src = os.path.join(workdir, "src-" + ref.replace("/", "_"))
    os.makedirs(src)
    archive = subprocess.run(["git", "-C", ROOT, "archive", "--format=tar", ref], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
    subprocess.run(["mvn", "-B", "-q", "-o", "-ntp", "package", "-DskipTests"], cwd=src, check=True,
                   stdout=subprocess.DEVNULL)
    return glob.glob(os.path.join(src, "target", "exec-exporter_*.deb"))[0]


class Build:
    """A .deb unpacked into a scratch root, its launcher rewritten to run from there."""

    def __init__(self, name, deb, workdir):
        self.name = name
        self.root = os.path.join(workdir, "root-" + name)
        subprocess.run(["dpkg-deb", "-x", deb, self.root], check=True)
        with open(os.path.join(self.root, "usr/bin/exec-exporter")) as f:
            text = f.read()
        self.launcher = os.path.join(self.root, "launcher")
        with open(self.launcher, "w") as f:
            f.write(self.relocate(text))
        # what postinst runs after the files are in place: the class-data sharing archive, if the build has one
        make_cds = os.path.join(self.root, "usr/lib/exec-exporter/make-cds-archive")
        if os.path.exists(make_cds):
            with open(make_cds) as f:
                script = self.relocate(f.read()).replace("/usr/bin/exec-exporter", "sh " + self.launcher)
            subprocess.run(["sh", "-c", script], check=True)
        self.jar = os.path.join(self.root, "usr/share/exec-exporter/exec-exporter.jar")
        options = os.path.join(self.root, "usr/share/exec-exporter/jvm.options")
        # the README's run command: `java -jar`, with the launcher's options file when the build has one
        self.readme = ["java"] + (["@" + options] if os.path.exists(options) else []) + ["-jar", self.jar]

    def relocate(self, text):
        for path in ("/usr/lib/exec-exporter", "/usr/share/exec-exporter", "/etc/exec-exporter",
                     "/var/cache/exec-exporter"):
            text = text.replace(path, self.root + path)
        return text

    def daemon(self, readme=False, args=()):
        command = self.readme if readme else ["sh", self.launcher]
        return Daemon(command, list(args))


class Daemon(b.Daemon):
    """bench.Daemon started by a given command line (launcher or java -jar) instead of `java -jar`."""

    def __init__(self, command, args):
        super().__init__("daemon", args)
        self.command = command

    def start(self):
        self.port = b.free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("JAVA_OPTS", "JOURNAL_STREAM")}
        began = time.monotonic()
        self.proc = subprocess.Popen(self.command + [f"--web.listen-address=127.0.0.1:{self.port}"] + self.extra_args,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"daemon exited: {self.proc.stderr.read().decode()}")
            try:
                return b.http_get(f"http://127.0.0.1:{self.port}/-/ready", 1)[0] == 200
            except OSError:
                return False
        if not b.wait_until(ready, 60, 0.01):
            raise RuntimeError("daemon not ready in 60 s")
        self.ready_seconds = time.monotonic() - began

    def text(self):
        return b.http_get(f"http://127.0.0.1:{self.port}/metrics")[1]


def task_stats(pid):
    """(CPU ns, context switches) summed over the live threads of a process."""
    ns = switches = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns += int(f.read().split()[0])
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                switches += sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except (OSError, ValueError, IndexError):
            continue
    return ns, switches


def fill_comms(daemon, workdir, tag):
    """Execs COMMS distinct names, waits until the daemon holds its full comm.max_series, and
    returns one of ours that has a series (other processes' comms may have taken some slots)."""
    b.Storm(os.path.join(workdir, tag), 2, COMMS, [f"{tag}{i:05d}" for i in range(COMMS)]).run()
    b.wait_until(lambda: b.series_count(daemon.scrape()) >= COMMS, 30, 0.2)
    for (name, labels), _ in daemon.scrape().items():
        if name == "exec_events_total" and labels.startswith(f'comm="{tag}'):
            return labels[len('comm="'):-1]
    raise RuntimeError("none of the storm's comms has a series")


def prometheus_series(port, comm, workdir):
    """Series a real Prometheus (native histograms on) stores per comm and for the whole target."""
    pport = b.free_port()
    config = os.path.join(workdir, "prometheus.yml")
    with open(config, "w") as f:
        f.write(f"global: {{scrape_interval: 1s}}\nscrape_configs:\n  - job_name: fp\n"
                f"    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
    proc = subprocess.Popen(["prometheus", f"--config.file={config}", "--enable-feature=native-histograms",
                             f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
                             f"--web.listen-address=127.0.0.1:{pport}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def query(q):
        try:
            url = f"http://127.0.0.1:{pport}/api/v1/query?query=" + urllib.parse.quote(q)
            result = json.loads(b.http_get(url)[1])["data"]["result"]
            return float(result[0]["value"][1]) if result else None
        except (OSError, ValueError, KeyError):
            return None
    try:
        b.wait_until(lambda: (query('count(up{job="fp"} == 1)') or 0) >= 1, 60, 0.2)
        time.sleep(3)  # a few scrapes, so every series is in the head block
        per_comm = query(f'count({{comm="{comm}"}})')
        host = query('count({job="fp"})')
        return per_comm, host
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        shutil.rmtree(os.path.join(workdir, "tsdb"), ignore_errors=True)


def scrape_allocation(daemon, scrapes, workdir):
    """Bytes the HTTP threads allocate per plain scrape, from JFR's per-thread allocation totals."""
    jfr = os.path.join(workdir, "scrapes.jfr")
    pid = str(daemon.pid())
    subprocess.run(["jcmd", pid, "JFR.start", "name=fp", "settings=default"], check=True, capture_output=True)
    b.timed_scrapes(daemon.port, scrapes, False)
    subprocess.run(["jcmd", pid, "JFR.stop", "name=fp", f"filename={jfr}"], check=True, capture_output=True)
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ThreadAllocationStatistics", jfr],
                         capture_output=True, check=True, text=True).stdout
    first, last = {}, {}
    for event in json.loads(out)["recording"]["events"]:
        thread = event["values"]["thread"]
        if thread and thread.get("javaName", "").startswith("http"):
            key = thread["javaThreadId"]
            first.setdefault(key, event["values"]["allocated"])
            last[key] = event["values"]["allocated"]
    os.remove(jfr)
    return sum(last[k] - first[k] for k in last) / scrapes


def idle_cpu(daemon, windows, seconds):
    """The quietest of `windows` windows: (% of a core, execs/s on the host, wake-ups/s)."""
    ids = b.programs_held(daemon.pid())
    best = None
    for _ in range(windows):
        cnt0, _ = b.prog_stats(ids)
        ns0, sw0 = task_stats(daemon.pid())
        time.sleep(seconds)
        ns1, sw1 = task_stats(daemon.pid())
        cnt1, _ = b.prog_stats(ids)
        window = ((ns1 - ns0) / 1e9 / seconds * 100, (cnt1 - cnt0) / seconds, (sw1 - sw0) / seconds)
        if best is None or window[1] < best[1]:
            best = window
    return best


def cpu_per_exec(pid, rate, seconds, workdir, tag):
    """(µs of CPU of process `pid` per exec it handled, BPF ns per exec, execs/s on the host) while a
    storm runs at `rate` execs/s. The divisor is every exec its BPF program ran for, the storm's and
    any other process's: a tracer works for each exec on the host."""
    ids = b.programs_held(pid)
    cnt0, bpf0 = b.prog_stats(ids)
    ns0, _ = task_stats(pid)
    began = time.monotonic()
    b.Storm(os.path.join(workdir, tag), 2, None, [f"{tag}{i}" for i in range(8)], seconds, rate).run()
    time.sleep(b.SETTLE_SECONDS)
    ns1, _ = task_stats(pid)
    cnt1, bpf1 = b.prog_stats(ids)
    execs = max(1, cnt1 - cnt0)
    return (ns1 - ns0) / 1e3 / execs, (bpf1 - bpf0) / execs, execs / (time.monotonic() - began)


def execsnoop_cpu(rate, seconds, workdir):
    script = ("grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts || "
              "mount -t tracefs tracefs /sys/kernel/tracing || exit 98; exec \"$@\"")
    proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", EXECSNOOP],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        proc.stdout.readline()  # its header: attached
        sink = subprocess.Popen(["cat"], stdin=proc.stdout, stdout=subprocess.DEVNULL)
        if not b.wait_until(lambda: b.programs_held(proc.pid), 10):
            raise RuntimeError("execsnoop did not attach")
        return cpu_per_exec(proc.pid, rate, seconds, workdir, "fs")[0]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        sink.wait(30)


def measure(build, args, workdir):
    r = {}
    # the 500 comm series must be the storm's: a process flooding names elsewhere on the host would
    # take the slots first (the allow list acts in the aggregator, after the kernel and the queue)
    config = os.path.join(workdir, "exec-exporter.yml")
    with open(config, "w") as f:
        f.write('comm:\n  allow: ["f[cm][0-9]{5}"]\n')
    d = build.daemon(args=[f"--config.file={config}"])
    d.start()
    try:
        r["idle_cpu_percent"], r["idle_host_execs_per_s"], r["idle_wakeups_per_s"] = \
            idle_cpu(d, args.idle_windows, args.idle_seconds)
        b.Storm(os.path.join(workdir, "warm"), 2, 5000, [f"fw{i}" for i in range(8)]).run()  # JIT warm
        r["cpu_us_per_exec"], r["bpf_ns_per_exec"], r["storm_host_execs_per_s"] = \
            cpu_per_exec(d.pid(), args.rate, args.rate_seconds, workdir, "fr")
        comm = fill_comms(d, workdir, "fc")
        text = d.text()
        r["body_bytes"] = len(text)
        r["series_per_comm_text"] = sum(1 for line in text.decode().splitlines()
                                        if not line.startswith("#") and f'comm="{comm}"' in line)
        r["series_text"] = sum(1 for line in text.decode().splitlines() if line and not line.startswith("#"))
        r["series_per_comm_prometheus"], r["series_prometheus"] = prometheus_series(d.port, comm, workdir)
        b.timed_scrapes(d.port, 300, False)
        r["rss_mib_300_scrapes"] = b.peak_rss_mib(d.pid(), "VmRSS")
        r["alloc_bytes_per_scrape"] = scrape_allocation(d, args.alloc_scrapes, workdir)  # JFR: after the RSS
        r["ready_s"] = [d.ready_seconds]
    finally:
        d.stop()
    d = build.daemon(readme=True, args=[f"--config.file={config}"])
    d.start()
    try:
        fill_comms(d, workdir, "fm")
        b.timed_scrapes(d.port, 300, False)
        r["readme_rss_mib_300_scrapes"] = b.peak_rss_mib(d.pid(), "VmRSS")
    finally:
        d.stop()
    for _ in range(args.starts - 1):
        d = build.daemon()
        d.start()
        d.stop()
        r["ready_s"].append(d.ready_seconds)
    r["execsnoop_cpu_us_per_exec"] = execsnoop_cpu(args.rate, args.rate_seconds, workdir)
    return r


ROWS = [
    ("series per comm, plain text", "series_per_comm_text", 0, "≤ 10"),
    ("series per comm, Prometheus with native histograms", "series_per_comm_prometheus", 0, "≤ 3"),
    (f"series of the whole target in Prometheus (native histograms on), {COMMS} comms", "series_prometheus", 0, ""),
    (f"sample lines of the plain-text scrape, {COMMS} comms", "series_text", 0, ""),
    (f"/metrics body at {COMMS} comms, plain text, bytes", "body_bytes", 0, "≤ 150,000"),
    (f"bytes allocated per plain scrape at {COMMS} comms (JFR)", "alloc_bytes_per_scrape", 0, ""),
    ("CPU with no exec, % of a core (quietest window)", "idle_cpu_percent", 3, "≤ 0.05"),
    ("  execs/s on the host in that window", "idle_host_execs_per_s", 1, ""),
    ("  thread wake-ups/s in that window", "idle_wakeups_per_s", 1, ""),
    ("daemon CPU per exec at the storm rate, µs", "cpu_us_per_exec", 1, "≤ execsnoop's / 5"),
    ("  execs/s on the host during that storm (all count)", "storm_host_execs_per_s", 0, ""),
    ("libbpf-tools execsnoop CPU per exec, same storm, µs", "execsnoop_cpu_us_per_exec", 1, ""),
    ("BPF program ns per exec (kernel.bpf_stats_enabled), same storm", "bpf_ns_per_exec", 0, ""),
    ("RSS after 300 scrapes, packaged launcher, MiB", "rss_mib_300_scrapes", 1, "≤ 64"),
    ("RSS after 300 scrapes, README's run command, MiB", "readme_rss_mib_300_scrapes", 1, "≤ 150"),
    ("start to ready, packaged launcher, s (median / max)", "ready_s", 2, "≤ 0.5"),
]


def summarize(runs):
    """Median over rounds of each number (ready_s: all starts pooled)."""
    out = {}
    for key in runs[0]:
        if key == "ready_s":
            starts = [s for r in runs for s in r[key]]
            out[key] = (statistics.median(starts), max(starts))
        else:
            values = [r[key] for r in runs if r[key] is not None]
            out[key] = statistics.median(values) if values else None
    return out


def section(args, builds, results):
    lines = [BEGIN, "## Footprint: build against build", "",
             f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
             f"- machine: {b.machine()}; load average at start: {args.loadavg}",
             f"- command: `{' '.join(['bench/footprint.sh'] + sys.argv[1:])}`",
             f"- builds: " + "; ".join(f"{n} = {d}" for n, d in builds),
             f"- {args.rounds} rounds, the builds in turn in each; the table gives medians over rounds; the exec "
             f"storm for CPU per exec: 2 workers, 8 names, {args.rate}/s for {args.rate_seconds} s, after a "
             f"warm-up storm of 5,000 execs; idle: the quietest of {args.idle_windows} windows of "
             f"{args.idle_seconds} s right after start (CPU from each thread's schedstat); the daemons run with "
             f"`comm.allow` set to the bench's own names, so that the {COMMS} comm series are the bench's", "",
             "| what | " + " | ".join(n for n, _ in builds) + " | target |",
             "|---|" + "---|" * len(builds) + "---|"]
    summaries = {n: summarize(results[n]) for n, _ in builds}
    for label, key, digits, target in ROWS:
        cells = []
        for n, _ in builds:
            v = summaries[n].get(key)
            cells.append(f"{b.fmt(v[0], digits)} / {b.fmt(v[1], digits)}" if isinstance(v, tuple)
                         else b.fmt(v, digits))
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    lines += ["", "<details><summary>raw</summary>", "", "```", json.dumps(results, indent=1), "```", "",
              "</details>", END]
    return "\n".join(lines)


def write(path, text):
    old = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END):]
    else:
        at = old.find("\n## ", old.find("\n## ") + 1) if "\n## " in old else len(old)
        at = old.find("\n## Targets") if "\n## Targets" in old else at
        new = old[:at].rstrip("\n") + "\n\n" + text + "\n" + old[at:]
    with open(path, "w") as f:
        f.write(new)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="git ref to build and compare with target/exec-exporter_*.deb")
    parser.add_argument("--build", action="append", default=[], help="NAME=path/to.deb (repeatable)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=int, default=600)
    parser.add_argument("--rate-seconds", type=int, default=30)
    parser.add_argument("--idle-windows", type=int, default=6)
    parser.add_argument("--idle-seconds", type=int, default=15)
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--alloc-scrapes", type=int, default=200)
    parser.add_argument("--output", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("footprint: run as root (it loads BPF and reads kernel program stats)")
    args.loadavg = " ".join(open("/proc/loadavg").read().split()[:3])
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        stats_before = f.read().strip()
    subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=1"], check=True)
    try:
        with tempfile.TemporaryDirectory(prefix="footprint-") as tmp:
            debs = [tuple(x.split("=", 1)) for x in args.build]
            if args.baseline:
                debs = [("before", build_at(args.baseline, tmp)),
                        ("after", glob.glob(os.path.join(ROOT, "target", "exec-exporter_*.deb"))[0])] + debs
            if not debs:
                sys.exit("footprint: give --baseline REF or --build NAME=DEB")
            builds = [Build(n, d, tmp) for n, d in debs]
            results = {n: [] for n, _ in debs}
            for r in range(args.rounds):
                for build in builds:
                    work = tempfile.mkdtemp(dir=tmp)
                    results[build.name].append(measure(build, args, work))
                    print(f"round {r + 1} {build.name}: {json.dumps(results[build.name][-1])}", flush=True)
            names = [(n, (args.baseline + " (" + os.path.basename(d) + ")") if n == "before" and args.baseline
                      else os.path.relpath(d, ROOT) if d.startswith(ROOT) else d) for n, d in debs]
    finally:
        subprocess.run(["sysctl", "-qw", f"kernel.bpf_stats_enabled={stats_before}"], check=False)
    text = section(args, names, results)
    write(args.output, text)
    print(text)


if __name__ == "__main__":
    main()
