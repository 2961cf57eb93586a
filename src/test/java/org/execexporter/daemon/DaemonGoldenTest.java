package org.execexporter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.execexporter.attribution.Attribution;
import org.execexporter.base.BuildInfo;
import org.execexporter.capture.CaptureStats;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.ListenAddress;
import org.execexporter.config.WebConfig;
import org.execexporter.http.MetricsServer;
import org.execexporter.testing.Http;
import org.execexporter.testing.Promtool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole daemon but the kernel: a fake source, the real queue, aggregator (stepped on a fake
 * clock), meters and HTTP server. Its scrape is diffed against a golden file: names, types, HELP,
 * the escaping of hostile comms. Run with -Dexecexporter.updateGolden=true to rewrite the file.
 */
class DaemonGoldenTest {
    static final Path GOLDEN = Path.of("src/test/resources/org/execexporter/daemon/golden-metrics.txt");
    private static final long S = 1_000_000_000L;
    private static final long T0 = 7000 * S;

    /** Hostile names as raw bytes, each at most 15: what the kernel may hand us. */
    static final List<byte[]> HOSTILE = List.of(
            bytes("quote\"d"),
            bytes("back\\slash"),
            bytes("new\nline"),
            new byte[] {'c', 't', 'l', 0x01, 0x1b, 0x7f},
            new byte[] {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80},
            cut(bytes("ééééééé\u00e9"), 15), // 7 two-byte characters and the first byte of an 8th
            bytes("🚀launch"),
            bytes("{}=,#"));

    private long now = T0;
    private FakeExecSource source;
    private Daemon daemon;

    @BeforeEach
    void start() {
        DaemonConfig d = DaemonConfig.defaults();
        DaemonConfig config = new DaemonConfig(new DaemonConfig.Web(new ListenAddress("127.0.0.1", 0), "/metrics"),
                d.log(), new DaemonConfig.Metrics(10, d.metrics().idleTimeout(), List.of(), List.of()), d.queue(),
                d.rate(), new DaemonConfig.Collector(false), d.bpf());
        source = new FakeExecSource();
        daemon = new Daemon(config, source, Attribution.none(), Daemon.collectorsOf(true, false),
                new BuildInfo("0.1.0", "golden"), () -> now, () -> 1_795_000_000_000L);
        daemon.startCounting(false);
    }

    @AfterEach
    void stop() {
        daemon.close();
        assertThat(source.closed).isTrue();
    }

    @Test
    void scrapeMatchesTheGoldenFile() throws Exception {
        for (int i = 0; i < 3; i++) {
            source.emit(bytes("bash"), T0 + i * 1000);
        }
        source.emit(bytes("cron"), T0 + 500_000_000);
        for (byte[] name : HOSTILE) {
            source.emit(name, T0 + 600_000_000);
        }
        source.emit(bytes("over1"), T0 + 700_000_000); // the 11th and 12th comms: overflow
        source.emit(bytes("over2"), T0 + S + 1);
        source.emitExit(bytes("bash"), 0, 3_000_000);            // exited 0 after 3 ms
        source.emitExit(bytes("bash"), 3 << 8, 2_500_000_000L);  // exited 3 after 2.5 s
        source.emitExit(bytes("cron"), 9, 90_000_000_000L);      // SIGKILL after 90 s
        source.emitExit(bytes("over3"), 11 | 0x80, 50_000_000); // SIGSEGV, core dumped: overflow
        source.emitFailure(bytes("cron"), 2);  // ENOENT, twice
        source.emitFailure(bytes("cron"), 2);
        source.emitFailure(bytes("bash"), 13); // EACCES
        source.stats = new CaptureStats(18, 2, 0, 0, 17, 2, -1, -1, 4, 3);
        now = T0 + 3 * S; // windows 7000 (14 execs) and 7001 (1 exec) close
        daemon.aggregator().step();

        MetricsServer server = daemon.serve(WebConfig.open());
        HttpResponse<byte[]> r = Http.get(server.port(), "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        String scrape = Http.utf8(r.body()); // strict: a byte that is not UTF-8 fails
        if (Boolean.getBoolean("execexporter.updateGolden")) {
            Files.writeString(GOLDEN, scrape);
        }
        assertThat(scrape).isEqualTo(Files.readString(GOLDEN));
        Promtool.assertAccepts(scrape);
    }

    /**
     * At the defaults (the JVM collector on), the scrape carries the standard process metrics
     * every exporter has, and promtool's lint finds nothing in it, jvm_* included.
     */
    @Test
    void defaultScrapeHasProcessMetricsAndPassesPromtool() throws Exception {
        DaemonConfig d = DaemonConfig.defaults();
        DaemonConfig config = new DaemonConfig(new DaemonConfig.Web(new ListenAddress("127.0.0.1", 0), "/metrics"),
                d.log(), d.metrics(), d.queue(), d.rate(), d.collector(), d.bpf());
        try (Daemon defaults = new Daemon(config, new FakeExecSource(), new BuildInfo("0.1.0", "x"), () -> now)) {
            defaults.startCounting(false);
            source.emit(bytes("bash"), T0);
            String scrape = Http.utf8(Http.get(defaults.serve(WebConfig.open()).port(), "/metrics").body());
            for (String name : List.of("process_resident_memory_bytes ", "process_cpu_seconds_total ",
                    "process_open_fds ", "process_max_fds ", "process_start_time_seconds ", "jvm_memory_used_bytes{")) {
                assertThat(scrape).contains("\n" + name);
            }
            Promtool.assertAccepts(scrape);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] cut(byte[] b, int length) {
        return java.util.Arrays.copyOf(b, length);
    }
}
