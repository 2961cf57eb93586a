package org.execexporter.http;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.execexporter.config.ListenAddress;
import org.execexporter.metrics.BuildInfo;
import org.execexporter.web.BasicAuth;
import org.execexporter.web.WebConfig;

/**
 * The HTTP side, a thin adapter over the registry: the telemetry path, a landing page at /,
 * /-/healthy (the aggregator runs) and /-/ready (execs are being counted); TLS, basic auth,
 * headers and the limit on requests in flight from the web config, on every path.
 */
public final class MetricsServer implements AutoCloseable {
    /** exporter-toolkit's default for --web.max-requests. */
    public static final int DEFAULT_MAX_REQUESTS = 40;
    /**
     * A connection that sends nothing, or does not read what it is sent, for this long is closed,
     * so a client that never reads cannot hold a thread (and a request permit) for longer.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final Javalin app;
    private final boolean tls;
    private boolean closed;

    private MetricsServer(Javalin app, boolean tls) {
        this.app = app;
        this.tls = tls;
    }

    /**
     * How to serve.
     *
     * @param maxRequests requests handled at once; beyond, 503 at once. 0: no limit
     */
    public record Options(ListenAddress address, String telemetryPath, WebConfig web, int maxRequests,
                          Duration idleTimeout) {
        public static Options plain(ListenAddress address, String telemetryPath) {
            return new Options(address, telemetryPath, WebConfig.open(), DEFAULT_MAX_REQUESTS, DEFAULT_IDLE_TIMEOUT);
        }
    }

    /** Plain HTTP with the default limits. */
    public static MetricsServer start(ListenAddress address, String telemetryPath, PrometheusMeterRegistry registry,
                                      BuildInfo build, BooleanSupplier healthy, BooleanSupplier ready) {
        return start(Options.plain(address, telemetryPath), registry, build, healthy, ready);
    }

    /**
     * Binds and starts serving. Throws IllegalStateException with one line when the address
     * cannot be bound (port in use, unknown host).
     */
    public static MetricsServer start(Options options, PrometheusMeterRegistry registry, BuildInfo build,
                                      BooleanSupplier healthy, BooleanSupplier ready) {
        ListenAddress address = options.address();
        WebConfig web = options.web();
        String landing = LandingPage.html(build, options.telemetryPath());
        BasicAuth auth = web.basicAuthUsers().isEmpty() ? null : new BasicAuth(web.basicAuthUsers());
        AccessHandler access = new AccessHandler(options.maxRequests(), web.headers(), auth,
                web.tlsEnabled() ? web.tls().clientAllowedSans() : java.util.List.of());
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.disableCompression(); // /metrics compresses itself; nothing else is worth it
            // Enough threads for every permitted request, the acceptor and selector, and a few spare:
            // requests over the limit are answered 503 by a thread of their own instead of waiting.
            int threads = (options.maxRequests() > 0 ? options.maxRequests() : 200) + 8;
            QueuedThreadPool pool = new QueuedThreadPool(threads, 2);
            pool.setName("http");
            pool.setDaemon(true);
            config.jetty.threadPool = pool;
            config.jetty.modifyServer(server -> server.insertHandler(access));
            config.jetty.addConnector((server, http) -> {
                ServerConnector connector = TlsConnector.create(server, http, web.tls());
                connector.setHost(address.anyHost() ? null : address.host());
                connector.setPort(address.port());
                connector.setIdleTimeout(options.idleTimeout().toMillis());
                try {
                    // Bind here rather than in Javalin's start, which logs an error line of its own
                    // before ours: a busy port is one line, said once.
                    connector.open();
                } catch (IOException e) {
                    connector.close();
                    throw new UncheckedIOException(e);
                }
                return connector;
            });
        });
        ScrapeHandler scrape = new ScrapeHandler(registry);
        app.get(options.telemetryPath(), scrape);
        app.head(options.telemetryPath(), scrape);
        app.get("/", ctx -> ctx.html(landing));
        app.get("/-/healthy", ctx -> status(ctx, healthy.getAsBoolean(), "Healthy", "Unhealthy"));
        app.get("/-/ready", ctx -> status(ctx, ready.getAsBoolean(), "Ready", "Not ready"));
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new IllegalStateException("failed to listen on " + address + ": " + cause.getMessage(), e);
        }
        return new MetricsServer(app, web.tlsEnabled());
    }

    private static void status(io.javalin.http.Context ctx, boolean ok, String yes, String no) {
        ctx.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).result(ok ? yes : no);
    }

    /** The bound port: the configured one, or the one chosen for port 0. */
    public int port() {
        return app.port();
    }

    /** "https" with TLS, else "http". */
    public String scheme() {
        return tls ? "https" : "http";
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            app.stop();
        }
    }
}
