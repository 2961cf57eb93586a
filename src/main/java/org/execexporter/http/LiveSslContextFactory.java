package org.execexporter.http;

import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigSource;

/**
 * TLS whose settings are looked up on each new connection: every handshake takes the web config's
 * TLS settings in force at that moment (certificate, key, client CAs, client_auth_type, versions,
 * suites), so a rotated certificate is served on the next handshake, as exporter-toolkit does. An
 * unchanged config reuses its SSL context (and its session cache); a changed one gets a context
 * of its own. Connections already open keep the settings of their handshake.
 */
final class LiveSslContextFactory extends SslContextFactory.Server {
    /** The SSL context factory of one TLS config, made when a connection first needs it. */
    private record Built(WebConfig.Tls tls, SslContextFactory.Server factory) {}

    private final WebConfigSource web;
    private volatile Built built;

    LiveSslContextFactory(WebConfigSource web) {
        this.web = web;
        WebConfig.Tls tls = web.current().tls();
        this.built = build(tls);
        // This factory is what Jetty starts and asks about renegotiation; the engines come from the built ones.
        setSslContext(built.factory().getSslContext());
        setRenegotiationAllowed(false);
    }

    private static Built build(WebConfig.Tls tls) {
        SslContextFactory.Server factory = TlsConnector.sslContextFactory(tls);
        try {
            factory.start();
        } catch (Exception e) {
            throw new IllegalStateException("failed to set up TLS: " + e.getMessage(), e);
        }
        return new Built(tls, factory);
    }

    /** The factory of the TLS config in force now; a source without TLS (none while serving it) keeps the last. */
    private SslContextFactory.Server current() {
        WebConfig.Tls tls = web.current().tls();
        Built b = built;
        if (tls != null && tls != b.tls()) {
            synchronized (this) {
                b = built;
                if (tls != b.tls()) {
                    Built previous = b;
                    b = build(tls);
                    built = b;
                    stopQuietly(previous.factory());
                }
            }
        }
        return b.factory();
    }

    private static void stopQuietly(SslContextFactory.Server factory) {
        try {
            factory.stop(); // engines it made live on: they hold their own SSL context
        } catch (Exception e) {
            throw new IllegalStateException("failed to release the previous TLS settings", e);
        }
    }

    @Override
    public SSLEngine newSSLEngine() {
        return current().newSSLEngine();
    }

    @Override
    public SSLEngine newSSLEngine(String host, int port) {
        return current().newSSLEngine(host, port);
    }
}
