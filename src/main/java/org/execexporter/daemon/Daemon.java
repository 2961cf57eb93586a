package org.execexporter.daemon;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.LongSupplier;
import org.execexporter.capture.ExecEventSource;
import org.execexporter.config.DaemonConfig;
import org.execexporter.http.MetricsServer;
import org.execexporter.metrics.BuildInfo;
import org.execexporter.metrics.CommMeters;
import org.execexporter.metrics.ExporterHealth;
import org.execexporter.metrics.Registries;
import org.execexporter.pipeline.Aggregator;
import org.execexporter.pipeline.CommFilter;
import org.execexporter.pipeline.CommTable;
import org.execexporter.pipeline.ExecQueue;
import org.execexporter.web.WebConfig;

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
    private final CommTable table;
    private final Aggregator aggregator;
    @SuppressWarnings("unused") // held: Micrometer references function meters' objects weakly
    private final ExporterHealth health;
    private MetricsServer server;
    private volatile boolean counting;
    private boolean closed;

    /** @param clock CLOCK_MONOTONIC nanoseconds, the clock of the execs' kernel timestamps */
    public Daemon(DaemonConfig config, ExecEventSource source, BuildInfo build, LongSupplier clock) {
        this.config = config;
        this.source = source;
        this.build = build;
        this.registry = Registries.prometheus();
        if (config.collector().jvm()) {
            Registries.bindProcessAndJvm(registry.getPrometheusRegistry());
        }
        build.register(registry);
        CommMeters meters = new CommMeters(registry, registry.getPrometheusRegistry(), config.rate().buckets(),
                config.rate().perComm());
        this.queue = new ExecQueue(config.queue().capacity());
        this.table = new CommTable(config.comm().maxSeries(),
                new CommFilter(config.comm().allow(), config.comm().deny()), meters, clock.getAsLong());
        this.aggregator = new Aggregator(queue, table, meters,
                Aggregator.windowGraceFor(config.bpf().pollTimeout()), config.comm().idleTimeout(), clock);
        meters.beforeHostScrape(aggregator::catchUp);
        this.health = ExporterHealth.register(registry, source::stats, queue, table);
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

    /** Starts plain HTTP on the configured address; throws IllegalStateException with one line on failure. */
    public MetricsServer serve() {
        return serve(WebConfig.open());
    }

    /** Starts HTTP (or HTTPS) as the web config says; throws IllegalStateException with one line on failure. */
    public MetricsServer serve(WebConfig web) {
        DaemonConfig.Web w = config.web();
        server = MetricsServer.start(new MetricsServer.Options(w.listenAddress(), w.telemetryPath(), web,
                        w.maxRequests(), MetricsServer.DEFAULT_IDLE_TIMEOUT), registry, build,
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

    CommTable table() {
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
