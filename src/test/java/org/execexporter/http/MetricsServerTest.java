package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_29_3.Metrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.execexporter.base.BuildInfo;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.ListenAddress;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigSource;
import org.execexporter.metrics.Registries;
import org.execexporter.testing.Http;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigSource;
import org.execexporter.config.WebConfigSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsServerTest {
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private PrometheusMeterRegistry registry;
    private MetricsServer server;

    @BeforeEach
    void start() {
        registry = Registries.prometheus();
        Counter.builder("exec.test").description("A test counter").register(registry).increment(3);
        server = MetricsServer.start(plain(new ListenAddress("127.0.0.1", 0), "/custom/metrics"), registry,
                new BuildInfo("1.2.3", "abcdef"), healthy::get, ready::get);
    }

    /** Plain HTTP with the daemon's default limits. */
    private static MetricsServer.Options plain(ListenAddress address, String telemetryPath) {
        return MetricsServer.Options.of(address, telemetryPath, WebConfig.open(), DaemonConfig.Web.DEFAULT_MAX_REQUESTS);
    }

    @AfterEach
    void stop() {
        server.close();
        server.close(); // idempotent
        registry.close();
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return Http.get(server.port(), path, headers);
    }

    @Test
    void servesTheTextFormatByDefault() throws Exception {
        HttpResponse<byte[]> r = get("/custom/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .contains("# TYPE exec_test_total counter\nexec_test_total 3.0\n").doesNotContain("# EOF");
    }

    @Test
    void servesOpenMetricsWhenAsked() throws Exception {
        HttpResponse<byte[]> r = get("/custom/metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("exec_test_total 3.0").endsWith("# EOF\n");
    }

    /** Prometheus with native histograms on asks for protobuf first: each histogram comes whole. */
    @Test
    void servesProtobufWhenAsked() throws Exception {
        io.prometheus.metrics.core.metrics.Histogram.builder().name("exec_test_window").help("h")
                .classicUpperBounds(1, 10).register(registry.getPrometheusRegistry()).observe(5);
        HttpResponse<byte[]> r = get("/custom/metrics", "Accept", "application/vnd.google.protobuf;"
                + "proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3");
        assertThat(r.headers().firstValue("Content-Type")).hasValue(
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited");
        java.io.InputStream in = new java.io.ByteArrayInputStream(r.body());
        Map<String, Metrics.MetricFamily> families = new HashMap<>();
        while (in.available() > 0) {
            Metrics.MetricFamily family = Metrics.MetricFamily.parseDelimitedFrom(in);
            families.put(family.getName(), family);
        }
        assertThat(families).containsKeys("exec_test_total", "exec_test_window");
        Metrics.Histogram h = families.get("exec_test_window").getMetric(0).getHistogram();
        assertThat(h.getSampleCount()).isEqualTo(1);
        assertThat(h.getBucketCount()).as("classic buckets alongside, +Inf included").isEqualTo(3);
        assertThat(h.getPositiveSpanCount()).as("native buckets").isEqualTo(1);
        assertThat(h.getPositiveDeltaList()).containsExactly(1L);
    }

    /** HEAD: GET's status and headers, Content-Type with its version and Content-Length, no body. */
    @ParameterizedTest(name = "Accept-Encoding: {0}")
    @CsvSource({"identity", "gzip"})
    void headCarriesTheHeadersOfGet(String encoding) throws Exception {
        HttpResponse<byte[]> got = get("/custom/metrics", "Accept-Encoding", encoding);
        HttpResponse<Void> head = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/custom/metrics")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept-Encoding", encoding).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        for (String header : new String[] {"Content-Type", "Content-Length", "Content-Encoding", "Vary"}) {
            assertThat(head.headers().firstValue(header)).as(header).isEqualTo(got.headers().firstValue(header));
        }
        assertThat(head.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(got.body().length);
    }

    @Test
    void gzipsWhenAsked() throws Exception {
        HttpResponse<byte[]> r = get("/custom/metrics", "Accept-Encoding", "gzip");
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("exec_test_total 3.0");
        }
    }

    @Test
    void reusedBodyBufferNeverLeaksAnEarlierScrape() throws Exception {
        // A long scrape, then shorter ones, plain and gzip in turn: each body is exactly its own.
        for (int i = 0; i < 3000; i++) {
            Counter.builder("exec.padding").tag("n", "series-" + i).register(registry).increment(i);
        }
        String big = new String(get("/custom/metrics").body(), StandardCharsets.UTF_8);
        assertThat(big).contains("exec_padding_total{n=\"series-2999\"} 2999.0");
        registry.getMeters().stream().filter(m -> m.getId().getName().equals("exec.padding")).toList()
                .forEach(registry::remove);
        for (String encoding : new String[] {"identity", "gzip", "identity", "gzip"}) {
            HttpResponse<byte[]> r = get("/custom/metrics", "Accept-Encoding", encoding);
            byte[] body = r.body();
            assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(body.length);
            if (encoding.equals("gzip")) {
                try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            String text = new String(body, StandardCharsets.UTF_8);
            assertThat(text).contains("exec_test_total 3.0").doesNotContain("exec_padding").endsWith("\n");
            assertThat(text.length()).isLessThan(big.length() / 10);
        }
    }

    @Test
    void landingPageLinksTheMetrics() throws Exception {
        HttpResponse<byte[]> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .contains("exec-exporter", "1.2.3", "abcdef", "href=\"/custom/metrics\"");
    }

    @ParameterizedTest(name = "{0} healthy={1} ready={2} → {3}")
    @CsvSource({
        "/-/healthy, true, true, 200",
        "/-/healthy, false, true, 503",
        "/-/ready, true, true, 200",
        "/-/ready, true, false, 503",
        "/metrics, true, true, 404",
        "/nothing, true, true, 404",
    })
    void healthAndReadiness(String path, boolean isHealthy, boolean isReady, int status) throws Exception {
        healthy.set(isHealthy);
        ready.set(isReady);
        assertThat(get(path).statusCode()).isEqualTo(status);
    }

    @Test
    void aTakenPortIsOneLine() {
        ListenAddress taken = new ListenAddress("127.0.0.1", server.port());
        assertThatThrownBy(() -> MetricsServer.start(plain(taken, "/metrics"), registry, new BuildInfo("1", "r"),
                () -> true, () -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("failed to listen on 127.0.0.1:" + server.port() + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void everyListenAddressServesAndATakenOneFailsTheWholeStart() throws Exception {
        MetricsServer.Options two = MetricsServer.Options.of(List.of(new ListenAddress("127.0.0.1", 0),
                new ListenAddress("127.0.0.2", 0)), null, "/metrics", WebConfigSource.fixed(WebConfig.open()), 10);
        try (MetricsServer both = MetricsServer.start(two, registry, new BuildInfo("1", "r"), () -> true, () -> true)) {
            assertThat(both.boundAddresses()).hasSize(2).allMatch(a -> a.matches("127\\.0\\.0\\.[12]:\\d+"));
            for (String address : both.boundAddresses()) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + address + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(address).isEqualTo(200);
            }
        }
        MetricsServer.Options oneTaken = MetricsServer.Options.of(List.of(new ListenAddress("127.0.0.2", 0),
                new ListenAddress("127.0.0.1", server.port())), null, "/metrics",
                WebConfigSource.fixed(WebConfig.open()), 10);
        assertThatThrownBy(() -> MetricsServer.start(oneTaken, registry, new BuildInfo("1", "r"), () -> true,
                () -> true)).hasMessageStartingWith("failed to listen on 127.0.0.1:" + server.port() + ": ");
    }
}
