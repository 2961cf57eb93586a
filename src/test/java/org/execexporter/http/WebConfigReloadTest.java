package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.execexporter.config.ListenAddress;
import org.execexporter.base.BuildInfo;
import org.execexporter.metrics.Registries;
import org.execexporter.testing.TestPki;
import org.execexporter.config.LiveWebConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running server whose web config file changes under it, as exporter-toolkit allows: a rotated
 * certificate is served on the next handshake, a changed user list and rate limit apply to the next
 * request, without a restart or a signal. Real TLS handshakes, certificates made by openssl.
 */
class WebConfigReloadTest {
    @TempDir
    static Path pkiDir;
    static TestPki pki;
    static String hashA;
    static String hashB;

    @TempDir
    Path dir;
    private PrometheusMeterRegistry registry;
    private MetricsServer server;

    @BeforeAll
    static void certificates() throws Exception {
        pki = new TestPki(pkiDir).ca("ca").leaf("server", "ec-pkcs8", "ca", "IP:127.0.0.1", false)
                .leaf("rotated", "rsa-pkcs8", "ca", "IP:127.0.0.1", false);
        hashA = BCrypt.withDefaults().hashToString(4, "a-pass".toCharArray());
        hashB = BCrypt.withDefaults().hashToString(4, "b-pass".toCharArray());
    }

    @BeforeEach
    void files() throws Exception {
        registry = Registries.prometheus();
        install("server.crt", "tls.crt");
        install("server.key", "tls.key");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        registry.close();
    }

    /** A file replaced as rotation tools do it: written aside, renamed over the old one. */
    private Path write(String name, String text) throws Exception {
        Path tmp = Files.writeString(dir.resolve(name + ".tmp"), text);
        return Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void install(String pkiFile, String name) throws Exception {
        write(name, Files.readString(pkiDir.resolve(pkiFile)));
    }

    private void serve(String webYaml) throws Exception {
        LiveWebConfig live = LiveWebConfig.open(write("web.yml", webYaml));
        server = MetricsServer.start(MetricsServer.Options.of(List.of(new ListenAddress("127.0.0.1", 0)), null,
                "/metrics", live, 10), registry, new BuildInfo("1", "r"), () -> true, () -> true);
    }

    /** A request on a connection of its own (a client of its own: a full handshake, no session resumed). */
    private HttpResponse<String> get(String scheme, String... credentials) throws Exception {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20));
        if (scheme.equals("https")) {
            client.sslContext(pki.clientContext("ca", null));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create(scheme + "://127.0.0.1:" + server.port() + "/metrics")).timeout(Duration.ofSeconds(20));
        if (credentials.length == 2) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (credentials[0] + ":" + credentials[1]).getBytes(StandardCharsets.UTF_8)));
        }
        return client.build().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Certificate served() throws Exception {
        return get("https").sslSession().orElseThrow().getPeerCertificates()[0];
    }

    @Test
    void aRotatedCertificateIsServedOnTheNextHandshake() throws Exception {
        serve("tls_server_config: {cert_file: tls.crt, key_file: tls.key}\n");
        assertThat(served()).isEqualTo(pki.certificate("server"));
        install("rotated.key", "tls.key");
        install("rotated.crt", "tls.crt");
        assertThat(served()).isEqualTo(pki.certificate("rotated"));
        assertThat(get("https").statusCode()).isEqualTo(200);
    }

    @Test
    void aChangedUserListAppliesToTheNextRequest() throws Exception {
        String tls = "tls_server_config: {cert_file: tls.crt, key_file: tls.key}\n";
        serve(tls + "basic_auth_users: {alice: '" + hashA + "'}\n");
        assertThat(get("https", "alice", "a-pass").statusCode()).isEqualTo(200);
        assertThat(get("https", "bob", "b-pass").statusCode()).isEqualTo(401);
        write("web.yml", tls + "basic_auth_users: {bob: '" + hashB + "'}\n");
        assertThat(get("https", "bob", "b-pass").statusCode()).as("the new user").isEqualTo(200);
        assertThat(get("https", "alice", "a-pass").statusCode()).as("the old user, from the cache too").isEqualTo(401);
        write("web.yml", tls + "basic_auth_users: {bob: hunter2}\n"); // does not parse: the running users stay
        assertThat(get("https", "bob", "b-pass").statusCode()).isEqualTo(200);
        assertThat(get("https", "alice", "a-pass").statusCode()).isEqualTo(401);
    }

    @Test
    void theRateLimitAppliesAndLiftsWithTheFileAndKeepsItsBucketWhileUnchanged() throws Exception {
        serve("rate_limit: {interval: 1h, burst: 2}\n");
        assertThat(get("http").statusCode()).isEqualTo(200);
        assertThat(get("http").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = get("http");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).isEqualTo("Too Many Requests\n");
        write("web.yml", "rate_limit: {interval: 1h, burst: 2}\nhttp_server_config: {headers: {X-Frame-Options: deny}}\n");
        assertThat(get("http").statusCode()).as("another change keeps the spent bucket").isEqualTo(429);
        write("web.yml", "http_server_config: {http2: false}\n");
        assertThat(get("http").statusCode()).isEqualTo(200);
        assertThat(get("http").statusCode()).isEqualTo(200);
        assertThat(get("http").statusCode()).isEqualTo(200);
    }
}
