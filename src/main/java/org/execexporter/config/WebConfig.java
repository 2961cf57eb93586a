package org.execexporter.config;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web configuration file of exporter-toolkit (--web.config.file), read and checked: TLS with
 * its certificate and key already parsed, basic-auth users with their bcrypt hashes, and the
 * response headers, the rate limit. {@link #open()} is no file: plain HTTP, no authentication.
 */
public record WebConfig(Tls tls, Map<String, String> basicAuthUsers, Map<String, String> headers,
                        RateLimit rateLimit) {
    /** A bcrypt hash as htpasswd and Go write it: $2a$, $2b$ or $2y$, a two-digit cost (group 1), 53 characters. */
    public static final Pattern BCRYPT_HASH = Pattern.compile("\\$2[aby]?\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    /** bcrypt's own lower bound. */
    public static final int MIN_BCRYPT_COST = 4;
    /**
     * Cost 10 (Go's default, htpasswd -C 10) takes ~65 ms per check on a small machine and each step
     * doubles it: from 13 on, a check takes half a second or more, and checks run one at a time.
     */
    public static final int MAX_BCRYPT_COST = 12;

    public WebConfig {
        basicAuthUsers = Map.copyOf(basicAuthUsers);
        headers = Map.copyOf(headers);
    }

    public WebConfig(Tls tls, Map<String, String> basicAuthUsers, Map<String, String> headers) {
        this(tls, basicAuthUsers, headers, RateLimit.NONE);
    }

    /** Plain HTTP, no authentication, no extra headers: what the exporter serves without a web config file. */
    /** The cost factor of a hash matching {@link #BCRYPT_HASH}. */
    public static int bcryptCost(String hash) {
        Matcher m = BCRYPT_HASH.matcher(hash);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a bcrypt hash");
        }
        return Integer.parseInt(m.group(1));
    }

    public static WebConfig open() {
        return new WebConfig(null, Map.of(), Map.of());
    }

    /**
     * exporter-toolkit's rate_limit: a token bucket over all requests, one token per
     * {@code interval}, at most {@code burst} saved up; a request without a token gets 429.
     * An interval of 0 is no limit.
     */
    public record RateLimit(Duration interval, int burst) {
        public static final RateLimit NONE = new RateLimit(Duration.ZERO, 0);

        public boolean enabled() {
            return !interval.isZero();
        }
    }

    public boolean tlsEnabled() {
        return tls != null;
    }

    /** exporter-toolkit's client_auth_type values, as Go's crypto/tls names them. */
    public enum ClientAuth {
        NO_CLIENT_CERT("NoClientCert", false, false, false),
        REQUEST_CLIENT_CERT("RequestClientCert", true, false, false),
        REQUIRE_ANY_CLIENT_CERT("RequireAnyClientCert", false, true, false),
        VERIFY_CLIENT_CERT_IF_GIVEN("VerifyClientCertIfGiven", true, false, true),
        REQUIRE_AND_VERIFY_CLIENT_CERT("RequireAndVerifyClientCert", false, true, true);

        public final String configName;
        /** Ask for a certificate, accept the connection without one. */
        public final boolean want;
        /** Refuse the connection without a certificate. */
        public final boolean need;
        /** Check the certificate against client_ca_file (otherwise any certificate is taken). */
        public final boolean verify;

        ClientAuth(String configName, boolean want, boolean need, boolean verify) {
            this.configName = configName;
            this.want = want;
            this.need = need;
            this.verify = verify;
        }
    }

    /**
     * @param certificates the server's chain, leaf first
     * @param clientCas    the CAs client certificates are verified against (empty unless clientAuth verifies)
     * @param protocols    the TLS versions to enable, Java names (TLSv1.2, TLSv1.3)
     * @param cipherSuites the TLS 1.2 suites to enable, Java (IANA) names; empty: the runtime's defaults.
     *                     TLS 1.3 suites are not configurable (as in Go) and stay enabled.
     * @param namedGroups  key exchange groups, Java names (x25519, secp256r1, ...); empty: the defaults
     * @param clientAllowedSans if not empty, a verified client certificate must name one of these in
     *                          its subject alternative names (DNS, IP, e-mail or URI)
     */
    public record Tls(List<X509Certificate> certificates, PrivateKey key, ClientAuth clientAuth,
                      List<X509Certificate> clientCas, List<String> protocols, List<String> cipherSuites,
                      List<String> namedGroups, boolean preferServerCipherSuites, List<String> clientAllowedSans) {
        public Tls {
            clientAllowedSans = List.copyOf(clientAllowedSans);
            certificates = List.copyOf(certificates);
            clientCas = List.copyOf(clientCas);
            protocols = List.copyOf(protocols);
            cipherSuites = List.copyOf(cipherSuites);
            namedGroups = List.copyOf(namedGroups);
        }
    }
}
