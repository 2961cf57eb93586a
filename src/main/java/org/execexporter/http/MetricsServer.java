package org.execexporter.http;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.execexporter.base.BuildInfo;
import org.execexporter.config.ListenAddress;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigSource;

/**
 * The HTTP side, a thin adapter over the registry: the telemetry path, a landing page at /,
 * /-/healthy (the aggregator runs) and /-/ready (execs are being counted), on one or more
 * addresses or on a socket systemd passes; TLS, basic auth, headers, the rate limit and the limit
 * on requests in flight from the web config, on every path.
 */
public final class MetricsServer implements AutoCloseable {
    /**
     * A connection that sends nothing, or does not read what it is sent, for this long is closed,
     * so a client that never reads cannot hold a thread (and a request permit) for longer.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The TLS handshake and the first request's headers must be done this long after the accept
     * (later requests on the connection: within the idle timeout of the previous response).
     */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** Connections open at once, unless --web.max-requests is higher; beyond, they wait to be accepted. */
    public static final int DEFAULT_MAX_CONNECTIONS = 512;

    private final Javalin app;
    private final boolean tls;
    private final List<ServerConnector> connectors;
    private boolean closed;

    private MetricsServer(Javalin app, boolean tls, List<ServerConnector> connectors) {
        this.app = app;
        this.tls = tls;
        this.connectors = List.copyOf(connectors);
    }

    /**
     * How to serve.
     *
     * @param addresses      where to listen, one connector each; ignored when {@code inherited} is given
     * @param inherited      a listening socket to serve on instead (socket activation), or null
     * @param web            the web config, looked up on every request and handshake
     * @param maxRequests    requests handled at once; beyond, 503 at once. 0: no limit
     * @param maxConnections connections open at once, per listening socket; beyond, new ones wait in the listen queue
     */
    public record Options(List<ListenAddress> addresses, ServerSocketChannel inherited, String telemetryPath,
                          WebConfigSource web, int maxRequests, Duration idleTimeout, int maxConnections,
                          Duration headerTimeout) {
        public Options {
            addresses = List.copyOf(addresses);
        }

        /** The default limits and timeouts for {@code maxRequests}. */
        public static Options of(List<ListenAddress> addresses, ServerSocketChannel inherited, String telemetryPath,
                                 WebConfigSource web, int maxRequests) {
            return new Options(addresses, inherited, telemetryPath, web, maxRequests, DEFAULT_IDLE_TIMEOUT,
                    Math.max(DEFAULT_MAX_CONNECTIONS, maxRequests), DEFAULT_HEADER_TIMEOUT);
        }

        /** One address, a fixed web config, the default limits and timeouts for {@code maxRequests}. */
        public static Options of(ListenAddress address, String telemetryPath, WebConfig web, int maxRequests) {
            return of(List.of(address), null, telemetryPath, WebConfigSource.fixed(web), maxRequests);
        }
    }

    /**
     * Binds and starts serving. Throws IllegalStateException with one line when an address
     * cannot be bound (port in use, unknown host).
     */
    public static MetricsServer start(Options options, PrometheusMeterRegistry registry, BuildInfo build,
                                      BooleanSupplier healthy, BooleanSupplier ready) {
        boolean tls = options.web().current().tlsEnabled();
        String landing = LandingPage.html(build, options.telemetryPath());
        AccessHandler access = new AccessHandler(options.maxRequests(), options.web());
        SslContextFactory.Server ssl = tls ? new LiveSslContextFactory(options.web()) : null;
        List<ServerConnector> connectors = new ArrayList<>();
        String[] binding = {null}; // the address being bound, for the one line of a failure
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.disableCompression(); // /metrics compresses itself; nothing else is worth it
            // Enough threads for every permitted request, every pending password check, the acceptor
            // and selector of each connector, and a few spare: requests over the limit are answered
            // 503 (or 429, 401) by a thread of their own instead of waiting.
            int threads = (options.maxRequests() > 0 ? options.maxRequests() : 200) + BasicAuth.MAX_PENDING + 6
                    + 2 * Math.max(1, options.addresses().size());
            QueuedThreadPool pool = new QueuedThreadPool(threads, 2);
            pool.setName("http");
            pool.setDaemon(true);
            config.jetty.threadPool = pool;
            config.jetty.modifyServer(server -> server.insertHandler(access));
            int count = options.inherited() != null ? 1 : options.addresses().size();
            for (int i = 0; i < count; i++) {
                ListenAddress address = options.inherited() != null ? null : options.addresses().get(i);
                config.jetty.addConnector((server, http) -> {
                    ServerConnector connector = TlsConnector.create(server, http, ssl, options.maxConnections(),
                            options.headerTimeout());
                    connector.setIdleTimeout(options.idleTimeout().toMillis());
                    binding[0] = address == null ? "the socket passed by systemd" : address.toString();
                    try {
                        // Bind here rather than in Javalin's start, which logs an error line of its own
                        // before ours: a busy port is one line, said once.
                        if (address == null) {
                            connector.open(options.inherited());
                        } else {
                            connector.setHost(address.anyHost() ? null : address.host());
                            connector.setPort(address.port());
                            connector.open();
                        }
                    } catch (IOException e) {
                        connectors.forEach(ServerConnector::close);
                        connector.close();
                        throw new UncheckedIOException(e);
                    }
                    connectors.add(connector);
                    return connector;
                });
            }
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
            connectors.forEach(ServerConnector::close);
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            String reason = cause.getMessage() != null ? cause.getMessage()
                    : cause instanceof java.nio.channels.UnresolvedAddressException ? "cannot resolve the host name"
                    : "cannot bind the address";
            throw new IllegalStateException("failed to listen on " + binding[0] + ": " + reason, e);
        }
        return new MetricsServer(app, tls, connectors);
    }

    private static void status(io.javalin.http.Context ctx, boolean ok, String yes, String no) {
        ctx.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).result(ok ? yes : no);
    }

    /** The bound port of the first listener: the configured one, or the one chosen for port 0. */
    public int port() {
        return connectors.get(0).getLocalPort();
    }

    /** Each listener's address as bound (host:port, the port chosen for port 0 filled in). */
    public List<String> boundAddresses() {
        List<String> out = new ArrayList<>();
        for (ServerConnector c : connectors) {
            String host = c.getHost() == null ? "" : c.getHost().contains(":") ? "[" + c.getHost() + "]" : c.getHost();
            if (c.getHost() == null && c.getTransport() instanceof ServerSocketChannel channel) {
                try {
                    out.add(channel.getLocalAddress().toString().replaceFirst("^/", ""));
                    continue;
                } catch (IOException e) {
                    // fall through to what the connector says
                }
            }
            out.add(host + ":" + c.getLocalPort());
        }
        return out;
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
