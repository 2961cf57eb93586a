package org.execexporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.execexporter.base.ExitCodes;
import org.execexporter.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebConfigLoaderTest {
    private static final String HASH = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        new TestPki(dir).ca("ca").leaf("server", "ec-sec1", "ca", "IP:127.0.0.1", false)
                .leaf("second", "rsa-pkcs1", "ca", "IP:127.0.0.1", false);
        Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Files.writeString(dir.resolve("encrypted.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n");
    }

    private static WebConfig parse(String yaml) throws ConfigException {
        return WebConfigLoader.parse(yaml, dir);
    }

    private static final String TLS = "tls_server_config: {cert_file: server.crt, key_file: server.key, ";

    @Test
    void aFullConfigIsRead() throws Exception {
        WebConfig web = parse("""
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  min_version: TLS12
                  max_version: TLS13
                  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]
                  curve_preferences: [X25519, CurveP256]
                  prefer_server_cipher_suites: false
                  client_allowed_sans: [prometheus]
                http_server_config:
                  http2: true
                  headers:
                    x-content-type-options: NoSniff
                    Content-Security-Policy: "default-src 'none'"
                basic_auth_users:
                  prometheus: '%s'
                """.formatted(HASH));
        WebConfig.Tls tls = web.tls();
        assertThat(tls.key().getAlgorithm()).isEqualTo("EC");
        assertThat(tls.clientAuth()).isEqualTo(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT);
        assertThat(tls.clientCas()).hasSize(1);
        assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.cipherSuites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"); // Go's name, Java's name
        assertThat(tls.namedGroups()).containsExactly("x25519", "secp256r1");
        assertThat(tls.preferServerCipherSuites()).isFalse();
        assertThat(tls.clientAllowedSans()).containsExactly("prometheus");
        assertThat(web.headers()).containsEntry("X-Content-Type-Options", "NoSniff")
                .containsEntry("Content-Security-Policy", "default-src 'none'");
        assertThat(web.basicAuthUsers()).containsEntry("prometheus", HASH);
    }

    @Test
    void rateLimitIsExporterToolkits() throws Exception {
        assertThat(parse("rate_limit: {interval: 100ms, burst: 5}").rateLimit())
                .isEqualTo(new WebConfig.RateLimit(Duration.ofMillis(100), 5));
        assertThat(parse("rate_limit: {interval: 0s, burst: 0}").rateLimit().enabled()).isFalse();
        assertThat(parse("basic_auth_users:\n").rateLimit()).isEqualTo(WebConfig.RateLimit.NONE);
    }

    @Test
    void loadListsTheFilesItRead() throws Exception {
        Path file = Files.writeString(dir.resolve("files.yml"), "tls_server_config: {cert_file: server.crt, "
                + "key_file: server.key}");
        List<Path> read = new ArrayList<>();
        WebConfigLoader.load(file, read);
        assertThat(read).containsExactly(file, dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    @Test
    void emptyFileIsOpenHttp() throws Exception {
        assertThat(parse("")).isEqualTo(WebConfig.open());
        assertThat(parse("basic_auth_users:\n").tlsEnabled()).isFalse();
    }

    @Test
    void pkcs1RsaKeysAreRead() throws Exception {
        assertThat(parse("tls_server_config: {cert_file: second.crt, key_file: second.key}").tls().key()
                .getAlgorithm()).isEqualTo("RSA");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            tls_config: {}                                | unknown key /tls_config (known keys here: basic_auth_users, http_server_config, rate_limit, tls_server_config)
            `tls_server_config: {cert_file: server.crt}`  | /tls_server_config needs key_file (or key): TLS cannot be served without a private key
            `tls_server_config: {key_file: server.key}`   | /tls_server_config needs cert_file (or cert): TLS cannot be served without a certificate
            `tls_server_config: [1]`                      | /tls_server_config must be a mapping of keys
            `TLS colour: red}`                            | unknown key /tls_server_config/colour (known keys here: cert, cert_file, cipher_suites, client_allowed_sans, client_auth_type, client_ca, client_ca_file, curve_preferences, key, key_file, max_version, min_version, prefer_server_cipher_suites)
            `TLS min_version: TLS10}`                     | /tls_server_config/min_version TLS10 is not supported: the Java runtime refuses TLS before 1.2; use TLS12 or TLS13
            `TLS min_version: TLS14}`                     | /tls_server_config/min_version must be TLS12 or TLS13, not "TLS14"
            `TLS min_version: TLS13, max_version: TLS12}` | /tls_server_config/min_version must not be above max_version (TLS12)
            `TLS min_version: 12}`                        | /tls_server_config/min_version must be a string
            `TLS client_auth_type: Sometimes}`            | /tls_server_config/client_auth_type must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, not "Sometimes"
            `TLS client_auth_type: RequireAndVerifyClientCert}` | /tls_server_config needs client_ca_file to verify client certificates (client_auth_type RequireAndVerifyClientCert)
            `TLS client_ca_file: ca.crt}`                 | /tls_server_config/client_ca_file is set, but client_auth_type NoClientCert verifies no client certificate: use VerifyClientCertIfGiven or RequireAndVerifyClientCert
            `TLS cipher_suites: [TLS_AES_128_GCM_SHA256]}` | /tls_server_config/cipher_suites/0 is a TLS 1.3 suite: TLS 1.3 suites are not configurable (as in Go); list TLS 1.2 suites only
            `TLS cipher_suites: []}`                      | /tls_server_config/cipher_suites must list at least one suite, or be left out for the defaults
            `TLS curve_preferences: [CurveP224]}`         | /tls_server_config/curve_preferences/0 must be one of CurveP256, CurveP384, CurveP521, X25519, not "CurveP224"
            `TLS client_allowed_sans: [x]}`               | /tls_server_config/client_allowed_sans needs client_auth_type RequireAndVerifyClientCert
            `TLS prefer_server_cipher_suites: yes please}` | /tls_server_config/prefer_server_cipher_suites must be true or false
            `tls_server_config: {cert_file: garbage.pem, key_file: server.key}` | /tls_server_config/cert_file holds no PEM certificate (-----BEGIN CERTIFICATE-----)
            `tls_server_config: {cert_file: server.crt, key_file: server.crt}`  | /tls_server_config/key_file holds no PEM private key (-----BEGIN PRIVATE KEY-----)
            `tls_server_config: {cert_file: server.crt, key_file: second.key}`  | /tls_server_config/key_file does not hold the private key of the certificate in cert_file
            `tls_server_config: {cert_file: server.crt, key_file: encrypted.key}` | /tls_server_config/key_file holds an encrypted private key, which is not supported (decrypt it with: openssl pkey -in KEY -out KEY.plain)
            `tls_server_config: {cert_file: server.crt, cert: x, key_file: server.key}` | /tls_server_config must set cert_file or cert, not both
            `basic_auth_users: {prometheus: hunter2}`     | /basic_auth_users/prometheus must be a bcrypt hash ($2y$10$... as htpasswd -nB writes it), not a plain password
            `basic_auth_users: [prometheus]`              | /basic_auth_users must be a mapping
            `http_server_config: {headers: {Server: x}}`  | /http_server_config/headers/Server is not a header exporter-toolkit allows; allowed: Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection
            `http_server_config: {headers: {X-Frame-Options: allow}}` | /http_server_config/headers/X-Frame-Options must be one of deny, sameorigin, not "allow"
            `http_server_config: {http2: maybe}`          | /http_server_config/http2 must be true or false
            `http_server_config: {timeout: 1}`            | unknown key /http_server_config/timeout (known keys here: headers, http2)
            `rate_limit: {interval: 1s}`                  | /rate_limit needs a burst of 1 or more with an interval: with 0, every request would be refused
            `rate_limit: {interval: soon, burst: 1}`      | /rate_limit/interval must be a duration like 1s or 100ms, not "soon"
            `rate_limit: {interval: 1s, burst: -1}`       | /rate_limit/burst must be a whole number, 0 or more
            `rate_limit: {every: 1s}`                     | unknown key /rate_limit/every (known keys here: burst, interval)
            `tls_server_config: {cert_file: server.crt, key_file: server.key`  | invalid YAML at line 1 column 64: while parsing a flow mapping
            """)
    void badConfigIsOneLineNamingThePath(String yaml, String message) {
        String text = yaml.replace("TLS ", TLS);
        assertThatThrownBy(() -> parse(text)).isInstanceOf(ConfigException.class).hasMessage(message)
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }

    /** Costs outside bcrypt's range, or so high that a check takes seconds, are refused before anything loads. */
    @ParameterizedTest(name = "cost {0}")
    @CsvSource(delimiter = '|', textBlock = """
            31 | has bcrypt cost 31: the cost must be from 4 to 12 (each step doubles the time of a check; above 12, one takes half a second or more); hash again with htpasswd -nBC 10
            99 | has bcrypt cost 99: the cost must be from 4 to 12 (each step doubles the time of a check; above 12, one takes half a second or more); hash again with htpasswd -nBC 10
            13 | has bcrypt cost 13: the cost must be from 4 to 12 (each step doubles the time of a check; above 12, one takes half a second or more); hash again with htpasswd -nBC 10
            03 | has bcrypt cost 3: the cost must be from 4 to 12; hash again with htpasswd -nBC 10
            """)
    void aBcryptCostOutOfBoundsIsOneLine(String cost, String message) {
        String hash = "$2y$" + cost + "$" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0";
        assertThatThrownBy(() -> parse("basic_auth_users: {prometheus: '" + hash + "'}"))
                .isInstanceOf(ConfigException.class).hasMessage("/basic_auth_users/prometheus " + message)
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }

    @ParameterizedTest(name = "cost {0}")
    @ValueSource(ints = {4, 12})
    void bcryptCostsWithinTheBoundsAreTaken(int cost) throws Exception {
        String hash = at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(cost, "pw".toCharArray());
        assertThat(parse("basic_auth_users: {prometheus: '" + hash + "'}").basicAuthUsers()).containsKey("prometheus");
    }

    @Test
    void aCipherSuiteJavaDoesNotEnableIsAnErrorListingWhatItDoes() {
        assertThatThrownBy(() -> parse(TLS + "cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}"))
                .hasMessageStartingWith("/tls_server_config/cipher_suites/0 \"TLS_RSA_WITH_RC4_128_SHA\" is not a "
                        + "cipher suite this Java runtime enables; it enables: ")
                .hasMessageContaining("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    }

    @Test
    void missingFilesAreUsageErrorsAndUnreadableOnesRuntimeFailures() throws Exception {
        assertThatThrownBy(() -> WebConfigLoader.load(dir.resolve("nope.yml")))
                .hasMessage("web config file " + dir.resolve("nope.yml") + ": no such file")
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
        Path web = Files.writeString(dir.resolve("web.yml"), "tls_server_config: {cert_file: nope.crt, key_file: x}\n");
        assertThatThrownBy(() -> WebConfigLoader.load(web)).hasMessage("web config file " + web
                + ": /tls_server_config/cert_file " + dir.resolve("nope.crt") + ": no such file");
        assertThatThrownBy(() -> WebConfigLoader.load(dir))
                .hasMessage("web config file " + dir + ": cannot read it: it is a directory")
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCodes.FAILURE));
        Path locked = Files.writeString(dir.resolve("locked.yml"), "");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        if (!Files.isReadable(locked)) { // root reads anything: this case is proven as an ordinary user only
            assertThatThrownBy(() -> WebConfigLoader.load(locked))
                    .hasMessage("web config file " + locked + ": cannot read it: permission denied")
                    .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCodes.FAILURE));
        }
    }
}
