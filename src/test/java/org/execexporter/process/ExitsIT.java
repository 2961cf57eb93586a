package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.execexporter.testing.TestNative;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How exec'd processes end, counted by the shipped daemon with the exit program loaded for real:
 * copies of the test helpers under names nothing else on the host has, run a known number of
 * times, must show exactly those exits with the status waitpid() gave us.
 */
@NeedsBpf
class ExitsIT {
    private static final int TIMES = 5;
    /** How long counted exits may take to show: far beyond any machine's poll timeout. */
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Runs {@code command}, returns what waitpid() said, as ProcessBuilder reports it. */
    private static int run(Path binary, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
        return p.exitValue();
    }

    /** ProcessBuilder's exit value (a code, or 128 + the signal) as the status label names it. */
    private static String label(int exitValue) {
        return switch (exitValue) {
            case 128 + 9 -> "SIGKILL";
            case 128 + 11 -> "SIGSEGV";
            default -> Integer.toString(exitValue);
        };
    }

    private static String exits(String comm, String status) {
        return "exec_exits_total{comm=\"" + comm + "\",status=\"" + status + "\"}";
    }

    private static double value(Scrape s, String series) {
        return s.samples.getOrDefault(series, 0.0);
    }

    @Test
    void countsEachEndedProcessOnceWithItsWaitStatusAndLifetime() throws Exception {
        String exit3 = TestNative.uniqueName("e3");
        String killself = TestNative.uniqueName("ks");
        String segv = TestNative.uniqueName("sg");
        String threads = TestNative.uniqueName("th");
        String sleeper = TestNative.uniqueName("sl");
        Path exit3Bin = TestNative.copyAs(TestNative.exit3(), dir, exit3);
        Path killselfBin = TestNative.copyAs(TestNative.killself(), dir, killself);
        Path segvBin = TestNative.copyAs(TestNative.segv(), dir, segv);
        Path threadsBin = TestNative.copyAs(TestNative.threads(), dir, threads);
        Path sleeperBin = TestNative.copyAs(TestNative.sleeper(), dir, sleeper);

        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--comm.max-series=100000")) {
            Scrape first = daemon.scrape();
            assertThat(first.samples).as("present from the first scrape")
                    .containsKey("exec_exporter_bpf_exits_seen_total");

            Map<String, Double> expected = new LinkedHashMap<>();
            for (int i = 0; i < TIMES; i++) {
                assertThat(run(exit3Bin)).isEqualTo(3);
                assertThat(run(killselfBin)).isEqualTo(128 + 9);
                assertThat(run(segvBin)).isEqualTo(128 + 11);
            }
            expected.put(exits(exit3, "3"), (double) TIMES);
            expected.put(exits(killself, "SIGKILL"), (double) TIMES);
            expected.put(exits(segv, "SIGSEGV"), (double) TIMES);
            // many threads, one process, one exit: whichever thread leaves last, and with the group's status
            for (String[] mode : List.of(new String[] {"before", "16", "4"}, new String[] {"after", "16", "5"},
                    new String[] {"after-exit", "16", "6"})) {
                expected.merge(exits(threads, label(run(threadsBin, mode))), 1.0, Double::sum);
            }
            long started = System.nanoTime();
            assertThat(run(sleeperBin, "1500")).isZero();
            double lived = (System.nanoTime() - started) / 1e9;
            expected.put(exits(sleeper, "0"), 1.0);

            Scrape s = daemon.scrapeUntil(x -> expected.entrySet().stream()
                    .allMatch(e -> value(x, e.getKey()) >= e.getValue()), DEADLINE);
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                assertThat(value(s, e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(s.count("exec_exits_total{comm=\"" + threads + "\"")).as("one status per threads mode")
                    .isEqualTo(3);
            assertThat(s.count("exec_exits_total{comm=\"" + exit3 + "\"")).isEqualTo(1);

            String hist = "exec_process_lifetime_seconds";
            String comm = "comm=\"" + sleeper + "\"";
            assertThat(value(s, hist + "_count{" + comm + "}")).isEqualTo(1);
            assertThat(value(s, hist + "_bucket{" + comm + ",le=\"1.0\"}")).as("lived 1.5 s: not within 1 s").isZero();
            assertThat(value(s, hist + "_bucket{" + comm + ",le=\"10.0\"}")).isEqualTo(1);
            assertThat(value(s, hist + "_sum{" + comm + "}")).isGreaterThanOrEqualTo(1.5).isLessThanOrEqualTo(lived);
            assertThat(value(s, hist + "_count{comm=\"" + exit3 + "\"}")).isEqualTo(TIMES);

            assertThat(s.value("exec_exporter_bpf_exits_seen_total"))
                    .isGreaterThanOrEqualTo(expected.values().stream().mapToDouble(Double::doubleValue).sum());
            assertThat(s.value("exec_exporter_lost_events_total")).isZero();
            assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(s.value("exec_exporter_decode_errors_total")).isZero();
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void noCollectorExitsLoadsNoExitProgram() throws Exception {
        String exit3 = TestNative.uniqueName("e3");
        Path exit3Bin = TestNative.copyAs(TestNative.exit3(), dir, exit3);
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--no-collector.exits",
                "--comm.max-series=100000")) {
            assertThat(run(exit3Bin)).isEqualTo(3);
            Scrape s = daemon.scrapeUntil(x -> x.execs(exit3) >= 1, DEADLINE);
            assertThat(s.execs(exit3)).isEqualTo(1);
            assertThat(s.count("exec_exits_total{comm=\"" + exit3 + "\"")).isZero();
            assertThat(s.value("exec_exporter_bpf_exits_seen_total")).isZero();
        }
    }
}
