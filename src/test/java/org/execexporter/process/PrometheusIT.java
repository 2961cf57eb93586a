package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.RootOrCi;
import org.execexporter.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus server (Debian's prometheus package) scrapes the daemon every second. */
@NeedsBpf
class PrometheusIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Process prometheus;
    private int prometheusPort;

    @BeforeEach
    void prometheusInstalled() {
        if (!RootOrCi.inCi()) { // in CI, a missing Prometheus fails the test
            Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "the prometheus package is not installed");
        }
    }

    /**
     * One exec of each name first, so that each series exists in Prometheus before the storm; then a
     * storm of {@code execs} over {@code workers}: Prometheus sees each name's exact increase.
     */
    private void assertStormIncreasesExactly(List<byte[]> names, String selector, int workers, int execs)
            throws Exception {
        ExecStorm.run(dir, 1, names.size(), names);
        await("Prometheus sees the first exec of each name", () -> query(selector + " == 1").size() == names.size());

        ExecStorm.Result storm = ExecStorm.run(dir, workers, execs, names);
        long expected = storm.total() + names.size();
        await("Prometheus has scraped the storm", DEADLINE.plus(storm.deadline()),
                () -> single(query("sum(" + selector + ")")) == expected);

        Map<String, Double> increase = byComm(query(selector + " - min_over_time(" + selector + "[10m])"));
        for (byte[] name : names) {
            assertThat(increase.get(new String(name, StandardCharsets.UTF_8)))
                    .as("increase of %s", new String(name, StandardCharsets.UTF_8))
                    .isEqualTo((double) storm.perNameHex().get(HexFormat.of().formatHex(name)));
        }
    }

    @AfterEach
    void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroyForcibly();
            prometheus.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void promqlSeesTheExactIncreasePerComm() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        List<byte[]> names = List.of(ExecStorm.ascii("prA" + tag), ExecStorm.ascii("prB" + tag),
                ExecStorm.ascii("prC" + tag));
        String selector = "exec_events_total{comm=~\"pr[ABC]" + tag + "\"}";
        // a cap far above anything else on the host: another process flooding names must not take our slots
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--comm.max-series=100000")) {
            startPrometheus(daemon.port);
            await("Prometheus scrapes the daemon", () -> single(query("up{job=\"exec\"}")) == 1);

            assertStormIncreasesExactly(names, selector, 3, 6_000);
            assertThat(single(query("exec_exporter_lost_events_total"))).isZero();
            assertThat(single(query("exec_exporter_dropped_events_total"))).isZero();
            assertThat(daemon.stop()).isZero();
        }
    }

    /**
     * The same over TLS with basic auth: Prometheus verifies the daemon's certificate against the
     * test's CA and sends its password; the count per comm is exact, and nobody else gets in.
     */
    @Test
    void promqlOverTlsWithBasicAuth() throws Exception {
        TestPki pki = new TestPki(dir).ca("ca").leaf("server", "ec-sec1", "ca", "IP:127.0.0.1,DNS:localhost", false);
        String hash = BCrypt.withDefaults().hashToString(10, "sesame".toCharArray());
        Path web = Files.writeString(dir.resolve("web.yml"), """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  min_version: TLS12
                basic_auth_users:
                  prometheus: '%s'
                """.formatted(hash));
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        List<byte[]> names = List.of(ExecStorm.ascii("tlA" + tag), ExecStorm.ascii("tlB" + tag));
        String selector = "exec_events_total{comm=~\"tl[AB]" + tag + "\"}";
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--comm.max-series=100000",
                "--web.config.file=" + web)) {
            assertThat(daemon.output).anyMatch(l -> l.contains("tls_versions=TLSv1.2,TLSv1.3") && l.contains("basic_auth_users=1"));
            HttpResponse<byte[]> anonymous = HttpClient.newBuilder().sslContext(pki.clientContext("ca", null)).build()
                    .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + daemon.port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                    assertThat(v).startsWith("Basic"));

            startPrometheus(daemon.port, """
                        scheme: https
                        tls_config:
                          ca_file: %s
                        basic_auth:
                          username: prometheus
                          password: sesame
                    """.formatted(pki.path("ca.crt")));
            await("Prometheus scrapes the daemon over TLS", () -> single(query("up{job=\"exec\"}")) == 1);
            assertStormIncreasesExactly(names, selector, 2, 3_000);
            assertThat(single(query("exec_exporter_lost_events_total"))).isZero();
            assertThat(daemon.stop()).isZero();
        }
    }

    /**
     * Prometheus with native histograms on asks for protobuf, and stores each comm's window
     * histogram as one series: histogram_quantile answers over it without any _bucket series, and
     * its sum is exactly the comm's execs (each exec is in exactly one window).
     */
    @Test
    void nativePerCommHistogramAnswersHistogramQuantile() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        byte[] name = ExecStorm.ascii("nh" + tag);
        String comm = new String(name, StandardCharsets.UTF_8);
        String histogram = "exec_comm_window_events{comm=\"" + comm + "\"}";
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--comm.max-series=100000")) {
            startPrometheus(daemon.port, "", "--enable-feature=native-histograms");
            await("Prometheus scrapes the daemon", () -> single(query("up{job=\"exec\"}")) == 1);

            ExecStorm.Result storm = ExecStorm.runFor(dir, 1, 4, 40, List.of(name));
            await("every window of the storm closed and scraped",
                    () -> single(query("histogram_sum(" + histogram + ")")) == storm.total());

            // the storm's processes ended too: each exit counted once, status 0
            await("every exit of the storm scraped",
                    () -> single(query("sum(exec_exits_total{comm=\"" + comm + "\"})")) == storm.total());
            assertThat(single(query("count({comm=\"" + comm + "\"})")))
                    .as("series of the comm in Prometheus: the exec counter, the window histogram, the exits "
                            + "counter (status 0) and the lifetime histogram, both histograms native").isEqualTo(4);
            assertThat(single(query("histogram_count(exec_process_lifetime_seconds{comm=\"" + comm + "\"})")))
                    .isEqualTo(storm.total());
            assertThat(query("count({__name__=~\"exec_comm_window_events_.+\", comm=\"" + comm + "\"})"))
                    .as("no classic _bucket, _count or _sum series").isEmpty();
            double windows = single(query("histogram_count(" + histogram + ")"));
            assertThat(windows).isBetween(1.0, (double) storm.total());
            assertThat(windows).as("the same histogram as the text format's _count")
                    .isEqualTo(textSample(daemon.port, "exec_comm_window_events_count{comm=\"" + comm + "\"}"));
            double median = single(query("histogram_quantile(0.5, " + histogram + ")"));
            assertThat(median).as("median execs per window").isBetween(1.0, (double) storm.total());
            assertThat(single(query("exec_events_total{comm=\"" + comm + "\"}"))).isEqualTo((double) storm.total());
            assertThat(daemon.stop()).isZero();
        }
    }

    /** The value of one sample in the daemon's plain-text scrape. */
    private double textSample(int port, String series) throws IOException, InterruptedException {
        String text = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1))).findFirst().orElse(Double.NaN);
    }

    private void startPrometheus(int exporterPort) throws IOException {
        startPrometheus(exporterPort, "");
    }

    private void startPrometheus(int exporterPort, String scrapeOptions) throws IOException {
        startPrometheus(exporterPort, scrapeOptions, "--log.level=info");
    }

    /**
     * @param scrapeOptions more keys of the scrape config, each line indented by 4 spaces
     * @param flag          one more flag of the server
     */
    private void startPrometheus(int exporterPort, String scrapeOptions, String flag) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            prometheusPort = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: exec
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(exporterPort) + scrapeOptions);
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort, flag)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    /** The result vector of an instant query; empty while Prometheus is not up yet. */
    private JsonNode query(String promql) throws InterruptedException {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + prometheusPort + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = json.readTree(r.body());
            return body.path("data").path("result");
        } catch (IOException e) {
            return json.createArrayNode();
        }
    }

    /** Each target's health and last scrape error, for a failure message. */
    private String targets() {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + prometheusPort + "/api/v1/targets")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<String> out = new java.util.ArrayList<>();
            json.readTree(r.body()).path("data").path("activeTargets").forEach(t -> out.add(
                    t.path("health").asText() + " " + t.path("lastError").asText()));
            return out.toString();
        } catch (IOException | InterruptedException e) {
            return "(not answered: " + e + ")";
        }
    }

    private static Map<String, Double> byComm(JsonNode result) {
        Map<String, Double> out = new HashMap<>();
        result.forEach(r -> out.put(r.path("metric").path("comm").asText(), r.path("value").get(1).asDouble()));
        return out;
    }

    /** The value of a one-element result vector; NaN otherwise. */
    private static double single(JsonNode result) {
        return result.size() == 1 ? result.get(0).path("value").get(1).asDouble() : Double.NaN;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private void await(String what, Check check) throws Exception {
        await(what, DEADLINE, check);
    }

    private void await(String what, Duration within, Check check) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline || !prometheus.isAlive()) {
                throw new AssertionError("timed out waiting until " + what + "; targets: " + targets() + "; prometheus log: "
                        + Files.readString(dir.resolve("prometheus.log")).lines().limit(40).toList());
            }
            Thread.sleep(250);
        }
    }
}
