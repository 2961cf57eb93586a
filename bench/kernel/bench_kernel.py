#!/usr/bin/env python3
"""Kernel-side cost of tracing process exits and failed execs, measured in alternating runs.

Phases (--phases, default all): syscalls, exits, facts.
1. Failed execs need a hook on system call exit. Three ways, each against no tracer, on a tight loop
   of getppid() (spin): an empty tp_btf/sys_exit program (the price of hooking sys_exit at all),
   the filtered tp_btf/sys_exit program (fail_btf: leaves at once unless execve/execveat failed), and
   the classic tracepoints syscalls/sys_exit_execve + sys_exit_execveat (tracefs mounted in a private
   mount namespace). Each tracer run sits between two no-tracer runs; its ratio is its ns per call
   over their mean, in CPU time (steadier than wall time on a shared machine; both are reported).
2. Exits: tp_btf/sched_process_exit, empty (exit_null), the filter alone (exit_filter), one record per
   exit through the perf rings (exit_ring), aggregated in a BPF hash map (exit_map), against no tracer,
   on an exec storm (execstorm of noop: every process execs and exits), the same way.
   In both phases, with the kernel's BPF statistics on (BPF_ENABLE_STATS, held by the loader only
   while it runs), each program a few more times: run_time_ns / run_cnt; and exactness: records (or
   map counts) against the storm's own counts, failures against execfail's.
3. Facts the design rests on: group_dead against signal->live == 0 on threads that exit at once,
   the lifetime of a sleeper, the failed execs of one PATH search.

Prints a Markdown section; --output writes it to a file as well. Run as root: bench/kernel/run.sh.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "target", "bench-kernel")
NATIVE = os.path.join(ROOT, "target", "test-native")
LOADER = os.path.join(OUT, "loader")
OBJECT = os.path.join(OUT, "exit_fail.bpf.o")
SPIN = os.path.join(OUT, "spin")
TRACEFS = ["unshare", "-m", "--propagation", "private", "sh", "-c",
           "grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts || "
           "mount -t tracefs tracefs /sys/kernel/tracing || exit 98; exec \"$@\"", "sh"]

# Indexes of the programs' own counters (enum stat in exit_fail.bpf.c).
STAT_EXIT_RUNS, STAT_GROUP_DEAD, STAT_LIVE_ZERO, STAT_EXITS, STAT_FAILURES, STAT_OUTPUT_ERRORS, STAT_MAP_FULL = range(7)
RECORD_EXIT, RECORD_EXEC_FAILURE = 2, 3
ENOENT, EACCES, ENOEXEC = 2, 13, 8

SYSCALL_CONFIGS = [
    ("tp_btf/sys_exit, empty program", ["sysexit_null"], False),
    ("tp_btf/sys_exit, filtered (fail_btf)", ["fail_btf"], False),
    ("tracepoint syscalls/sys_exit_execve(at)", ["fail_tp_execve", "fail_tp_execveat"], True),
]
HOOKS = {"empty": 0, "btf": 1, "classic": 2}  # --hooks: which of SYSCALL_CONFIGS to measure
EXIT_CONFIGS = [
    ("sched_process_exit, empty program", ["exit_null"], False),
    ("the filter and reads alone, no output (exit_filter)", ["exit_filter"], False),
    ("exit records through the perf rings (exit_ring)", ["exit_ring"], False),
    ("exit_ring, reader woken every 1,024 records", ["--wakeup", "1024", "exit_ring"], False),
    ("aggregated in a BPF hash map (exit_map)", ["exit_map"], False),
]
EXIT_RING = EXIT_CONFIGS[2]
FAIL_BTF = SYSCALL_CONFIGS[1]
PHASES = ("syscalls", "exits", "facts")


class Loader:
    """bench/kernel/loader with some programs attached; stop() returns its JSON report. `programs` may
    start with loader options (--wakeup N)."""

    def __init__(self, programs, tracefs=False, stats=False):
        options = [p for p in programs if p.startswith("--") or p.isdigit()]
        programs = [p for p in programs if p not in options]
        command = ((TRACEFS if tracefs else []) + [LOADER] + (["--stats"] if stats else []) + options + [OBJECT]
                   + programs)
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            self.proc.kill()
            _, err = self.proc.communicate()
            raise RuntimeError(f"loader {' '.join(programs)} did not attach: {line!r} {err.strip()}")

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=60)
        if self.proc.returncode != 0:
            raise RuntimeError(f"loader failed: {err.strip()}")
        return json.loads(out.strip().splitlines()[-1])


OUR_PROGRAMS = {"exit_ring", "exit_map", "exit_null", "exit_filter", "exit_live", "fail_btf", "sysexit_null",
                "fail_tp_execve", "fail_tp_execveat"}


def loaded_programs():
    """Names of the BPF programs loaded on the host (bpftool truncates names to 15 bytes)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], check=True, capture_output=True, text=True).stdout
    return [p.get("name", "?") for p in json.loads(out or "[]")]


STATS_ON_RUNS = [0]  # tracer runs of the paired rounds that found kernel.bpf_stats_enabled on


def bpf_stats_sysctl():
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        return f.read().strip()


def spin(calls):
    out = subprocess.run([SPIN, str(calls)], check=True, capture_output=True, text=True).stdout.split()
    return {"wall": float(out[0]), "cpu": float(out[1])}


def storm(names, count, workers, tmp):
    """execstorm of noop under `names`; returns the rate and the per-name exec counts."""
    out = subprocess.run([os.path.join(NATIVE, "execstorm"), "--binary", os.path.join(NATIVE, "noop"),
                          "--dir", tmp, "--workers", str(workers), "--count", str(count)]
                         + [n.encode().hex() for n in names], check=True, capture_output=True, text=True).stdout
    counts, total, seconds, failed = {}, 0, 0.0, 0
    for line in out.splitlines():
        parts = line.split()
        if parts[0] == "name":
            counts[bytes.fromhex(parts[1]).decode()] = int(parts[2])
        elif parts[0] == "total":
            total, failed, seconds = int(parts[1]), int(parts[3]), float(parts[5])
    if failed:
        raise RuntimeError(f"execstorm: {failed} execs failed")
    return {"rate": total / seconds, "total": total, "counts": counts}


def with_tracer(config, measure, stats=False):
    _, programs, tracefs = config
    loader = Loader(programs, tracefs, stats)
    try:
        result = measure()
    finally:
        report = loader.stop()
    return result, report


def paired_rounds(configs, rounds, measure, key):
    """Each tracer run between two no-tracer runs, order rotated by round; ratios per config."""
    results = {c[0]: [] for c in configs}
    none_runs = []
    for r in range(rounds):
        order = configs[r % len(configs):] + configs[:r % len(configs)]
        before = measure()
        none_runs.append(before)
        for config in order:
            if bpf_stats_sysctl() != "0":
                # someone else's setting: every program run then also pays for its own timing
                STATS_ON_RUNS[0] += 1
            value, _ = with_tracer(config, measure)
            after = measure()
            none_runs.append(after)
            entry = {}
            for k in key:
                base = (before[k] + after[k]) / 2
                entry[k] = value[k]
                entry[k + "_ratio"] = value[k] / base
            results[config[0]].append(entry)
            before = after
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    return none_runs, results


def summary(values):
    return statistics.median(values), min(values), max(values)


def fmt_ratio(values):
    med, lo, hi = summary(values)
    return f"{med:.3f} ({lo:.3f}–{hi:.3f})"


def best_of(runs, none_runs, key, lowest):
    """The best run of a tracer over the best run without one: interference only ever makes a run
    slower, so the best runs are the nearest to the intrinsic cost."""
    pick = min if lowest else max
    return pick(r[key] for r in runs) / pick(r[key] for r in none_runs)


def fmt_ns(values):
    med, lo, hi = summary(values)
    return f"{med:.0f} ({lo:.0f}–{hi:.0f})"


def records(report, kind, comms):
    return [r for r in report["records"] if r["kind"] == kind and r["comm"] in comms]


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({model}), kernel {platform.release()}"


def syscalls_phase(args):
    configs = [SYSCALL_CONFIGS[HOOKS[h]] for h in args.hooks.split(",")]
    spin(args.calls)  # warm-up
    none_runs, results = paired_rounds(configs, args.rounds, lambda: spin(args.calls), ["cpu", "wall"])
    stats = {c[0]: [] for c in configs}
    for _ in range(args.stats_rounds):
        for config in configs:
            def load():
                spin(args.calls)
                return subprocess.run([os.path.join(NATIVE, "execfail"), "70", "50", "20"], capture_output=True,
                                      text=True, check=True).stdout
            out, report = with_tracer(config, load, stats=True)
            stats[config[0]].append((report, out))

    lines = ["### System call exit hooks (failed execs)", "",
             f"`spin`: {args.calls:,} getppid() calls in a tight loop; ns per call in the thread's CPU time "
             "(wall time in brackets). Best of: the fastest tracer run over the fastest run without one. "
             "Stats pass: the same loop, then 140 failing execve calls "
             f"(execfail 70 50 20), with BPF statistics on, {args.stats_rounds} times per hook: BPF runs and ns per "
             "run median (min–max), failures summed.", "",
             "| hook | ns/call (median) | slowdown, CPU time | best of | slowdown, wall time | BPF runs | BPF ns/run | "
             "failures recorded / made |", "|---|---|---|---|---|---|---|---|"]
    none_cpu = statistics.median(r["cpu"] for r in none_runs)
    none_wall = statistics.median(r["wall"] for r in none_runs)
    lines.append(f"| none | {none_cpu:.1f} ({none_wall:.1f}) | 1 | 1 | 1 | — | — | — |")
    for name, _, _ in configs:
        runs = results[name]
        per_run, recorded, made, run_counts = [], 0, 0, []
        for report, out in stats[name]:
            progs = report["progs"].values()
            run_cnt = sum(p["run_cnt"] for p in progs)
            per_run.append(sum(p["run_time_ns"] for p in progs) / max(run_cnt, 1))
            run_counts.append(run_cnt)
            recorded += sum(r["count"] for r in records(report, RECORD_EXEC_FAILURE, {"execfail"}))
            made += sum(int(x) for x in out.split()[1::2])
        exact = f"{recorded} / {made}" if "empty" not in name else "—"
        lines.append(f"| {name} | {statistics.median(r['cpu'] for r in runs):.1f} "
                     f"({statistics.median(r['wall'] for r in runs):.1f}) | {fmt_ratio([r['cpu_ratio'] for r in runs])} | "
                     f"{best_of(runs, none_runs, 'cpu', True):.3f} | {fmt_ratio([r['wall_ratio'] for r in runs])} | "
                     f"{statistics.median(run_counts):,.0f} | {fmt_ns(per_run)} | {exact} |")
    return lines + [""]


def exits_phase(args, tmp):
    names = [f"kx{i}" for i in range(8)]
    storm(names, args.storm // 4, args.workers, tmp)  # warm-up
    none_runs, results = paired_rounds(EXIT_CONFIGS, args.rounds,
                                       lambda: storm(names, args.storm, args.workers, tmp), ["rate"])
    stats = {c[0]: [] for c in EXIT_CONFIGS}
    for _ in range(args.stats_rounds):
        for config in EXIT_CONFIGS:
            counts, report = with_tracer(config, lambda: storm(names, args.storm, args.workers, tmp), stats=True)
            stats[config[0]].append((report, counts))

    lines = ["### Process exit (sched_process_exit)", "",
             f"`execstorm`: {args.storm:,} execs of a static no-op by {args.workers} workers (posix_spawn + wait), "
             "every process exec'd; exec rate (higher is better); best of: the fastest tracer run over the fastest "
             f"run without one. Stats pass: {args.stats_rounds} more storms per program with BPF statistics on, "
             "ns per run median (min–max); exact: in every one, records (or map counts) for the storm's names "
             "equal its own counts.", "",
             "| tracer | execs/s (median) | rate ratio to none | best of | BPF ns/run | exits counted | exact | lost |",
             "|---|---|---|---|---|---|---|---|",
             f"| none | {statistics.median(r['rate'] for r in none_runs):,.0f} | 1 | 1 | — | — | — | — |"]
    for name, _, _ in EXIT_CONFIGS:
        runs = results[name]
        per_run, counted, exact, lost = [], 0, [], 0
        for report, counts in stats[name]:
            prog = next(iter(report["progs"].values()))
            per_run.append(prog["run_time_ns"] / max(prog["run_cnt"], 1))
            counted += report["stats"][STAT_EXITS]
            lost += report["lost"]
            if "exit_ring" in name:  # both exit_ring rows
                got = sum(r["count"] for r in records(report, RECORD_EXIT, set(names)))
            elif "exit_map" in name:
                got = sum(m["count"] for m in report["map"] if m["comm"] in names)
            else:
                continue
            exact.append(got == counts["total"])
        lines.append(f"| {name} | {statistics.median(r['rate'] for r in runs):,.0f} | "
                     f"{fmt_ratio([r['rate_ratio'] for r in runs])} | {best_of(runs, none_runs, 'rate', False):.3f} | "
                     f"{fmt_ns(per_run)} | {counted:,} | {'—' if not exact else ('yes' if all(exact) else 'no')} | "
                     f"{lost} |")
    return lines + [""]


def facts_phase(tmp):
    threads = shutil.copy(os.path.join(NATIVE, "threads"), os.path.join(tmp, "kxthreads"))
    sleeper = shutil.copy(os.path.join(NATIVE, "sleeper"), os.path.join(tmp, "kxsleeper"))

    def facts():
        for _ in range(100):
            for mode in ("before", "after"):
                if subprocess.run([threads, mode, "64", "4"]).returncode != 4:
                    raise RuntimeError(f"threads {mode} 64 4 did not exit 4")
        for _ in range(3):
            subprocess.run([sleeper, "1000"], check=True)
    _, report = with_tracer(EXIT_RING, facts)
    _, live_report = with_tracer(("exit_live", ["exit_live"], False), facts)

    def path_search():
        env = dict(os.environ, PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        for _ in range(10):
            subprocess.run(["/usr/bin/env", "true"], check=True, env=env)
    _, path_report = with_tracer(FAIL_BTF, path_search)

    host = report["stats"]
    thread_exits = records(report, RECORD_EXIT, {"kxthreads"})
    live_exits = records(live_report, RECORD_EXIT, {"kxthreads"})
    sleeps = records(report, RECORD_EXIT, {"kxsleeper"})
    env_fails = records(path_report, RECORD_EXEC_FAILURE, {"env"})
    lifetimes = ", ".join(f"{r['lifetime_min_ns'] / 1e9:.4f}–{r['lifetime_max_ns'] / 1e9:.4f} s" for r in sleeps)
    return ["### Facts the design rests on", "",
            f"- 100 runs each of `threads before 64 4` and `threads after 64 4` (65 threads; the leader exits last, "
            f"or first and then the threads, killed by the last one's exit_group): exit records with the "
            f"tracepoint's group_dead: {sum(r['count'] for r in thread_exits)}, status "
            f"{sorted({r['value'] for r in thread_exits})} (what waitpid reports: 4 << 8 = 1024); with "
            f"signal->live == 0 instead (kernels without group_dead): {sum(r['count'] for r in live_exits)}. "
            f"Over the whole host during the group_dead run: group_dead true {host[STAT_GROUP_DEAD]:,} times, "
            f"signal->live read 0 {host[STAT_LIVE_ZERO]:,} times in {host[STAT_EXIT_RUNS]:,} thread exits.",
            f"- sleeper 1000 (3 runs): lifetimes {lifetimes} (task->start_time and bpf_ktime_get_ns() are both "
            "CLOCK_MONOTONIC).",
            f"- 10 runs of `/usr/bin/env true` with the Debian default PATH: "
            f"{sum(r['count'] for r in env_fails)} failed execs recorded for comm env "
            f"(errno {sorted({r['value'] for r in env_fails})}): execvp() tries each PATH directory in turn.", ""]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated, of: " + ", ".join(PHASES))
    parser.add_argument("--hooks", default=",".join(HOOKS),
                        help="syscalls phase: comma-separated, of: " + ", ".join(HOOKS))
    parser.add_argument("--rounds", type=int, default=9, help="paired rounds per phase (default 9)")
    parser.add_argument("--calls", type=int, default=3_000_000, help="getppid calls per run (default 3,000,000)")
    parser.add_argument("--storm", type=int, default=20_000, help="execs per storm (default 20,000)")
    parser.add_argument("--workers", type=int, default=2, help="execstorm workers (default 2)")
    parser.add_argument("--stats-rounds", type=int, default=3, help="runs per program with BPF stats (default 3)")
    parser.add_argument("--output", help="also write the Markdown section to this file")
    args = parser.parse_args()
    phases = args.phases.split(",")
    if any(p not in PHASES for p in phases):
        parser.error(f"--phases: not one of {', '.join(PHASES)}: {args.phases}")
    if any(h not in HOOKS for h in args.hooks.split(",")):
        parser.error(f"--hooks: not one of {', '.join(HOOKS)}: {args.hooks}")
    if os.geteuid() != 0:
        sys.exit("bench_kernel: run as root (BPF)")

    # A tracer of ours left attached (a crashed run) would slow every "none" run and hide the costs.
    others = loaded_programs()
    stale = sorted({n for n in others if n in {o[:15] for o in OUR_PROGRAMS}})
    if stale:
        sys.exit(f"bench_kernel: programs of this benchmark are still loaded ({', '.join(stale)}): "
                 "stop their loader first (bpftool prog show)")

    started = datetime.datetime.now(datetime.timezone.utc)
    loadavg = " ".join(open("/proc/loadavg").read().split()[:3])
    lines = [f"## Exits and failed execs: kernel-side cost ({started:%Y-%m-%d})", "",
             f"- date: {started:%Y-%m-%d %H:%M} UTC; machine: {machine()}",
             f"- load average at start: {loadavg}; the machine is shared and noisy: compare within a run",
             f"- other BPF programs loaded at start: {len(others)} ({', '.join(sorted(set(others))) or 'none'})",
             f"- command: `bench/kernel/run.sh{''.join(' ' + a for a in sys.argv[1:])}`",
             f"- {args.rounds} paired rounds per table: every tracer run sits between two runs with no tracer, "
             "order rotated by round; a ratio is the tracer run over the mean of its two neighbours; "
             "median (min–max) over rounds", ""]
    tmp = tempfile.mkdtemp(prefix="bench-kernel.")
    try:
        if "syscalls" in phases:
            lines += syscalls_phase(args)
        if "exits" in phases:
            lines += exits_phase(args, tmp)
        if "facts" in phases:
            lines += facts_phase(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines.append(f"Load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}. Tracer runs of the "
                 f"paired rounds that found kernel.bpf_stats_enabled on (set by someone else; the programs' run time "
                 f"then includes timing themselves): {STATS_ON_RUNS[0]}.")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
