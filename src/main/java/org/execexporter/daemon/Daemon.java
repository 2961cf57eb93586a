package org.execexporter.daemon;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.channels.ServerSocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.execexporter.attribution.Attribution;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.base.BuildInfo;
import org.execexporter.capture.ExecEventSource;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigSource;
import org.execexporter.http.MetricsServer;
import org.execexporter.metrics.BuildInfoGauge;
import org.execexporter.metrics.ExecMetrics;
import org.execexporter.metrics.ConfigReloads;
import org.execexporter.metrics.ExporterHealth;
import org.execexporter.metrics.Registries;
import org.execexporter.pipeline.Aggregator;
import org.execexporter.pipeline.SeriesFilter;
import org.execexporter.pipeline.SeriesPolicy;
import org.execexporter.pipeline.SeriesTable;
import org.execexporter.pipeline.ExecQueue;

/**
 * The daemon's parts wired together: source → queue → aggregator → registry ← HTTP. The source is
 * the BPF capture in production and a fake in tests. Close stops them in order: HTTP first (no
 * scrape sees a half-closed capture), then the source (joins the pollers), then the aggregator.
 */
public final class Daemon implements AutoCloseable {
    private final DaemonConfig config;
    private final ExecEventSource source;
    private final BuildInfo build;
    private final PrometheusMeterRegistry registry;
    private final ExecQueue queue;
    private final SeriesTable table;
    private final Aggregator aggregator;
    @SuppressWarnings("unused") // held: Micrometer references function meters' objects weakly
    private final ExporterHealth health;
    private final ConfigReloads reloads;
    private MetricsServer server;
    private volatile boolean counting;
    private boolean closed;

    /**
     * @param attribution where the labels' values come from ({@link Attribution#none()}: comm alone)
     * @param collectors  each collector's name and whether it runs (exec_exporter_collector_enabled)
     * @param clock       CLOCK_MONOTONIC nanoseconds, the clock of the execs' kernel timestamps
     */
    public Daemon(DaemonConfig config, ExecEventSource source, Attribution attribution, Map<String, Boolean> collectors,
                  BuildInfo build, LongSupplier clock) {
        this(config, source, attribution, collectors, build, clock, System::currentTimeMillis);
    }

    /** Comm alone; the exec and exits collectors as configured (tests). */
    Daemon(DaemonConfig config, ExecEventSource source, BuildInfo build, LongSupplier clock) {
        this(config, source, Attribution.none(), collectorsOf(config.collector().exits(), false), build, clock,
                System::currentTimeMillis);
    }

    /** @param wallClockMillis the time of day, for the reload timestamp (fixed in the golden test) */
    Daemon(DaemonConfig config, ExecEventSource source, Attribution attribution, Map<String, Boolean> collectors,
           BuildInfo build, LongSupplier clock, LongSupplier wallClockMillis) {
        this.config = config;
        this.source = source;
        this.build = build;
        this.registry = Registries.prometheus();
        if (config.collector().jvm()) {
            Registries.bindProcessAndJvm(registry.getPrometheusRegistry());
        }
        BuildInfoGauge.register(registry, build);
        List<String> labelNames = SeriesTable.labelsOf(attribution).stream().map(AttributionLabel::labelName).toList();
        ExecMetrics meters = new ExecMetrics(registry, registry.getPrometheusRegistry(), labelNames,
                config.rate().buckets(), config.rate().perComm());
        this.queue = new ExecQueue(config.queue().capacity());
        if (attribution.cgroups() != null) {
            queue.learnCgroupsWith(attribution.cgroups()::learn); // paths from the kernel, ahead of their records
        }
        this.table = new SeriesTable(attribution, policy(config.metrics()), meters, clock.getAsLong());
        this.aggregator = new Aggregator(queue, table, meters,
                Aggregator.windowGraceFor(config.bpf().pollTimeout()), config.metrics().idleTimeout(), clock);
        meters.beforeHostScrape(aggregator::catchUp);
        this.health = ExporterHealth.register(registry, source::stats, queue, table, attribution, collectors);
        this.reloads = ConfigReloads.register(registry, wallClockMillis);
    }

    /** The names of exec_exporter_collector_enabled's collectors, with whether each runs. */
    public static Map<String, Boolean> collectorsOf(boolean exits, boolean execFailures) {
        Map<String, Boolean> collectors = new LinkedHashMap<>();
        collectors.put("exec", true);
        collectors.put("exits", exits);
        collectors.put("exec_failures", execFailures);
        return collectors;
    }

    private static SeriesPolicy policy(DaemonConfig.Metrics metrics) {
        return new SeriesPolicy(metrics.maxSeries(), metrics.idleTimeout(),
                new SeriesFilter(metrics.allow(), metrics.deny()), metrics.pinned());
    }

    /**
     * Applies the series settings of a reload (series budget, allow/deny, pinned comms, idle
     * timeout) while counting goes on: nothing is detached, no count restarts. The labels stay.
     */
    public void reconfigure(DaemonConfig.Metrics metrics) {
        aggregator.reconfigure(policy(metrics));
    }

    /** exec_exporter_config_last_reload_*: told of every reload of the config and web config files. */
    public ConfigReloads reloads() {
        return reloads;
    }

    /** Starts the aggregator thread, then the source's delivery into the queue. */
    public void startCounting() {
        startCounting(true);
    }

    /** Tests leave the thread out to step the aggregator themselves, or to stall it. */
    void startCounting(boolean aggregatorThread) {
        if (aggregatorThread) {
            aggregator.start();
        }
        source.start(queue);
        counting = true;
    }

    /** Starts HTTP (or HTTPS) as the web config says; throws IllegalStateException with one line on failure. */
    public MetricsServer serve(WebConfig web) {
        return serve(WebConfigSource.fixed(web), null);
    }

    /**
     * Starts HTTP (or HTTPS) on the configured addresses, or on {@code inherited} (socket
     * activation) if not null, taking the web config from {@code web} on every request and
     * handshake. Throws IllegalStateException with one line on failure.
     */
    public MetricsServer serve(WebConfigSource web, ServerSocketChannel inherited) {
        DaemonConfig.Web w = config.web();
        server = MetricsServer.start(MetricsServer.Options.of(w.listenAddresses(), inherited, w.telemetryPath(), web,
                        w.maxRequests()), registry, build,
                aggregator::isHealthy, () -> counting && aggregator.isHealthy());
        return server;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    Aggregator aggregator() {
        return aggregator;
    }

    ExecQueue queue() {
        return queue;
    }

    SeriesTable table() {
        return table;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        counting = false;
        if (server != null) {
            server.close();
        }
        source.close();
        aggregator.close();
        registry.close();
    }
}
