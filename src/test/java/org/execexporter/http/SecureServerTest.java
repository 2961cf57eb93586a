package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.execexporter.base.BuildInfo;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.ListenAddress;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigLoader;
import org.execexporter.config.WebConfigSource;
import org.execexporter.metrics.Registries;
import org.execexporter.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server with a web config, over real sockets and real TLS handshakes, with certificates made
 * by openssl: TLS on (and plain HTTP refused), every key format, versions, cipher suites, each
 * client_auth_type, allowed client names, basic auth, headers, the request limit, idle timeouts.
 */
class SecureServerTest {
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path pkiDir;
    static TestPki pki;

    private PrometheusMeterRegistry registry;
    private MetricsServer server;

    @BeforeAll
    static void certificates() throws Exception {
        pki = new TestPki(pkiDir).ca("ca").ca("otherca")
                .leaf("server", "rsa-pkcs8", "ca", "IP:127.0.0.1,DNS:localhost", false)
                .leaf("client", "ec-pkcs8", "ca", "DNS:prometheus,URI:spiffe://example/prometheus", true)
                .leaf("intruder", "ec-pkcs8", "otherca", "DNS:prometheus", true)
                .leaf("other", "rsa-pkcs8", "ca", "DNS:grafana", true);
    }

    @BeforeEach
    void registry() {
        registry = Registries.prometheus();
        Counter.builder("exec.test").register(registry).increment(3);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        registry.close();
    }

    private void serve(String webYaml, int maxRequests, Duration idle) throws Exception {
        serve(webYaml, maxRequests, idle, MetricsServer.DEFAULT_MAX_CONNECTIONS, MetricsServer.DEFAULT_HEADER_TIMEOUT);
    }

    private void serve(String webYaml, int maxRequests, Duration idle, int maxConnections, Duration headers)
            throws Exception {
        WebConfig web = WebConfigLoader.parse(webYaml, pkiDir);
        server = MetricsServer.start(new MetricsServer.Options(List.of(new ListenAddress("127.0.0.1", 0)), null,
                "/metrics", WebConfigSource.fixed(web), maxRequests, idle, maxConnections, headers), registry, new BuildInfo("1", "r"), () -> true, () -> true);
    }

    private void serve(String webYaml) throws Exception {
        serve(webYaml, DaemonConfig.Web.DEFAULT_MAX_REQUESTS, MetricsServer.DEFAULT_IDLE_TIMEOUT);
    }

    private static String tls(String extra) {
        return "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n" + extra;
    }

    /** One HTTPS request on a fresh connection: the whole response, or an IOException if TLS refused it. */
    private String https(SSLContext context, String[] protocols, String[] suites, String path, String... headers)
            throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) IO_TIMEOUT.toMillis());
            socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
            if (protocols != null) {
                socket.setEnabledProtocols(protocols);
            }
            if (suites != null) {
                socket.setEnabledCipherSuites(suites);
            }
            socket.startHandshake();
            return exchange(socket, path, headers);
        }
    }

    private String https(SSLContext context, String path, String... headers) throws IOException {
        return https(context, null, null, path, headers);
    }

    private String plain(String path, String... headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) IO_TIMEOUT.toMillis());
            socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
            return exchange(socket, path, headers);
        }
    }

    private static String exchange(Socket socket, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static SSLContext trusting() throws Exception {
        return pki.clientContext("ca", null);
    }

    @Test
    void tlsServesTheMetricsAndPlainHttpGetsNone() throws Exception {
        serve(tls(""));
        assertThat(server.scheme()).isEqualTo("https");
        String response = https(trusting(), "/metrics");
        assertThat(response).startsWith("HTTP/1.1 200 ").contains("exec_test_total 3.0");

        String plain;
        try {
            plain = plain("/metrics");
        } catch (IOException refused) {
            plain = "";
        }
        assertThat(plain).doesNotContain("exec_test_total").doesNotStartWith("HTTP/1.1 200");
        assertThatThrownBy(() -> https(pki.clientContext("otherca", null), "/metrics"))
                .as("a client that does not trust the certificate").isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa-pkcs8", "rsa-pkcs1", "ec-pkcs8", "ec-sec1", "ed25519"})
    void everyKeyFormatServes(String kind) throws Exception {
        String name = "server-" + kind;
        pki.leaf(name, kind, "ca", "IP:127.0.0.1", false);
        serve("tls_server_config:\n  cert_file: " + name + ".crt\n  key_file: " + name + ".key\n");
        assertThat(https(trusting(), "/metrics")).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void minVersionTls13RefusesTls12() throws Exception {
        serve(tls("  min_version: TLS13\n"));
        assertThat(https(trusting(), new String[] {"TLSv1.3"}, null, "/metrics")).startsWith("HTTP/1.1 200 ");
        assertThatThrownBy(() -> https(trusting(), new String[] {"TLSv1.2"}, null, "/metrics"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void maxVersionAndCipherSuitesAreHonoured() throws Exception {
        serve(tls("  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n"));
        assertThatThrownBy(() -> https(trusting(), new String[] {"TLSv1.3"}, null, "/metrics"))
                .isInstanceOf(IOException.class);
        assertThat(https(trusting(), new String[] {"TLSv1.2"},
                new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, "/metrics")).startsWith("HTTP/1.1 200 ");
        assertThatThrownBy(() -> https(trusting(), new String[] {"TLSv1.2"},
                new String[] {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}, "/metrics")).isInstanceOf(IOException.class);
    }

    /** Whether a request succeeds: with no client certificate, one from our CA, one from another CA. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            NoClientCert               | true  | true  | true
            RequestClientCert          | true  | true  | true
            RequireAnyClientCert       | false | true  | true
            VerifyClientCertIfGiven    | true  | true  | false
            RequireAndVerifyClientCert | false | true  | false
            """)
    void clientAuthTypes(String type, boolean none, boolean ours, boolean foreign) throws Exception {
        boolean verifies = type.contains("Verify");
        serve(tls("  client_auth_type: " + type + "\n" + (verifies ? "  client_ca_file: ca.crt\n" : "")));
        assertThat(succeeds(trusting())).as("without a client certificate").isEqualTo(none);
        assertThat(succeeds(pki.clientContext("ca", "client"))).as("with one from the CA").isEqualTo(ours);
        assertThat(succeeds(pki.clientContext("ca", "intruder"))).as("with one from another CA").isEqualTo(foreign);
    }

    private boolean succeeds(SSLContext context) {
        try {
            return https(context, "/metrics").startsWith("HTTP/1.1 200 ");
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void clientAllowedSansLetOnlyTheNamedClientsIn() throws Exception {
        serve(tls("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
                + "  client_allowed_sans: [prometheus]\n"));
        assertThat(https(pki.clientContext("ca", "client"), "/metrics")).startsWith("HTTP/1.1 200 ");
        assertThat(https(pki.clientContext("ca", "other"), "/metrics")).startsWith("HTTP/1.1 403 ")
                .doesNotContain("exec_test_total");
    }

    @Test
    void basicAuthOverTlsWithHeaders() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(5, "s3cret:pass".toCharArray());
        serve(tls("basic_auth_users:\n  prometheus: '" + hash + "'\n  other: '" + hash + "'\n"
                + "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
                + "    Strict-Transport-Security: max-age=31536000\n"));
        for (String[] wrong : List.of(new String[0], credentials("prometheus", "wrong"),
                credentials("nobody", "s3cret:pass"), new String[] {"Authorization", "Basic !!!"},
                new String[] {"Authorization", "Bearer s3cret:pass"})) {
            for (String path : List.of("/metrics", "/", "/-/healthy")) {
                String r = https(trusting(), path, wrong);
                assertThat(r).startsWith("HTTP/1.1 401 ").doesNotContain("exec_test_total")
                        .containsIgnoringCase("WWW-Authenticate: Basic realm=\"exec-exporter\"")
                        .containsIgnoringCase("X-Frame-Options: deny");
            }
        }
        String ok = https(trusting(), "/metrics", credentials("prometheus", "s3cret:pass"));
        assertThat(ok).startsWith("HTTP/1.1 200 ").contains("exec_test_total 3.0")
                .containsIgnoringCase("Strict-Transport-Security: max-age=31536000")
                .doesNotContainIgnoringCase("WWW-Authenticate");
    }

    @Test
    void basicAuthWithoutTlsWorksToo() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        serve("basic_auth_users: {u: '" + hash + "'}\n");
        assertThat(server.scheme()).isEqualTo("http");
        assertThat(plain("/metrics")).startsWith("HTTP/1.1 401 ");
        assertThat(plain("/metrics", credentials("u", "pw"))).startsWith("HTTP/1.1 200 ");
    }

    private static String[] credentials(String user, String password) {
        return new String[] {"Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))};
    }

    @Test
    void requestsOverTheLimitGet503AtOnceAndTheLimitFreesAgain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(2);
        Gauge.builder("exec.blocking", () -> {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }).register(registry);
        serve("", 2, MetricsServer.DEFAULT_IDLE_TIMEOUT);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> stuck = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                stuck.add(pool.submit(() -> plain("/metrics")));
            }
            assertThat(entered.await(30, TimeUnit.SECONDS)).as("two scrapes in flight").isTrue();
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertThat(plain("/-/healthy")).startsWith("HTTP/1.1 503 ")
                        .contains("Limit of concurrent requests reached (2)");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("20 refusals, none queued")
                    .isLessThan(IO_TIMEOUT);
            release.countDown();
            for (Future<String> f : stuck) {
                assertThat(f.get(30, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200 ");
            }
            assertThat(plain("/-/healthy")).startsWith("HTTP/1.1 200 ");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void silentAndNonReadingClientsAreClosedAfterTheIdleTimeoutAndBlockNobody() throws Exception {
        // A large scrape, so that a client that never reads leaves the server's write stuck.
        for (int i = 0; i < 20_000; i++) {
            Counter.builder("exec.padding").tag("n", "padding-series-" + i).register(registry);
        }
        serve("", 4, Duration.ofSeconds(1));
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket silent = new Socket();
                silent.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                slow.add(silent);
                Socket partial = new Socket();
                partial.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                partial.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                slow.add(partial);
                Socket nonReader = new Socket();
                nonReader.setReceiveBufferSize(4096);
                nonReader.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                nonReader.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(nonReader);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(plain("/metrics")).startsWith("HTTP/1.1 200 ").contains("exec_test_total 3.0");
            }
            for (Socket s : slow) {
                assertThat(closedByServer(s)).as("the server closed a slow connection").isTrue();
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * Sends {@code bytes} one every 200 ms (the idle timeout never passes) until the server closes
     * the connection; returns how long that took, or null if it sent them all and was not closed.
     */
    private static Duration dripUntilClosed(Socket socket, byte[] bytes) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout(200);
        InputStream in = socket.getInputStream();
        for (byte b : bytes) {
            try {
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
                if (in.read() < 0) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // 200 ms without an answer: the next byte
            } catch (IOException closed) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
        }
        return null;
    }

    private static byte[] endlessHeaders() {
        return ("GET /metrics HTTP/1.1\r\nHost: x\r\n" + "X-Drip: " + "a".repeat(200)).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aClientThatDripsItsHeadersIsClosedAtTheHeaderDeadline() throws Exception {
        serve("", 4, Duration.ofSeconds(30), 16, Duration.ofSeconds(1));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            Duration closedAfter = dripUntilClosed(socket, endlessHeaders());
            assertThat(closedAfter).as("closed while dripping headers, well before the idle timeout").isNotNull()
                    .isLessThan(Duration.ofSeconds(20));
        }
        assertThat(plain("/metrics")).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void aClientThatDripsItsTlsHandshakeIsClosedAtTheHeaderDeadline() throws Exception {
        serve(tls(""), 4, Duration.ofSeconds(30), 16, Duration.ofSeconds(1));
        // a TLS 1.2 handshake record of 512 bytes, never completed
        byte[] hello = new byte[205];
        hello[0] = 0x16;
        hello[1] = 0x03;
        hello[2] = 0x01;
        hello[3] = 0x02;
        hello[4] = 0x00;
        hello[5] = 0x01;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            assertThat(dripUntilClosed(socket, hello)).as("closed during the handshake").isNotNull()
                    .isLessThan(Duration.ofSeconds(20));
        }
        assertThat(https(trusting(), "/metrics")).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void aKeptAliveConnectionMustSendItsNextHeadersWithinTheIdleTimeout() throws Exception {
        serve("", 4, Duration.ofSeconds(2), 16, Duration.ofSeconds(30));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
            byte[] answer = new byte[4096];
            int n = socket.getInputStream().read(answer);
            assertThat(new String(answer, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 ").endsWith("Healthy");
            assertThat(dripUntilClosed(socket, endlessHeaders())).as("closed while dripping the second request")
                    .isNotNull().isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void connectionsOverTheLimitWaitToBeAcceptedUntilOneCloses() throws Exception {
        serve("", 4, Duration.ofSeconds(30), 3, Duration.ofSeconds(60));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                held.add(s);
            }
            try (Socket waiting = new Socket("127.0.0.1", server.port())) { // the kernel completes the handshake
                waiting.getOutputStream().write("GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                waiting.setSoTimeout(1_500);
                assertThatThrownBy(() -> waiting.getInputStream().read())
                        .as("not served while 3 connections are open").isInstanceOf(java.net.SocketTimeoutException.class);
                held.remove(0).close();
                waiting.setSoTimeout((int) IO_TIMEOUT.toMillis());
                assertThat(new String(waiting.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .as("served once one closed").startsWith("HTTP/1.1 200 ");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** Reads (and discards) until the server closes the connection; false if it is still open after 20 s. */
    private static boolean closedByServer(Socket socket) throws IOException {
        socket.setSoTimeout(1_000);
        long deadline = System.nanoTime() + IO_TIMEOUT.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[65536];
        while (System.nanoTime() < deadline) {
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // keep waiting
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theWebConfigFileIsReadWithFilesRelativeToIt() throws Exception {
        Path file = Files.writeString(pkiDir.resolve("web.yml"), tls(""));
        WebConfig web = WebConfigLoader.load(file);
        assertThat(web.tls().certificates().get(0)).isEqualTo(pki.certificate("server"));
    }
}
