package org.execexporter.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.execexporter.attribution.Attribution;
import org.execexporter.attribution.CgroupResolver;
import org.execexporter.attribution.UserNames;
import org.execexporter.capture.CaptureStats;
import org.execexporter.pipeline.SeriesTable;
import org.execexporter.pipeline.ExecQueue;

/**
 * The exporter's own health, all present at 0 from the first scrape and read at scrape time:
 * losses in the kernel rings, drops at the queue, overflow and filtering of series, queue depth,
 * the series budget, the lookups behind the attribution labels, which collectors run, and the BPF
 * program's own cost from the kernel's program stats.
 */
public final class ExporterHealth {
    /** How long one read of the capture's stats serves a scrape's several meters. */
    private static final long STATS_TTL_NANOS = 100_000_000L;

    private final Supplier<CaptureStats> source;
    private CaptureStats cached;
    private long cachedAt;

    private ExporterHealth(Supplier<CaptureStats> source) {
        this.source = source;
    }

    /**
     * Registers the health meters. Micrometer holds the objects of function meters weakly: keep
     * the returned object, the queue and the table referenced for as long as the registry serves.
     */
    public static ExporterHealth register(MeterRegistry registry, Supplier<CaptureStats> captureStats, ExecQueue queue,
                                SeriesTable table) {
        return register(registry, captureStats, queue, table, Attribution.none(), Map.of("exec", true));
    }

    /**
     * @param attribution where the attribution labels' values come from: its cgroup and user
     *                    lookups are counted (0 when no label needs them)
     * @param collectors  each collector's name and whether it runs, for exec_exporter_collector_enabled
     */
    public static ExporterHealth register(MeterRegistry registry, Supplier<CaptureStats> captureStats, ExecQueue queue,
                                SeriesTable table, Attribution attribution, Map<String, Boolean> collectors) {
        ExporterHealth h = new ExporterHealth(captureStats);
        h.counter(registry, "exec.exporter.lost.events",
                "Execs lost in the kernel because a per-CPU perf ring was full (raise bpf.ring_pages)",
                CaptureStats::lost);
        h.counter(registry, "exec.exporter.bpf.output.errors",
                "Failed perf outputs in the BPF program (a full ring shows here and in the lost events)",
                CaptureStats::kernelOutputErrors);
        h.counter(registry, "exec.exporter.decode.errors",
                "Ring records that could not be decoded (a bug if ever above 0)",
                s -> s.malformed() + s.overflow());
        h.counter(registry, "exec.exporter.bpf.execs.seen",
                "Execs the BPF program ran for", CaptureStats::kernelSeen);
        h.counter(registry, "exec.exporter.bpf.exits.seen",
                "Ended processes that had exec'd, seen by the BPF exit program (0 with --no-collector.exits)",
                CaptureStats::kernelExitsSeen);
        h.counter(registry, "exec.exporter.bpf.failures.seen",
                "Failed execve/execveat calls seen by the BPF failure program (0 unless collector.exec-failures runs)",
                CaptureStats::kernelFailsSeen);
        h.counter(registry, "exec.exporter.bpf.prog.runs",
                "Runs of the BPF program, from the kernel's program stats (0 unless kernel.bpf_stats_enabled=1)",
                CaptureStats::progRunCount);
        FunctionCounter.builder("exec.exporter.bpf.prog.run", h,
                        x -> Math.max(0, x.stats().progRunTimeNanos()) / 1e9)
                .description("Time spent in the BPF program, from the kernel's program stats "
                        + "(0 unless kernel.bpf_stats_enabled=1)")
                .baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder("exec.exporter.dropped.events", queue, ExecQueue::dropped)
                .description("Execs dropped because the queue from the ring pollers to the aggregator was full")
                .register(registry);
        FunctionCounter.builder("exec.exporter.overflow.events", table, SeriesTable::overflowed)
                .description("Execs counted in the overflow series (every label __overflow_comms__), because "
                        + "--metrics.max-series label combinations already had series")
                .register(registry);
        FunctionCounter.builder("exec.exporter.filtered.events", table, SeriesTable::filtered)
                .description("Execs and exits excluded by the allow or deny lists of a label, counted in no series")
                .register(registry);
        Gauge.builder("exec.exporter.queue.depth", queue, ExecQueue::depth)
                .description("Execs waiting in the queue for the aggregator")
                .register(registry);
        Gauge.builder("exec.exporter.queue.capacity", queue, ExecQueue::capacity)
                .description("Execs the queue holds before it drops (queue.capacity)")
                .register(registry);
        Gauge.builder("exec.exporter.series", table, SeriesTable::size)
                .description("Label combinations (comm and the labels of --metrics.labels) with a series of their own "
                        + "now, the overflow series not included")
                .register(registry);
        Gauge.builder("exec.exporter.series.limit", table, SeriesTable::maxSeries)
                .description("The most label combinations with a series of their own (--metrics.max-series)")
                .register(registry);
        CgroupResolver cgroups = attribution.cgroups();
        UserNames users = attribution.users();
        cgroupCounter(registry, cgroups, "exec.exporter.cgroup.unknown", "Label combinations worked out for a cgroup "
                + "id that neither the kernel's cgroup records nor a walk of the cgroup2 hierarchy named (gone before "
                + "it was looked up, or not found yet): unit, container and pod empty", CgroupResolver.Stats::unknown);
        cgroupCounter(registry, cgroups, "exec.exporter.cgroup.walks",
                "Walks of the cgroup2 hierarchy to find new cgroups (at most 5% of a core)", CgroupResolver.Stats::rescans);
        cgroupCounter(registry, cgroups, "exec.exporter.cgroup.walks.truncated",
                "Walks of the cgroup2 hierarchy cut short by their depth or entry limits",
                CgroupResolver.Stats::truncatedWalks);
        FunctionCounter.builder("exec.exporter.user.lookup.failures", attribution,
                        a -> users == null ? 0 : users.stats().failures())
                .description("User name lookups (nss) that failed; the uid was used as the user label")
                .register(registry);
        collectors.forEach((name, enabled) -> Gauge.builder("exec.exporter.collector.enabled", () -> enabled ? 1 : 0)
                .description("Whether a collector runs: exec (always), exits, exec_failures")
                .tag("collector", name)
                .register(registry));
        return h;
    }

    /** A counter of the cgroup resolver's stats; 0 while no label needs cgroups ({@code cgroups} null). */
    private static void cgroupCounter(MeterRegistry registry, CgroupResolver cgroups, String name, String help,
                                      ToLongFunction<CgroupResolver.Stats> value) {
        FunctionCounter.builder(name, registry, r -> cgroups == null ? 0 : value.applyAsLong(cgroups.stats()))
                .description(help)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String help, ToDoubleFunction<CaptureStats> value) {
        FunctionCounter.builder(name, this, x -> Math.max(0, value.applyAsDouble(x.stats())))
                .description(help)
                .register(registry);
    }

    /** One read of the capture serves all meters of a scrape; -1 (not known) reads as 0. */
    private synchronized CaptureStats stats() {
        long now = System.nanoTime();
        if (cached == null || now - cachedAt > STATS_TTL_NANOS) {
            cached = source.get();
            cachedAt = now;
        }
        return cached;
    }
}
