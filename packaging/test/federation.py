#!/usr/bin/env python3
"""The fleet, for real: three exporters ("hosts" a, b, c on loopback ports, sharing this host's
kernel), two regional Prometheus servers that scrape them and evaluate rules.yml and alerts.yml
(region-a: a and b; region-b: c), and a global Prometheus that federates only the recorded series
(federate.yml's match[]) and evaluates the fleet rules. Storms of known size, under command names
of this run, must arrive exactly in the global per-comm fleet totals, and in the fleet rates within
the bound of Prometheus' extrapolation. Then it measures what one host costs (series, samples and
bytes per scrape) and what a series costs a Prometheus (head series and RSS), and prints the sizing.

    federation.py <exporter.jar> <libexecexporter.so> <execstorm> <noop> <work dir>

Each host denies the other hosts' private command: a's, b's and c's execs are counted once in the
fleet, the shared command's three times (every host counts every exec of this kernel).
Prints one line: the summary (exit 0) or the problem (exit 1). SIZING_REPORT=<file> also writes
the measurements as Markdown.
"""
import gzip
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import yaml

import mixin

HERE = os.path.dirname(os.path.abspath(__file__))
PROMETHEUS_DIR = os.path.join(HERE, "..", "prometheus")
DASHBOARDS = os.path.join(HERE, "..", "grafana")
INTERVAL = 1  # seconds: every scrape and every rule evaluation of the test
# As the package's launcher (packaging/deb/exec-exporter) starts the JVM.
JAVA_OPTS = ["-XX:+UseSerialGC", "-Xms16m"]
# What Prometheus 2.42 sends: the exporter answers in OpenMetrics, as it does to a real scrape.
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
STORM = {"a": 3000, "b": 2000, "c": 1000, "s": 1500}  # execs per command: a, b, c private, s shared
# Execs per second of the storms: at this pace a ring of the default size overflows only if its
# reader stalls for seconds, which a loaded machine can still cause (the failure then says so).
STORM_RATE = 1000
SIZING_ALIASES = 20  # the sizing Prometheus scrapes each exporter under this many target labels
SIZING_SECONDS = 30


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, headers=None, timeout=10):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read(), dict(r.headers)


def wait_until(seconds, what, check, state=None):
    """Calls check() every half second until it returns a true value, which it returns. On timeout,
    the failure says what state() returns."""
    deadline = time.monotonic() + seconds
    last = None
    while True:
        try:
            value = check()
            if value:
                return value
        except (OSError, ValueError, KeyError) as e:
            last = e
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {seconds}s waiting for {what}" + (f" ({last})" if last else "")
                          + (f": {state()}" if state else ""))
        time.sleep(0.5)


class Prometheus:
    def __init__(self, name, work, config, flags=()):
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        for rules in ("rules.yml", "alerts.yml"):
            with open(os.path.join(PROMETHEUS_DIR, rules)) as src, open(os.path.join(self.dir, rules), "w") as dst:
                dst.write(src.read())
        self.write_config(config)
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={self.dir}/prometheus.yml", f"--storage.tsdb.path={self.dir}/tsdb",
             f"--web.listen-address=127.0.0.1:{self.port}", *flags],
            stdout=self.log, stderr=subprocess.STDOUT)

    def write_config(self, config):
        with open(os.path.join(self.dir, "prometheus.yml"), "w") as f:
            yaml.safe_dump(config, f)

    def api(self, path, **params):
        url = f"{self.base}/api/v1/{path}?{urllib.parse.urlencode(params, doseq=True)}"
        try:
            _, body, _ = http_get(url)
        except urllib.error.HTTPError as e:
            body = e.read()
        r = json.loads(body)
        if r.get("status") != "success":
            raise Failure(f"{self.name}: {path} {params}: {r.get('error')}")
        return r["data"]

    def query(self, q):
        return self.api("query", query=q)["result"]

    def by(self, q, label):
        """{label value: float value} of an instant query."""
        return {s["metric"].get(label, ""): float(s["value"][1]) for s in self.query(q)}

    def own_metrics(self):
        _, body, _ = http_get(f"{self.base}/metrics")
        values = {}
        for line in body.decode().splitlines():
            m = re.match(r"^(prometheus_tsdb_head_series|process_resident_memory_bytes|go_memstats_heap_inuse_bytes) (\S+)$", line)
            if m:
                values[m.group(1)] = float(m.group(2))
        return values


def regional_config(cluster, targets):
    cfg = mixin.config()
    config = {
        "global": {"scrape_interval": f"{INTERVAL}s", "evaluation_interval": f"{INTERVAL}s"},
        "rule_files": ["rules.yml", "alerts.yml"],
        "scrape_configs": [{
            "job_name": cfg["jobName"],
            "static_configs": [{"targets": targets}],
        }],
    }
    if cfg["clusterLabel"]:
        config["global"]["external_labels"] = {cfg["clusterLabel"]: cluster}
    return config


def global_config(regionals):
    with open(os.path.join(PROMETHEUS_DIR, "federate.yml")) as f:
        config = yaml.safe_load(f)
    config["global"].update(scrape_interval=f"{INTERVAL}s", evaluation_interval=f"{INTERVAL}s")
    config["scrape_configs"][0]["static_configs"] = [{"targets": [r.base.removeprefix("http://") for r in regionals]}]
    return config


def storm(execstorm, noop, bin_dir, name, count):
    """Runs count execs of a binary named name; returns how many succeeded."""
    out = subprocess.run([execstorm, "--binary", noop, "--dir", bin_dir, "--workers", "2", "--count", str(count),
                          "--rate", str(STORM_RATE), name.encode().hex()],
                         check=True, capture_output=True, text=True).stdout
    execs = dict(re.findall(r"^name ([0-9a-f]+) (\d+)$", out, re.M))
    return int(execs[name.encode().hex()])


def exporter_counts(port, run, names):
    """The exporter's counts of this run's commands, and of the execs it lost or dropped."""
    _, body, _ = http_get(f"http://127.0.0.1:{port}/metrics")
    counts = {}
    for line in body.decode().splitlines():
        m = re.match(rf'^exec_events_total\{{comm="eef{run}-(\w)"\}} (\S+)$', line)
        if m:
            counts[m.group(1)] = float(m.group(2))
        for key in ("lost", "dropped"):
            if line.startswith(names[key] + " "):
                counts[key] = float(line.split()[1])
    return counts


def scrape_shape(port, comm_label_re=re.compile(r'[{,]comm="')):
    """One scrape as Prometheus asks for it: samples and bytes, split into the per-comm part and the rest."""
    _, body, headers = http_get(f"http://127.0.0.1:{port}/metrics",
                                {"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "gzip"})
    gzipped = len(body)
    text = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    lines = [l for l in text.decode().splitlines() if l and not l.startswith("#")]
    per_comm = [l for l in lines if comm_label_re.search(l.split(" ")[0])]
    comms = {re.search(r'comm="((?:[^"\\]|\\.)*)"', l).group(1) for l in per_comm}
    return {"samples": len(lines), "bytes": len(text), "gzip_bytes": gzipped, "comm_samples": len(per_comm),
            "comm_bytes": sum(len(l) + 1 for l in per_comm), "comms": len(comms)}


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1)) * 1024


def main():
    jar, library, execstorm, noop, work = sys.argv[1:6]
    run = secrets.token_hex(2)
    comm = {h: f"eef{run}-{h}" for h in STORM}  # 10 bytes: a whole comm, below the 15-byte cut
    cfg, names, recorded = mixin.config(), mixin.metrics(), mixin.recorded()
    processes = []
    try:
        # --- three hosts -------------------------------------------------------------------------
        exporters = {}
        for host in "abc":
            others = "".join(h for h in "abc" if h != host)
            config = os.path.join(work, f"exporter-{host}.yml")
            with open(config, "w") as f:
                yaml.safe_dump({"comm": {"deny": [f"eef{run}-[{others}]"]}}, f)
            port = free_port()
            log = open(os.path.join(work, f"exporter-{host}.log"), "w")
            p = subprocess.Popen(["java", *JAVA_OPTS, f"-Dexecexporter.native.library={library}", "-jar", jar,
                                  f"--web.listen-address=127.0.0.1:{port}", f"--config.file={config}"],
                                 stdout=log, stderr=subprocess.STDOUT)
            processes.append(p)
            exporters[host] = {"port": port, "process": p, "target": f"127.0.0.1:{port}"}
        for host, e in exporters.items():
            wait_until(90, f"exporter {host} to be ready",
                       lambda e=e: http_get(f"http://127.0.0.1:{e['port']}/-/ready")[0] == 200)

        # Each command's first exec, before anything scrapes: every rate then starts from a sample
        # that holds it, and the storms below are increases that the rates must find.
        bin_dir = os.path.join(work, "bin")
        os.makedirs(bin_dir)
        primed = {h: storm(execstorm, noop, bin_dir, comm[h], 1) for h in STORM}

        # --- two regions, one global -------------------------------------------------------------
        region_a = Prometheus("region-a", work, regional_config("region-a", [exporters[h]["target"] for h in "ab"]),
                              ["--enable-feature=extra-scrape-metrics"])
        region_b = Prometheus("region-b", work, regional_config("region-b", [exporters["c"]["target"]]),
                              ["--enable-feature=extra-scrape-metrics"])
        world = Prometheus("global", work, global_config([region_a, region_b]))
        processes += [region_a.process, region_b.process, world.process]

        fleet_total, fleet_rate = recorded["fleetCommTotal"], recorded["fleetCommRate"]
        ours = f'comm=~"eef{run}-.*"'

        def fleet(metric):
            return {c.rsplit("-", 1)[1]: v for c, v in world.by(f"{metric}{{{ours}}}", "comm").items()}

        # Every host counts the shared command; each the private command it does not deny.
        def expected(counts):
            return {"a": counts["a"], "b": counts["b"], "c": counts["c"], "s": 3 * counts["s"]}

        want = expected(primed)
        wait_until(120, f"the primed execs {want} in the global {fleet_total}", lambda: fleet(fleet_total) == want,
                   lambda: f"global {fleet(fleet_total)}")
        primed_at = time.monotonic()
        for host, e in exporters.items():
            _, body, _ = http_get(f"http://127.0.0.1:{e['port']}/metrics")
            if f'comm="{comm[host]}"' not in body.decode():
                raise Failure(f"exporter {host} has no series of {comm[host]}: its comm series were at their limit "
                              f"(another process floods this host with command names)")

        # --- the storm ---------------------------------------------------------------------------
        time.sleep(max(0.0, 10 - (time.monotonic() - primed_at)))  # the rates' samples span 10 s at least
        executed = {h: storm(execstorm, noop, bin_dir, comm[h], n) for h, n in STORM.items()}
        total = {h: primed[h] + executed[h] for h in STORM}
        want, increase = expected(total), expected(executed)

        def totals_arrived():
            got = fleet(fleet_total)
            if any(got.get(h, 0) > want[h] for h in want):
                raise Failure(f"the global {fleet_total} counts more than the storm: {got}, want {want}")
            return got == want
        def chain_state():
            """Where the counts stand, from each exporter to the global, and what went uncounted."""
            hosts = {h: exporter_counts(e["port"], run, names) for h, e in exporters.items()}
            regional = {p.name: p.by(f"{recorded['commTotal']}{{{ours}}}", "comm") for p in (region_a, region_b)}
            return f"exporters {hosts}; {regional}; global {fleet(fleet_total)}"
        wait_until(120, f"the global {fleet_total} to reach {want}", totals_arrived, chain_state)
        # The same, region by region: a and b and twice s in region-a, c and s once in region-b.
        regional_total = recorded["commTotal"]
        got_a = {c.rsplit("-", 1)[1]: v for c, v in region_a.by(f"{regional_total}{{{ours}}}", "comm").items()}
        got_b = {c.rsplit("-", 1)[1]: v for c, v in region_b.by(f"{regional_total}{{{ours}}}", "comm").items()}
        if got_a != {"a": total["a"], "b": total["b"], "s": 2 * total["s"]} or got_b != {"c": total["c"], "s": total["s"]}:
            raise Failure(f"regional {regional_total}: region-a {got_a}, region-b {got_b}, storm {total}")

        # The fleet rate over the window, times the window, is the storm's increase, up to what
        # Prometheus extrapolates: toward the window's end by at most 1.1 scrape intervals, toward
        # its start by at most the primed count's share (the first sample holds 1 of each 1 + N).
        # Rates only grow while the storm stays in the window: wait for them to reach it.
        window = int(re.fullmatch(r"(\d+)m", cfg["rateInterval"]).group(1)) * 60

        def rates_arrived():
            got = {h: v * window for h, v in fleet(fleet_rate).items()}
            return got if all(got.get(h, 0) >= increase[h] - 1e-6 for h in increase) else None
        rates = wait_until(60, f"the global {fleet_rate} x {window}s to reach the storm {increase}", rates_arrived)
        sampled = time.monotonic() - primed_at
        bound = 1 + (1.1 * INTERVAL + 1) / sampled
        for h, v in rates.items():
            if v > increase[h] * bound:
                raise Failure(f"global {fleet_rate}{{comm={comm[h]}}} x {window}s = {v:.1f}, above the storm "
                              f"{increase[h]} x {bound:.3f} (samples over {sampled:.0f}s)")
        worst = max(rates[h] / increase[h] for h in rates)

        # --- the global holds recorded aggregates only -------------------------------------------
        present = {s["metric"]["__name__"] for s in world.query('count by (__name__) ({__name__=~".+"})')}
        federate_job = yaml.safe_load(open(os.path.join(PROMETHEUS_DIR, "federate.yml")))["scrape_configs"][0]["job_name"]
        scrape_series = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added",
                         "scrape_samples_post_metric_relabeling"}
        fleet_names = {r["record"] for g in yaml.safe_load(open(os.path.join(PROMETHEUS_DIR, "rules.yml")))["groups"]
                       if g["name"] == "exec-exporter-fleet.rules" for r in g["rules"]}
        federated = set(mixin.federated())
        stray = present - federated - fleet_names - scrape_series
        if stray:
            raise Failure(f"the global holds series that are not recorded aggregates: {sorted(stray)}")
        not_yet = {recorded[k] for k in ("exits", "failures", "lifetimeBuckets")}  # no exporter exports them yet
        missing = federated - not_yet - present
        if missing:
            raise Failure(f"the global lacks federated series {sorted(missing)}")
        jobs = world.by("up", "job")
        if set(jobs) != {federate_job}:
            raise Failure(f"the global scrapes {sorted(jobs)}, not only {federate_job}")

        # --- rules healthy, dashboards answered ----------------------------------------------------
        for prom in (region_a, region_b, world):
            bad = [f"{r['name']}: {r.get('lastError', r['health'])}" for g in prom.api("rules")["groups"]
                   for r in g["rules"] if r["health"] != "ok"]
            if bad:
                raise Failure(f"{prom.name}: rules fail: {'; '.join(bad)}")
        for prom in (world, region_a):
            out = subprocess.run([sys.executable, os.path.join(HERE, "dashboard_queries.py"),
                                  os.path.join(DASHBOARDS, "exec-exporter-fleet.json"), prom.base, cfg["jobName"], "60"],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                raise Failure(f"fleet dashboard on {prom.name}: {'; '.join(out.stdout.splitlines())}")

        # --- sizing: one host --------------------------------------------------------------------
        shapes = {h: scrape_shape(e["port"]) for h, e in exporters.items()}
        scraped = {}
        for metric in ("scrape_samples_scraped", "scrape_body_size_bytes"):
            scraped[metric] = region_a.by(f'{metric}{{instance="{exporters["a"]["target"]}"}}', "instance")
        host = shapes["a"]
        host["prometheus_samples"] = next(iter(scraped["scrape_samples_scraped"].values()))
        host["prometheus_bytes"] = next(iter(scraped["scrape_body_size_bytes"].values()))
        host["exporter_rss"] = rss_bytes(exporters["a"]["process"].pid)
        recorded_series = {name: len(world.query(name)) for name in sorted(federated - not_yet)}

        # --- sizing: what a series costs a Prometheus ----------------------------------------------
        sizing = Prometheus("sizing", work, {"global": {"scrape_interval": "2s"}, "scrape_configs": []},
                            ["--web.enable-lifecycle"])
        processes.append(sizing.process)
        wait_until(60, "the sizing Prometheus", lambda: http_get(f"{sizing.base}/-/ready")[0] == 200)
        time.sleep(5)
        before = sizing.own_metrics()
        sizing.write_config({"global": {"scrape_interval": "2s"}, "scrape_configs": [{
            "job_name": "sizing",
            "static_configs": [{"targets": [e["target"]], "labels": {"alias": str(k)}}
                               for e in exporters.values() for k in range(SIZING_ALIASES)],
        }]})
        urllib.request.urlopen(urllib.request.Request(f"{sizing.base}/-/reload", method="POST"), timeout=30)
        targets = 3 * SIZING_ALIASES
        wait_until(60, "the sizing Prometheus to scrape its targets",
                   lambda: sizing.query('count(up{job="sizing"} == 1)') and
                   float(sizing.query('count(up{job="sizing"} == 1)')[0]["value"][1]) == targets)
        time.sleep(SIZING_SECONDS)
        after = sizing.own_metrics()
        series = after["prometheus_tsdb_head_series"] - before["prometheus_tsdb_head_series"]
        per_series = {k: (after[k] - before[k]) / series
                      for k in ("process_resident_memory_bytes", "go_memstats_heap_inuse_bytes")}
        memory = {p.name: p.own_metrics() for p in (region_a, region_b, world)}

        report = sizing_report(host, per_series, series, targets, before, after, memory, recorded_series)
        if os.environ.get("SIZING_REPORT"):
            with open(os.environ["SIZING_REPORT"], "w") as f:
                f.write(report)
        print(report, file=sys.stderr)
        print(f"storms {executed} arrived exactly in the global {fleet_total}; {fleet_rate} x {window}s within "
              f"{(worst - 1) * 100:.1f}% above them; the global holds {len(present)} recorded names only; "
              f"one host: {host['prometheus_samples']:.0f} samples, {host['prometheus_bytes']:.0f} bytes per scrape; "
              f"{per_series['process_resident_memory_bytes']:.0f} bytes of Prometheus RSS per series")
    except Failure as e:
        print(e)
        sys.exit(1)
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def sizing_report(host, per_series, series, targets, before, after, memory, recorded_series):
    fixed = host["samples"] - host["comm_samples"]
    per_comm = host["comm_samples"] / max(host["comms"], 1)
    fixed_bytes = host["bytes"] - host["comm_bytes"]
    per_comm_bytes = host["comm_bytes"] / max(host["comms"], 1)
    gzip_ratio = host["gzip_bytes"] / host["bytes"]
    rss = per_series["process_resident_memory_bytes"]
    lines = [
        f"One host at defaults ({host['comms']} comms with a series): {host['prometheus_samples']:.0f} samples "
        f"per scrape as Prometheus counted them (scrape_samples_scraped), {host['prometheus_bytes']:.0f} bytes "
        f"(scrape_body_size_bytes), {host['gzip_bytes']} bytes gzipped; {fixed} samples and {fixed_bytes} bytes "
        f"whatever the comms, {per_comm:.1f} samples and {per_comm_bytes:.0f} bytes per comm; exporter RSS "
        f"{host['exporter_rss'] / 2**20:.0f} MiB.",
        f"A Prometheus scraping {targets} targets: head series {before['prometheus_tsdb_head_series']:.0f} -> "
        f"{after['prometheus_tsdb_head_series']:.0f}, RSS {before['process_resident_memory_bytes'] / 2**20:.0f} -> "
        f"{after['process_resident_memory_bytes'] / 2**20:.0f} MiB, heap in use "
        f"{before['go_memstats_heap_inuse_bytes'] / 2**20:.0f} -> {after['go_memstats_heap_inuse_bytes'] / 2**20:.0f} MiB: "
        f"{rss:.0f} bytes of RSS and {per_series['go_memstats_heap_inuse_bytes']:.0f} of heap per series "
        f"after {SIZING_SECONDS}s of 2s scrapes.",
        "Test servers: " + ", ".join(f"{n} {m['prometheus_tsdb_head_series']:.0f} series, "
                                     f"{m['process_resident_memory_bytes'] / 2**20:.0f} MiB RSS" for n, m in memory.items()),
        "Recorded series at the global (3 hosts, 2 regions): " + ", ".join(f"{n} {c}" for n, c in recorded_series.items()),
        "",
        "| hosts | comms per host | series | samples/s at 15 s | scraped bytes/s (gzip) | Prometheus memory |",
        "|---|---|---|---|---|---|",
    ]
    for hosts in (1000, 10000):
        for comms in (host["comms"], 100, 500):
            per_host = fixed + per_comm * comms
            size = fixed_bytes + per_comm_bytes * comms
            total = hosts * per_host
            lines.append(f"| {hosts:,} | {comms} | {total:,.0f} | {total / 15:,.0f} | "
                         f"{hosts * size / 15 / 2**20:,.1f} MiB ({hosts * size * gzip_ratio / 15 / 2**20:,.1f} MiB) | "
                         f"{total * rss / 2**30:,.1f} GiB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
