package org.execexporter.http;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.execexporter.config.WebConfig;

/**
 * A connector: plain HTTP, or TLS from the web config's certificate and key, kept in an
 * in-memory key store (no key store file is written anywhere), looked up on each handshake
 * ({@link LiveSslContextFactory}). Plain HTTP sent to a TLS port gets no answer but a closed
 * connection. Whether a connector speaks TLS is decided when it is made.
 */
final class TlsConnector {
    private TlsConnector() {}

    /** The connector, bounded as {@link BoundedConnector} says; {@code ssl} null for plain HTTP. */
    static ServerConnector create(Server server, HttpConfiguration http, SslContextFactory.Server ssl,
                                  int maxConnections, Duration headerTimeout) {
        if (ssl == null) {
            return new BoundedConnector(server, maxConnections, headerTimeout, new HttpConnectionFactory(http));
        }
        if (http.getCustomizer(SecureRequestCustomizer.class) == null) { // one HttpConfiguration serves every connector
            // Certificates are not checked against the Host header: that is the client's business.
            http.addCustomizer(new SecureRequestCustomizer(false));
        }
        return new BoundedConnector(server, maxConnections, headerTimeout,
                new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(http));
    }

    static SslContextFactory.Server sslContextFactory(WebConfig.Tls tls) {
        if (!tls.namedGroups().isEmpty()) {
            // Java 17 has no per-engine setting of the key exchange groups; the process serves one TLS config.
            System.setProperty("jdk.tls.namedGroups", String.join(",", tls.namedGroups()));
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(sslContext(tls));
        ssl.setWantClientAuth(tls.clientAuth().want);
        ssl.setNeedClientAuth(tls.clientAuth().need);
        ssl.setIncludeProtocols(tls.protocols().toArray(new String[0]));
        if (!tls.cipherSuites().isEmpty()) {
            // What was asked for, exactly, plus the TLS 1.3 suites (not configurable, as in Go).
            ssl.setExcludeCipherSuites(); // Jetty's own exclusions would silently drop suites asked for
            List<String> include = new ArrayList<>(tls.cipherSuites());
            include.addAll(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"));
            ssl.setIncludeCipherSuites(include.toArray(new String[0]));
        }
        ssl.setUseCipherSuitesOrder(tls.preferServerCipherSuites());
        ssl.setRenegotiationAllowed(false);
        return ssl;
    }

    /**
     * The key manager holds the certificate and key; the trust manager checks client certificates
     * against client_ca_file, or takes any (RequestClientCert, RequireAnyClientCert), as Go does.
     */
    private static SSLContext sslContext(WebConfig.Tls tls) {
        try {
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            char[] password = HexFormat.of().formatHex(random).toCharArray(); // the store lives in memory only
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", tls.key(), password, tls.certificates().toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            TrustManager[] trust;
            if (tls.clientAuth().verify) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                for (int i = 0; i < tls.clientCas().size(); i++) {
                    cas.setCertificateEntry("client-ca-" + i, tls.clientCas().get(i));
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(cas);
                trust = tmf.getTrustManagers();
            } else {
                trust = new TrustManager[] {new AnyClientCertificate()};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), trust, null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("failed to set up TLS: " + e.getMessage(), e);
        }
    }

    /** Takes any client certificate: only for the client_auth_types that verify none. */
    private static final class AnyClientCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server does not check server certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
