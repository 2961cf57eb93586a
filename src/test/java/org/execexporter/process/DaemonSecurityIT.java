package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.execexporter.testing.Bpftool;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.ProcStatus;
import org.execexporter.testing.Scrape;
import org.execexporter.testing.Subprocess;
import org.execexporter.testing.TestNative;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The daemon's privileges and failure paths, as the shipped jar: an ordinary user with only
 * CAP_BPF and CAP_PERFMON, every capability of every thread dropped once attached (and counting
 * after), one line for whatever is missing or wrong, SIGKILL leaving nothing in the kernel.
 */
@NeedsBpf
class DaemonSecurityIT {
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    private static final List<String> NOBODY_WITH_CAPS = List.of("setpriv", "--reuid=65534", "--regid=65534",
            "--clear-groups", "--inh-caps=+bpf,+perfmon", "--ambient-caps=+bpf,+perfmon");
    private static final String NONE = ProcStatus.NO_CAPABILITIES;
    /** A cap far above anything else on the host: another process flooding names must not take our slots. */
    private static final String ROOM = "--comm.max-series=100000";

    @TempDir
    Path dir;

    @BeforeEach
    void worldReadableDir() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Execs {@code count} of a fresh name and waits until the daemon has counted exactly them. */
    private void assertCounts(DaemonProcess daemon, String prefix, int count) throws Exception {
        byte[] name = ExecStorm.ascii(prefix + Long.toString(System.nanoTime() % 1_000_000_000L, 36));
        ExecStorm.Result storm = ExecStorm.run(dir.resolve(prefix), 2, count, List.of(name));
        String label = DaemonIT.label(name);
        Scrape s = daemon.scrapeUntil(x -> x.execs(label) >= storm.total(), storm.deadline());
        assertThat(s.execs(label)).as("execs of %s", label)
                .isEqualTo(storm.perNameHex().get(HexFormat.of().formatHex(name)));
        assertThat(s.value("exec_exporter_lost_events_total")).isZero();
    }

    private static Map<String, Map<String, String>> awaitDropped(long pid) throws Exception {
        var threads = ProcStatus.capabilities(pid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (threads.values().stream().anyMatch(sets -> !NONE.equals(sets.get("CapEff")))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            threads = ProcStatus.capabilities(pid);
        }
        return threads;
    }

    @Test
    void asRootEveryThreadDropsEveryCapabilityAndTheDaemonKeepsCounting() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", ROOM)) {
            var threads = awaitDropped(daemon.pid());
            assertThat(threads).hasSizeGreaterThan(5);
            threads.forEach((tid, sets) -> assertThat(sets).as("thread %s", tid)
                    .containsEntry("CapEff", NONE).containsEntry("CapPrm", NONE).containsEntry("CapInh", NONE)
                    .containsEntry("CapAmb", NONE).containsEntry("CapBnd", NONE));
            assertThat(daemon.awaitLine(l -> l.contains("Dropped every capability")
                    && l.contains("the bounding set is empty too"))).as("the drop's log line in %s", daemon.output).isTrue();
            assertCounts(daemon, "dr", 2_000);
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void keepsCapabilitiesWhenAskedTo() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", ROOM, "--no-capabilities.drop")) {
            assertCounts(daemon, "kp", 100);
            assertThat(ProcStatus.capabilities(daemon.pid()).values())
                    .allSatisfy(sets -> assertThat(sets.get("CapEff")).isNotEqualTo(NONE));
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void runsAsAnOrdinaryUserWithOnlyCapBpfAndCapPerfmonThenHoldsNone() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(NOBODY_WITH_CAPS, "--no-collector.jvm", ROOM)) {
            assertThat(ProcStatus.line(daemon.pid(), "Uid")).isEqualTo("Uid:\t65534\t65534\t65534\t65534");
            var threads = awaitDropped(daemon.pid());
            threads.forEach((tid, sets) -> assertThat(sets).as("thread %s", tid)
                    .containsEntry("CapEff", NONE).containsEntry("CapPrm", NONE).containsEntry("CapAmb", NONE)
                    .containsEntry("CapInh", NONE));
            // Without CAP_SETPCAP the bounding set cannot shrink: the log says what it keeps, as /proc does.
            String bounding = threads.values().iterator().next().get("CapBnd");
            assertThat(bounding).isNotEqualTo(NONE);
            threads.forEach((tid, sets) -> assertThat(sets).as("thread %s", tid).containsEntry("CapBnd", bounding));
            assertThat(daemon.awaitLine(l -> l.contains("Dropped every capability")
                    && l.contains("the bounding set keeps") && l.contains("(" + bounding + ")")
                    && l.contains("emptying it needs CAP_SETPCAP"))).as("the drop's log line in %s", daemon.output).isTrue();
            assertCounts(daemon, "nb", 2_000);
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void withoutPrivilegesSaysWhatIsMissingInOneLine() throws Exception {
        try (Subprocess p = Subprocess.start(Subprocess.exporter(NOBODY, "--web.listen-address=127.0.0.1:0"))) {
            assertThat(p.awaitExit(60_000)).contains(1);
            assertFailureLine(p.stderr(), "exec-exporter: missing CAP_BPF and CAP_PERFMON: "
                    + "run as root or with the capabilities CAP_BPF and CAP_PERFMON");
        }
        try (Subprocess p = Subprocess.start(Subprocess.exporter(List.of("setpriv", "--reuid=65534",
                "--regid=65534", "--clear-groups", "--inh-caps=+bpf", "--ambient-caps=+bpf"),
                "--web.listen-address=127.0.0.1:0"))) {
            assertThat(p.awaitExit(60_000)).contains(1);
            assertFailureLine(p.stderr(), "exec-exporter: missing CAP_PERFMON: "
                    + "run as root or with the capabilities CAP_BPF and CAP_PERFMON");
        }
    }

    @Test
    void sigkillLeavesNothingInTheKernelAndARestartCounts() throws Exception {
        List<Long> programs;
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", ROOM)) {
            programs = new ArrayList<>(Bpftool.programsOf(daemon.pid(), "exec_btf"));
            programs.addAll(Bpftool.programsOf(daemon.pid(), "exec_tracepoint"));
            assertThat(programs).hasSize(1);
            daemon.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup of our own
            assertThat(daemon.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        for (long id : programs) {
            assertThat(Bpftool.awaitGone(id, 60_000)).as("program %d gone with the process", id).isTrue();
        }
        try (DaemonProcess again = DaemonProcess.start("--no-collector.jvm", ROOM)) {
            assertCounts(again, "rs", 500);
            List<Long> now = Bpftool.programsOf(again.pid(), "exec_btf");
            long start = System.nanoTime();
            // stop() fails the test if the daemon has not exited 30 s after SIGTERM: a hang, whatever the machine
            assertThat(again.stop()).as("exit status after SIGTERM").isZero();
            System.out.printf("daemon exited %d ms after SIGTERM%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            for (long id : now) {
                assertThat(Bpftool.awaitGone(id, 60_000)).isTrue();
            }
            assertThat(again.output).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
        }
    }

    @Test
    void aBusyPortIsOneLineAndExitOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Subprocess p = Subprocess.start(Subprocess.exporter(List.of(),
                     "--web.listen-address=127.0.0.1:" + taken.getLocalPort(), "--no-collector.jvm"))) {
            assertThat(p.awaitExit(60_000)).contains(1);
            assertFailureLine(p.stderr(), "exec-exporter: failed to listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use");
            assertThat(p.stdoutLines()).noneMatch(l -> l.contains("ERROR") || l.contains("Exception")
                    || l.startsWith("\tat "));
        }
    }

    /**
     * stderr of a start that failed after logging began: promslog lines of the phases that worked,
     * then the one line that says what failed, and nothing else (no stack trace, no other level).
     */
    private static void assertFailureLine(String stderr, String line) {
        List<String> lines = stderr.lines().toList();
        assertThat(lines).last().isEqualTo(line);
        assertThat(lines.subList(0, lines.size() - 1)).allMatch(l -> l.startsWith("time=") && l.contains(" level=INFO "));
    }

    /** Bad input, through the jar: exit code and the one line on stderr (a regex), nothing else there. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            --web.max-requests=-1            | 2 | invalid value "-1" for flag --web.max-requests: must be from 0 \\(no limit\\) to 10000 \\(see --help\\)
            --web.config.file=/no/web.yml    | 2 | web config file /no/web.yml: no such file
            --web.config.file=DIR/unknown.yml | 2 | web config file DIR/unknown.yml: unknown key /tls_server_config/certfile \\(known keys here: .*\\)
            --web.config.file=DIR/dir.yml    | 1 | web config file DIR/dir.yml: /tls_server_config/cert_file DIR: cannot read it: it is a directory
            --web.config.file=DIR            | 1 | web config file DIR: cannot read it: it is a directory
            --config.file=DIR/bad.yml        | 2 | config file DIR/bad.yml: /web/max_requests must be from 0 \\(no limit\\) to 10000
            --config.file=DIR/key.yml        | 2 | config file DIR/key.yml: unknown key /web/colour \\(known keys here: config_file, listen_address, max_requests, systemd_socket, telemetry_path\\)
            --bpf.poll-timeout=forever       | 2 | invalid value .*--bpf.poll-timeout.*
            --web.config.file=DIR/cost.yml   | 2 | web config file DIR/cost.yml: /basic_auth_users/prometheus has bcrypt cost 31: the cost must be from 4 to 12 .*
            --comm.idle-timeout=99999999999999999d | 2 | invalid value "99999999999999999d" for flag --comm.idle-timeout: duration out of range \\(at most 106751d\\): "99999999999999999d" \\(see --help\\)
            --config.file=DIR/idle.yml       | 2 | config file DIR/idle.yml: /comm/idle_timeout is invalid: duration out of range \\(at most 106751d\\): "200000d"
            --config.file=/dev/zero          | 1 | config file /dev/zero: cannot read it: not a regular file
            --config.file=/dev/urandom       | 1 | config file /dev/urandom: cannot read it: not a regular file
            --config.file=DIR/fifo           | 1 | config file DIR/fifo: cannot read it: not a regular file
            --web.config.file=DIR/fifo       | 1 | web config file DIR/fifo: cannot read it: not a regular file
            --web.config.file=DIR/zero.yml   | 1 | web config file DIR/zero.yml: /tls_server_config/cert_file /dev/zero: cannot read it: not a regular file
            --web.config.file=DIR/fifokey.yml | 1 | web config file DIR/fifokey.yml: /tls_server_config/key_file DIR/fifo: cannot read it: not a regular file
            """)
    void badInputIsOneLineWithTheRightExitCode(String flag, int code, String message) throws Exception {
        Files.writeString(dir.resolve("unknown.yml"), "tls_server_config: {certfile: x}\n");
        Files.writeString(dir.resolve("dir.yml"), "tls_server_config: {cert_file: " + dir + ", key_file: k}\n");
        Files.writeString(dir.resolve("bad.yml"), "web: {max_requests: -5}\n");
        Files.writeString(dir.resolve("key.yml"), "web: {colour: blue}\n");
        Files.writeString(dir.resolve("idle.yml"), "comm: {idle_timeout: 200000d}\n");
        Files.writeString(dir.resolve("cost.yml"),
                "basic_auth_users: {prometheus: '$2y$31$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0'}\n");
        Files.writeString(dir.resolve("zero.yml"), "tls_server_config: {cert_file: /dev/zero, key_file: /dev/zero}\n");
        Files.writeString(dir.resolve("fifokey.yml"), "tls_server_config: {cert: x, key_file: fifo}\n");
        assertThat(new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start().waitFor()).isZero();
        try (Subprocess p = Subprocess.start(Subprocess.exporter(List.of(), flag.replace("DIR", dir.toString())))) {
            assertThat(p.awaitExit(60_000)).contains(code);
            assertThat(p.stderr().replace(dir.toString(), "DIR")).matches("exec-exporter: " + message + "\n");
            assertThat(p.stdoutLines()).isEmpty();
        }
    }

    /** The native library's path (the launcher sets it) is refused, not opened, when it is a FIFO or a device. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fifo", "/dev/zero"})
    void aNativeLibraryThatIsNotARegularFileIsOneLine(String library) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        String path = library.equals("fifo") ? fifo.toString() : library;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dexecexporter.native.library=" + path, "-jar", TestNative.jar().toString(),
                "--web.listen-address=127.0.0.1:0"));
        try (Subprocess p = Subprocess.start(command)) {
            assertThat(p.awaitExit(60_000)).contains(1);
            assertFailureLine(p.stderr(), "exec-exporter: cannot load the native library libexecexporter.so; "
                    + "tried: " + path + ": not a regular file");
        }
    }

    @Test
    void anUnreadableFileIsARuntimeFailureInOneLine() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.yml"), "web: {}\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        try (Subprocess p = Subprocess.start(Subprocess.exporter(NOBODY, "--config.file=" + secret))) {
            assertThat(p.awaitExit(60_000)).contains(1);
            assertThat(p.stderr()).isEqualTo("exec-exporter: config file " + secret
                    + ": cannot read it: permission denied\n");
        }
    }
}
