package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.execexporter.testing.TestNative;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed execs counted by the shipped daemon with a failure program loaded for real, by each way
 * this kernel offers: the classic syscall exit tracepoints (tracefs mounted, in a mount namespace
 * of the test's own) and the filtered tp_btf/sys_exit (no tracefs). A copy of execfail under a
 * name nothing else on the host has calls execve on a missing path 7 times (ENOENT), on a file
 * without the exec bit 5 times (EACCES) and on a file of no known format 3 times (ENOEXEC).
 */
@NeedsBpf
class FailuresIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String failures(String comm, String errno) {
        return "exec_failures_total{comm=\"" + comm + "\",errno=\"" + errno + "\"}";
    }

    private static void run(Path binary, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, output).isZero();
    }

    private void countsEveryFailedCallExactly(List<String> wrapper, String attach) throws Exception {
        String name = TestNative.uniqueName("xf");
        Path execfail = TestNative.copyAs(TestNative.execfail(), dir, name);
        Path ok = TestNative.copyNoop(dir, TestNative.uniqueName("xo"));
        try (DaemonProcess daemon = DaemonProcess.start(wrapper, "--no-collector.jvm", "--collector.exec-failures",
                "--metrics.max-series=100000")) {
            assertThat(daemon.awaitLine(l -> l.contains("msg=\"Counting failed execs")
                    && l.contains("attach=" + attach))).as("failed execs by %s", attach).isTrue();
            Scrape first = daemon.scrape();
            assertThat(first.value("exec_exporter_collector_enabled{collector=\"exec_failures\"}")).isEqualTo(1);
            assertThat(first.samples).containsKey("exec_exporter_bpf_failures_seen_total");

            run(execfail, "7", "5", "3");
            run(ok);
            Map<String, Double> expected = Map.of(failures(name, "ENOENT"), 7.0, failures(name, "EACCES"), 5.0,
                    failures(name, "ENOEXEC"), 3.0);
            String okComm = ok.getFileName().toString();
            Scrape s = daemon.scrapeUntil(x -> x.execs(okComm) >= 1 && expected.entrySet().stream()
                    .allMatch(e -> x.samples.getOrDefault(e.getKey(), 0.0) >= e.getValue()), DEADLINE);
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                assertThat(s.samples.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(s.count("exec_failures_total{comm=\"" + name + "\"")).as("no other errno").isEqualTo(3);
            assertThat(s.execs(name)).as("execfail's own exec succeeded, once").isEqualTo(1);
            assertThat(s.count("exec_failures_total{comm=\"" + okComm + "\"")).as("a successful exec fails nothing")
                    .isZero();
            assertThat(s.value("exec_exporter_bpf_failures_seen_total")).isGreaterThanOrEqualTo(15);
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void withoutTracefsTheFilteredSysExitProgramCountsThem() throws Exception {
        countsEveryFailedCallExactly(TraceCommandIT.WITHOUT_TRACEFS, "tp_btf/sys_exit");
    }

    @Test
    void withTracefsTheClassicSyscallTracepointsCountThem() throws Exception {
        countsEveryFailedCallExactly(TraceCommandIT.WITH_TRACEFS, "tracepoint");
    }

    @Test
    void offByDefaultAndSaysSo() throws Exception {
        String name = TestNative.uniqueName("xn");
        Path execfail = TestNative.copyAs(TestNative.execfail(), dir, name);
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--metrics.max-series=100000")) {
            run(execfail, "2", "0");
            Scrape s = daemon.scrapeUntil(x -> x.execs(name) >= 1, DEADLINE);
            assertThat(s.value("exec_exporter_collector_enabled{collector=\"exec_failures\"}")).isZero();
            assertThat(s.value("exec_exporter_bpf_failures_seen_total")).isZero();
            assertThat(s.count("exec_failures_total")).isZero();
        }
    }
}
