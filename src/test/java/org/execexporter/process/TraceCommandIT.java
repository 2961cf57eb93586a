package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execexporter.testing.Bpftool;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.ProcStatus;
import org.execexporter.testing.Subprocess;
import org.execexporter.testing.TestNative;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `exec-exporter trace` as a user runs it: the real jar, the real kernel, signals, namespaces. */
@NeedsBpf
class TraceCommandIT {
    private static final Pattern LINE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d) EXEC  (\\d+) +(\\S+) +(.*)$");
    private static final long START_MILLIS = 60_000;
    /** How long an exit or a program's release may take: a hang, not a slow machine, goes past it. */
    private static final long EXIT_MILLIS = 60_000;
    /** A private mount namespace without tracefs or debugfs; refuses to run if they stay visible. */
    static final List<String> WITHOUT_TRACEFS = List.of("unshare", "-m", "--propagation", "private",
            "sh", "-c", "for m in /sys/kernel/debug/tracing /sys/kernel/tracing /sys/kernel/debug; do "
                    + "umount -l $m 2>/dev/null; done; "
                    + "if grep -qE ' (tracefs|debugfs) ' /proc/mounts; then echo 'tracefs still mounted' >&2; exit 99; fi; "
                    + "exec \"$@\"", "sh");
    static final List<String> WITH_TRACEFS = List.of("unshare", "-m", "--propagation", "private",
            "sh", "-c", "grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts || "
                    + "mount -t tracefs tracefs /sys/kernel/tracing || exit 98; exec \"$@\"", "sh");

    @TempDir
    Path tmp;

    @BeforeEach
    void worldReadableTmp() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Execs a uniquely named binary until the trace prints it; returns that line and the exec's pid. */
    private record Seen(String line, long pid, Path binary, String name) {}

    private Seen execUntilTraced(Subprocess trace) throws Exception {
        String name = TestNative.uniqueName("tc");
        Path binary = TestNative.copyNoop(tmp, name);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
        List<Long> pids = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Process p = new ProcessBuilder(binary.toString()).start();
            p.waitFor(10, TimeUnit.SECONDS);
            pids.add(p.pid());
            var line = trace.awaitLine(l -> l.contains(name), 300);
            if (line.isPresent()) {
                long pid = pids.stream().filter(pp -> line.get().contains(String.valueOf(pp))).findFirst().orElse(-1L);
                return new Seen(line.get(), pid, binary, name);
            }
            if (trace.awaitExit(0).isPresent()) {
                throw new AssertionError("trace exited early: " + trace.stderr());
            }
        }
        throw new AssertionError("no trace line for " + name + "; stderr: " + trace.stderr());
    }

    private static void stopAndCheckClean(Subprocess trace, String signal) throws Exception {
        List<Long> programs = Bpftool.programsOf(trace.pid(), "exec_btf");
        programs.addAll(Bpftool.programsOf(trace.pid(), "exec_tracepoint"));
        assertThat(programs).as("programs held by the trace").isNotEmpty();

        long start = System.nanoTime();
        trace.signal(signal);
        assertThat(trace.awaitExit(EXIT_MILLIS)).as("exit status after SIG%s", signal).contains(0);
        System.out.printf("trace exited %d ms after SIG%s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), signal);
        for (long id : programs) {
            assertThat(Bpftool.awaitGone(id, EXIT_MILLIS)).as("program %d gone", id).isTrue();
        }
        assertThat(trace.stderr()).isEmpty();
    }

    @Test
    void printsTheClassicHeaderAndOneLinePerExecThenStopsCleanlyOnSigterm() throws Exception {
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(List.of(), "trace"))) {
            assertThat(trace.awaitLine(l -> true, START_MILLIS))
                    .contains("TIME     EVENT PID     COMM             FILENAME");
            Seen seen = execUntilTraced(trace);

            Matcher m = LINE.matcher(seen.line());
            assertThat(m.matches()).as(seen.line()).isTrue();
            assertThat(Long.parseLong(m.group(2))).isEqualTo(seen.pid());
            assertThat(m.group(3)).isEqualTo(seen.name());
            assertThat(m.group(4)).isEqualTo(seen.binary().toString());
            assertThat(seen.line().indexOf(seen.name())).isEqualTo("TIME     EVENT PID     ".length());

            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void ctrlCEndsItCleanlyToo() throws Exception {
        // SIGINT at its default, as from a terminal: a suite started in the background (nohup, `&` in a
        // script) hands its children SIGINT ignored, and the JVM leaves an ignored SIGINT ignored
        List<String> interruptible = List.of("env", "--default-signal=INT");
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(interruptible, "trace"))) {
            execUntilTraced(trace);
            stopAndCheckClean(trace, "INT");
        }
    }

    @Test
    void jsonHasOneObjectPerLineWithEveryField() throws Exception {
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(List.of(), "trace", "--json"))) {
            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Seen seen = execUntilTraced(trace);
            Instant after = Instant.now();
            JsonNode node = new ObjectMapper().readTree(seen.line());
            Instant time = Instant.parse(node.get("time").asText());
            assertThat(time).as("the exec's time").isBetween(before, after);
            assertThat(node.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(node.get("pid").asLong()).isEqualTo(seen.pid());
            assertThat(node.get("ppid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(node.get("uid").asLong()).isZero();
            assertThat(node.get("comm").asText()).isEqualTo(seen.name());
            assertThat(node.get("filename").asText()).isEqualTo(seen.binary().toString());
            assertThat(node.get("filename_truncated").asBoolean()).isFalse();
            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void worksWithTracefsAndDebugfsUnmounted() throws Exception {
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(WITHOUT_TRACEFS, "trace"))) {
            Seen seen = execUntilTraced(trace);
            assertThat(seen.line()).contains(seen.binary().toString());
            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void eventsAddExitsAndFailedExecsWithTheirStatusErrnoAndCgroup() throws Exception {
        String failing = TestNative.uniqueName("tf");
        String exiting = TestNative.uniqueName("tx");
        Path execfail = TestNative.copyAs(TestNative.execfail(), tmp, failing);
        Path exit3 = TestNative.copyAs(TestNative.exit3(), tmp, exiting);
        try (Subprocess trace = Subprocess.start(
                Subprocess.exporter(List.of(), "trace", "--json", "--events=exec,exit,fail"))) {
            Seen seen = execUntilTraced(trace);
            JsonNode exec = new ObjectMapper().readTree(seen.line());
            assertThat(exec.get("event").asText()).isEqualTo("exec");
            assertThat(exec.get("cgroup").asText()).as("the test's own cgroup, as the hierarchy names it")
                    .startsWith("/");
            assertThat(exec.has("unit") && exec.has("container")).isTrue();

            Process f = new ProcessBuilder(execfail.toString(), "2", "1").start();
            assertThat(f.waitFor(30, TimeUnit.SECONDS) && f.exitValue() == 0).isTrue();
            Process x = new ProcessBuilder(exit3.toString()).start();
            assertThat(x.waitFor(30, TimeUnit.SECONDS) && x.exitValue() == 3).isTrue();
            List<JsonNode> failures = new ArrayList<>();
            JsonNode exit = null;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
            int read = 0;
            while ((failures.size() < 3 || exit == null) && System.nanoTime() < deadline) {
                List<String> lines = trace.stdoutLines();
                for (; read < lines.size(); read++) {
                    JsonNode node = new ObjectMapper().readTree(lines.get(read));
                    if (node.get("comm").asText().equals(failing) && node.get("event").asText().equals("fail")) {
                        failures.add(node);
                    } else if (node.get("comm").asText().equals(exiting) && node.get("event").asText().equals("exit")) {
                        exit = node;
                    }
                }
                Thread.sleep(50);
            }
            assertThat(failures).extracting(n -> n.get("errno").asText()).containsExactly("ENOENT", "ENOENT", "EACCES");
            assertThat(failures).allSatisfy(n -> assertThat(n.get("pid").asLong()).isEqualTo(f.pid()));
            assertThat(exit).as("the exit of %s", exiting).isNotNull();
            assertThat(exit.get("status").asText()).isEqualTo("3");
            assertThat(exit.get("pid").asLong()).isEqualTo(x.pid());
            assertThat(exit.get("lifetime_seconds").asDouble()).isGreaterThan(0);
            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void theClassicTracepointWorksWhereTracefsIsMounted() throws Exception {
        try (Subprocess trace = Subprocess.start(
                Subprocess.exporter(WITH_TRACEFS, "trace", "--json", "--bpf.attach=tracepoint"))) {
            Seen seen = execUntilTraced(trace);
            JsonNode node = new ObjectMapper().readTree(seen.line());
            assertThat(node.get("pid").asLong()).isEqualTo(seen.pid());
            assertThat(node.get("ppid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(node.get("filename").asText()).isEqualTo(seen.binary().toString());
            assertThat(Bpftool.programsOf(trace.pid(), "exec_tracepoint")).hasSize(1);
            assertThat(Bpftool.programsOf(trace.pid(), "exec_btf")).isEmpty();
            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void theClassicTracepointWithoutTracefsFailsInOneLine() throws Exception {
        try (Subprocess trace = Subprocess.start(
                Subprocess.exporter(WITHOUT_TRACEFS, "trace", "--bpf.attach=tracepoint"))) {
            assertThat(trace.awaitExit(START_MILLIS)).contains(1);
            assertThat(trace.stderr()).startsWith(
                    "exec-exporter trace: failed to attach tracepoint/sched/sched_process_exec: ");
            assertThat(trace.stderr().strip()).doesNotContain("\n");
            assertThat(trace.stdoutLines()).isEmpty();
        }
    }

    @Test
    void withoutPrivilegesSaysWhatIsNeededInOneLine() throws Exception {
        List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(nobody, "trace"))) {
            assertThat(trace.awaitExit(START_MILLIS)).contains(1);
            assertThat(trace.stderr()).isEqualTo("exec-exporter trace: missing CAP_BPF and CAP_PERFMON: "
                    + "run as root or with the capabilities CAP_BPF and CAP_PERFMON\n");
        }
    }

    private static final String NONE = ProcStatus.NO_CAPABILITIES;

    @Test
    void dropsEveryCapabilityOfEveryThreadOnceAttachedAndKeepsTracing() throws Exception {
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(List.of(), "trace"))) {
            execUntilTraced(trace);
            var threads = ProcStatus.capabilities(trace.pid());
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
            while (threads.values().stream().anyMatch(sets -> !NONE.equals(sets.get("CapEff")))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50); // the drop runs concurrently with the first lines
                threads = ProcStatus.capabilities(trace.pid());
            }
            assertThat(threads).hasSizeGreaterThan(5);
            threads.forEach((tid, sets) -> assertThat(sets).as("thread %s", tid)
                    .containsEntry("CapEff", NONE).containsEntry("CapPrm", NONE).containsEntry("CapInh", NONE)
                    .containsEntry("CapAmb", NONE).containsEntry("CapBnd", NONE));
            execUntilTraced(trace); // still reading its rings
            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void keepsCapabilitiesWhenAskedTo() throws Exception {
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(List.of(), "trace", "--no-capabilities.drop"))) {
            execUntilTraced(trace);
            assertThat(ProcStatus.capabilities(trace.pid()).values()).allSatisfy(sets ->
                    assertThat(sets.get("CapEff")).isNotEqualTo(NONE));
            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void runsAsAnOrdinaryUserWithOnlyCapBpfAndCapPerfmon() throws Exception {
        List<String> nobodyWithCaps = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=+bpf,+perfmon", "--ambient-caps=+bpf,+perfmon");
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(nobodyWithCaps, "trace", "--json"))) {
            Seen seen = execUntilTraced(trace);
            assertThat(new ObjectMapper().readTree(seen.line()).get("pid").asLong()).isEqualTo(seen.pid());
            assertThat(Files.readString(Path.of("/proc", String.valueOf(trace.pid()), "status")))
                    .contains("Uid:\t65534").contains("CapEff:\t" + NONE).contains("CapAmb:\t" + NONE);
            stopAndCheckClean(trace, "TERM");
        }
    }

    @Test
    void aBadFlagIsAUsageErrorInOneLine() throws Exception {
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(List.of(), "trace", "--bpf.ring-pages=3"))) {
            assertThat(trace.awaitExit(START_MILLIS)).contains(2);
            assertThat(trace.stderr()).isEqualTo("exec-exporter trace: invalid value \"3\" for flag --bpf.ring-pages: "
                    + "must be a power of two from 1 to 65536 (see --help)\n");
        }
    }

    @Test
    void endsWhenTheReaderOfItsPipeGoesAway() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> pipeline = List.of("sh", "-c",
                "\"$1\" -jar \"$2\" trace | head -n 3", "sh", java, TestNative.jar().toString());
        try (Subprocess shell = Subprocess.start(pipeline)) {
            Path binary = TestNative.copyNoop(tmp, TestNative.uniqueName("tp"));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
            while (shell.awaitExit(100).isEmpty()) {
                assertThat(System.nanoTime()).as("the pipeline ended").isLessThan(deadline);
                new ProcessBuilder(binary.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(shell.stdoutLines()).hasSize(3);
        }
    }
}
