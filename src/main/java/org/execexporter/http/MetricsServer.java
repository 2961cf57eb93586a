package org.execexporter.http;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.execexporter.config.ListenAddress;
import org.execexporter.metrics.BuildInfo;

/**
 * The HTTP side, a thin adapter over the registry: the telemetry path, a landing page at /,
 * /-/healthy (the aggregator runs) and /-/ready (execs are being counted).
 */
public final class MetricsServer implements AutoCloseable {
    private final Javalin app;
    private boolean closed;

    private MetricsServer(Javalin app) {
        this.app = app;
    }

    /**
     * Binds and starts serving. Throws IllegalStateException with one line when the address
     * cannot be bound (port in use, unknown host).
     */
    public static MetricsServer start(ListenAddress address, String telemetryPath, PrometheusMeterRegistry registry,
                                      BuildInfo build, BooleanSupplier healthy, BooleanSupplier ready) {
        String landing = LandingPage.html(build, telemetryPath);
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.disableCompression(); // /metrics compresses itself; nothing else is worth it
            QueuedThreadPool pool = new QueuedThreadPool(8, 2);
            pool.setName("http");
            pool.setDaemon(true);
            config.jetty.threadPool = pool;
        });
        app.get(telemetryPath, new ScrapeHandler(registry));
        app.get("/", ctx -> ctx.html(landing));
        app.get("/-/healthy", ctx -> status(ctx, healthy.getAsBoolean(), "Healthy", "Unhealthy"));
        app.get("/-/ready", ctx -> status(ctx, ready.getAsBoolean(), "Ready", "Not ready"));
        try {
            if (address.anyHost()) {
                app.start(address.port());
            } else {
                app.start(address.host(), address.port());
            }
        } catch (RuntimeException e) {
            app.stop();
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new IllegalStateException("failed to listen on " + address + ": " + cause.getMessage(), e);
        }
        return new MetricsServer(app);
    }

    private static void status(io.javalin.http.Context ctx, boolean ok, String yes, String no) {
        ctx.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).result(ok ? yes : no);
    }

    /** The bound port: the configured one, or the one chosen for port 0. */
    public int port() {
        return app.port();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            app.stop();
        }
    }
}
