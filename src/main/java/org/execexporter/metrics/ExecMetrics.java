package org.execexporter.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import org.execexporter.pipeline.Series;
import org.execexporter.pipeline.ExecMeters;
import org.execexporter.pipeline.CodeCount;

/**
 * The exec metrics proper: per series (a label combination: comm, and the attribution labels
 * chosen), {@code exec_events_total} and the window histogram {@code exec_comm_window_events}; for
 * the host, {@code exec_host_window_events}; and how the series' processes end,
 * {@code exec_exits_total{...,status}} and {@code exec_process_lifetime_seconds} (registered on the
 * series' first exit, removed with it).
 *
 * <p>A window histogram observes, for each closed 1-second window, the number of execs in it: the
 * classic bucket {@code le="N"} counts the windows that had at most N execs. The per-comm histogram
 * observes only the windows in which that comm executed; the host-wide one observes every window,
 * zeros included, so its {@code _count} is the seconds observed.
 *
 * <p>The histograms are client_java's, registered in the registry under Micrometer's, because
 * Micrometer cannot make native histograms: a scrape that asks for protobuf gets each histogram
 * whole (native buckets, one series in Prometheus) with the classic buckets alongside; the text
 * formats carry the classic buckets only. The counter reads the aggregator's plain total at
 * scrape time: no per-exec work here.
 */
public final class ExecMetrics implements ExecMeters {
    static final String EVENTS = "exec.events";
    static final String COMM_WINDOW = "exec_comm_window_events";
    static final String HOST_WINDOW = "exec_host_window_events";
    static final String EXITS = "exec.exits";
    static final String FAILURES = "exec.failures";
    static final String LIFETIME = "exec_process_lifetime_seconds";
    /** Classic buckets of process lifetimes, 1 ms to 1 day: short enough for the series budget. */
    static final double[] LIFETIME_BUCKETS = {0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 86400};
    /**
     * Native buckets 2^(1/8) apart (schema 3): a quantile is within ±4.5% of the true count. A
     * histogram that would need more than {@link #NATIVE_MAX_BUCKETS} halves its resolution
     * instead; 64 covers 1 to 256 execs at schema 3, 1 to 65,536 at schema 1.
     */
    static final int NATIVE_SCHEMA = 3;
    static final int NATIVE_MAX_BUCKETS = 64;

    private final MeterRegistry registry;
    private final String[] labelNames;
    private final Histogram perComm;
    private final Histogram host;
    private final Histogram lifetime;
    private volatile Runnable beforeHostScrape = () -> { };

    /**
     * @param buckets the classic buckets' upper bounds
     * @param perComm false: no per-comm histogram, a comm's counter is its only series
     */
    public ExecMetrics(MeterRegistry registry, PrometheusRegistry prometheus, List<Double> buckets, boolean perComm) {
        this(registry, prometheus, List.of("comm"), buckets, perComm);
    }

    /**
     * @param labelNames the series' labels, in the order of {@link Series#labelValues()}
     * @param buckets    the classic buckets' upper bounds
     * @param perComm    false: no per-series window histogram, the counter is a combination's only series
     */
    public ExecMetrics(MeterRegistry registry, PrometheusRegistry prometheus, List<String> labelNames,
                       List<Double> buckets, boolean perComm) {
        this.registry = registry;
        this.labelNames = labelNames.toArray(String[]::new);
        double[] bounds = buckets.stream().mapToDouble(Double::doubleValue).toArray();
        this.host = histogram(HOST_WINDOW, "Execs on the whole host per 1-second window, observed for every "
                + "window (zeros included); bucket le=N counts the windows with at most N execs", bounds).build();
        prometheus.register(new Collector() {
            @Override
            public MetricSnapshot collect() {
                beforeHostScrape.run();
                return host.collect();
            }

            @Override
            public String getPrometheusName() {
                return HOST_WINDOW;
            }
        });
        this.perComm = !perComm ? null : histogram(COMM_WINDOW, "Execs of a comm per 1-second window, observed "
                + "for each window in which the comm executed; bucket le=N counts the windows with at most N execs",
                bounds).labelNames(this.labelNames).register(prometheus);
        this.lifetime = histogram(LIFETIME, "Lifetime of processes that exec'd, from their start (fork) to their "
                + "exit, by the comm they had at exit; observed once per process", LIFETIME_BUCKETS)
                .labelNames(this.labelNames).register(prometheus);
    }

    private static Histogram.Builder histogram(String name, String help, double[] bounds) {
        Histogram.Builder builder = Histogram.builder()
                .name(name)
                .help(help)
                .classicUpperBounds(bounds)
                .nativeInitialSchema(NATIVE_SCHEMA)
                .nativeMaxNumberOfBuckets(NATIVE_MAX_BUCKETS);
        builder.withoutExemplars(); // no trace context to sample, and no per-observation lookup for one
        return builder;
    }

    @Override
    public SeriesMeters register(Series series) {
        String[] values = series.labelValues();
        Tags tags = Tags.empty();
        for (int i = 0; i < labelNames.length; i++) {
            tags = tags.and(labelNames[i], values[i]);
        }
        Tags seriesTags = tags;
        FunctionCounter counter = FunctionCounter.builder(EVENTS, series, Series::total)
                .description("Successful execs per command name (comm: at most 15 bytes; bytes that are not "
                        + "printable UTF-8 shown as \\xNN, a backslash doubled) and the labels of --metrics.labels; "
                        + "every label __overflow_comms__: the combinations beyond --metrics.max-series")
                .tags(seriesTags)
                .register(registry);
        // made now, so that the series is there, at 0, from its first scrape
        DistributionDataPoint window = perComm == null ? null : perComm.labelValues(values);
        List<FunctionCounter> exits = new java.util.ArrayList<>(); // exits and failures; aggregator thread only
        return new SeriesMeters() {
            /** Made on the series' first exit (a series without exits has no lifetime series); then reused. */
            private DistributionDataPoint life;

            @Override
            public void observeWindow(long execs) {
                if (window != null) {
                    window.observe(execs);
                }
            }

            @Override
            public void registerExit(CodeCount count) {
                exits.add(FunctionCounter.builder(EXITS, count, CodeCount::total)
                        .description("Processes that exec'd and then exited, by comm at exit (and the labels of "
                                + "--metrics.labels) and status: the exit code in decimal, or the name of the signal "
                                + "that ended the process (SIGKILL, ...)")
                        .tags(seriesTags)
                        .tag("status", count.label())
                        .register(registry));
            }

            @Override
            public void registerFailure(CodeCount count) {
                exits.add(FunctionCounter.builder(FAILURES, count, CodeCount::total)
                        .description("execve and execveat calls that failed, by the caller's comm (and the labels of "
                                + "--metrics.labels) and errno (ENOENT, EACCES, ...); --collector.exec-failures")
                        .tags(seriesTags)
                        .tag("errno", count.label())
                        .register(registry));
            }

            @Override
            public void observeLifetime(long lifetimeNanos) {
                if (life == null) {
                    life = lifetime.labelValues(values);
                }
                life.observe(lifetimeNanos / 1e9);
            }

            @Override
            public void remove() {
                registry.remove(counter);
                exits.forEach(registry::remove);
                lifetime.remove(values);
                if (perComm != null) {
                    perComm.remove(values);
                }
            }
        };
    }

    /**
     * Runs before each scrape of the host histogram: the aggregator closes the empty windows it
     * lets wait while nothing happens, so the scrape sees every second up to now.
     */
    public void beforeHostScrape(Runnable catchUp) {
        this.beforeHostScrape = catchUp;
    }

    @Override
    public void observeHostWindow(long execs) {
        host.observe(execs);
    }
}
