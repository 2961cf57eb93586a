package org.execexporter.http;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.execexporter.web.WebConfig;

/**
 * The connector: plain HTTP, or TLS from the web config's certificate and key, kept in an
 * in-memory key store (no key store file is written anywhere). Plain HTTP sent to a TLS port gets
 * no answer but a closed connection.
 */
final class TlsConnector {
    private TlsConnector() {}

    static ServerConnector create(Server server, HttpConfiguration http, WebConfig.Tls tls) {
        // One acceptor and one selector: a scrape target needs no more, and they are threads of the pool.
        if (tls == null) {
            return new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        }
        // Certificates are not checked against the Host header: that is the client's business.
        http.addCustomizer(new SecureRequestCustomizer(false));
        return new ServerConnector(server, 1, 1,
                new SslConnectionFactory(sslContextFactory(tls), HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(http));
    }

    static SslContextFactory.Server sslContextFactory(WebConfig.Tls tls) {
        if (!tls.namedGroups().isEmpty()) {
            // Java 17 has no per-engine setting of the key exchange groups; the process serves one TLS config.
            System.setProperty("jdk.tls.namedGroups", String.join(",", tls.namedGroups()));
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        try {
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String password = HexFormat.of().formatHex(random); // guards nothing on disk: the store lives in memory
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", tls.key(), password.toCharArray(),
                    tls.certificates().toArray(new Certificate[0]));
            ssl.setKeyStore(keys);
            ssl.setKeyStorePassword(password);
            ssl.setKeyManagerPassword(password);
            if (tls.clientAuth().verify) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                for (int i = 0; i < tls.clientCas().size(); i++) {
                    trust.setCertificateEntry("client-ca-" + i, tls.clientCas().get(i));
                }
                ssl.setTrustStore(trust);
            } else if (tls.clientAuth().want || tls.clientAuth().need) {
                ssl.setTrustAll(true); // RequestClientCert, RequireAnyClientCert: any certificate is taken
            }
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("failed to build the TLS key store: " + e.getMessage(), e);
        }
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
}
