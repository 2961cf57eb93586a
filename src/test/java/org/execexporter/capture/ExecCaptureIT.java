package org.execexporter.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.execexporter.testing.Bpftool;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.RootOrCi;
import org.execexporter.testing.TestNative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture against the real kernel: loads, attaches and reads the BPF program for real. */
class ExecCaptureIT {
    @TempDir
    Path tmp;

    private ExecCapture capture;
    private final ConcurrentLinkedQueue<ExecEvent> events = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void requireBpf() {
        RootOrCi.requireBpf();
    }

    @BeforeEach
    void openWorldReadableTmp() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void close() {
        if (capture != null) {
            capture.close();
        }
    }

    private void start(ProbeOptions options, Predicate<ExecEvent> keep) throws CaptureException {
        capture = ExecCapture.open(options);
        capture.start(record -> {
            ExecEvent event = record.toEvent();
            if (keep.test(event)) {
                events.add(event);
            }
        });
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private Optional<ExecEvent> awaitEvent(Predicate<ExecEvent> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<ExecEvent> found = events.stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(10);
        }
        return Optional.empty();
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aProcessIsTracedWithExactPidPpidUidCommAndFilename() throws Exception {
        String name = TestNative.uniqueName("xt");
        start(ProbeOptions.defaults(), e -> new String(e.comm(), StandardCharsets.UTF_8).equals(name));
        Path binary = TestNative.copyNoop(tmp, name);

        Process p = new ProcessBuilder(binary.toString()).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

        ExecEvent e = awaitEvent(ev -> true).orElseThrow(() -> new AssertionError("no exec of " + name + " seen"));
        assertThat(e.pid()).isEqualTo((int) p.pid());
        assertThat(e.ppid()).isEqualTo((int) ProcessHandle.current().pid());
        assertThat(e.uid()).isEqualTo(realUid());
        assertThat(e.comm()).isEqualTo(bytes(name));
        assertThat(e.filename()).isEqualTo(bytes(binary.toString()));
        assertThat(e.filenameTruncated()).isFalse();
        assertThat(events).hasSize(1);
    }

    @Test
    void theUidIsTheExecingProcesssRealUid() throws Exception {
        String name = TestNative.uniqueName("xu");
        start(ProbeOptions.defaults(), e -> new String(e.comm(), StandardCharsets.UTF_8).equals(name));
        Path binary = TestNative.copyNoop(tmp, name);

        assertThat(run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary.toString())).isZero();

        ExecEvent e = awaitEvent(ev -> true).orElseThrow();
        assertThat(e.uid()).isEqualTo(65534);
        assertThat(e.ppid()).isEqualTo((int) ProcessHandle.current().pid());
    }

    @Test
    void aFilenameOfExactlyTheLongestPathIsWholeAndNotFlagged() throws Exception {
        String name = TestNative.uniqueName("xl");
        start(ProbeOptions.defaults(), e -> new String(e.comm(), StandardCharsets.UTF_8).equals(name));
        // directories of 200 bytes until the path is 4095 bytes long, the longest exec accepts
        int target = ExecRecord.FILENAME_MAX - 1;
        Path dir = tmp;
        while (target - (dir.toString().length() + 1 + name.length()) > 201) {
            dir = dir.resolve("d".repeat(200));
        }
        int pad = target - (dir.toString().length() + 1 + name.length()) - 1;
        dir = dir.resolve("p".repeat(pad));
        Path binary = TestNative.copyNoop(dir, name);
        assertThat(binary.toString().length()).isEqualTo(target);

        assertThat(run(binary.toString())).isZero();

        ExecEvent e = awaitEvent(ev -> true).orElseThrow();
        assertThat(e.filename()).isEqualTo(bytes(binary.toString()));
        assertThat(e.filenameTruncated()).isFalse();
    }

    @Test
    void aFilenameLongerThanTheCaptureLimitIsTruncatedAndFlagged() throws Exception {
        String name = TestNative.uniqueName("xr");
        start(ProbeOptions.defaults(), e -> new String(e.comm(), StandardCharsets.UTF_8).equals(name));
        // execveat(dirfd, relative path) makes the kernel name it "/dev/fd/N/<relative path>", longer than
        // PATH_MAX when the relative path is near it. Java cannot make such a tree (it uses absolute
        // paths): the shell builds and removes it relative to its working directory.
        int length = 4090;
        StringBuilder relative = new StringBuilder("deep/");
        while (length - relative.length() - name.length() - 1 > 200) {
            relative.append("d".repeat(200)).append('/');
        }
        relative.append("q".repeat(length - relative.length() - name.length() - 1)).append('/').append(name);
        try {
            assertThat(run("sh", "-c", "cd \"$1\" && mkdir -p \"$(dirname \"$2\")\" && cp \"$3\" \"$2\"", "sh",
                    tmp.toString(), relative.toString(), TestNative.noop().toString())).isZero();

            assertThat(run(TestNative.execat().toString(), tmp.toString(), relative.toString())).isZero();

            ExecEvent e = awaitEvent(ev -> true).orElseThrow();
            assertThat(e.filenameTruncated()).isTrue();
            assertThat(e.filename()).hasSize(ExecRecord.FILENAME_MAX - 1);
            assertThat(new String(e.filename(), StandardCharsets.UTF_8)).startsWith("/dev/fd/");
        } finally {
            run("sh", "-c", "cd \"$1\" && rm -rf deep", "sh", tmp.toString());
        }
    }

    @Test
    void aStormAtTheTopExecRateIsDeliveredExactlyOncePerNameWithNoLoss() throws Exception {
        String prefix = TestNative.uniqueName("s").substring(0, 10);
        List<byte[]> names = new ArrayList<>();
        for (char c = 'a'; c <= 'e'; c++) {
            names.add(bytes(prefix + c));
        }
        Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
        capture = ExecCapture.open(ProbeOptions.defaults().withCaptureFilename(false));
        capture.start(record -> {
            byte[] comm = record.comm();
            if (comm.length == 11 && new String(comm, 0, 10, StandardCharsets.UTF_8).equals(prefix)) {
                seen.computeIfAbsent(HexFormat.of().formatHex(comm), k -> new AtomicLong()).incrementAndGet();
            }
        });

        ExecStorm.Result storm = ExecStorm.run(tmp.resolve("storm"), 3, 20_000, names);
        System.out.printf("storm: %d execs in %.2f s = %.0f/s%n", storm.total(), storm.seconds(), storm.rate());

        assertThat(storm.failed()).isZero();
        await(() -> seen.values().stream().mapToLong(AtomicLong::get).sum() >= storm.total(), Duration.ofSeconds(10));
        Thread.sleep(300); // anything extra (a duplicate) would arrive within a poll timeout
        for (Map.Entry<String, Long> expected : storm.perNameHex().entrySet()) {
            assertThat(seen.get(expected.getKey())).as("execs of %s", expected.getKey()).isNotNull();
            assertThat(seen.get(expected.getKey()).get()).as("execs of %s", expected.getKey())
                    .isEqualTo(expected.getValue());
        }
        CaptureStats stats = capture.stats();
        assertThat(stats.lost()).isZero();
        assertThat(stats.overflow()).isZero();
        assertThat(stats.malformed()).isZero();
        assertThat(stats.kernelOutputErrors()).isZero();
    }

    @Test
    void overrunRingsCountEveryLostSample() throws Exception {
        // one-page rings and a reader that takes 1 ms per exec: a storm cannot fit
        capture = ExecCapture.open(new ProbeOptions(AttachMode.AUTO, true, 1, 1, Duration.ofMillis(100)));
        AtomicLong delivered = new AtomicLong();
        capture.start(record -> {
            delivered.incrementAndGet();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        ExecStorm.run(tmp.resolve("overrun"), 2, 3_000, List.of(bytes(TestNative.uniqueName("xo"))));
        // the kernel reports a ring's lost samples only with the next sample it writes to that ring:
        // exec on every CPU until the counters agree (other execs on the host may land between reads)
        Path after = TestNative.copyNoop(tmp, "after");
        AtomicReference<CaptureStats> snapshot = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            Thread.sleep(300);
            for (int cpu = 0; cpu < Runtime.getRuntime().availableProcessors(); cpu++) {
                run("taskset", "-c", String.valueOf(cpu), after.toString());
            }
            Thread.sleep(300);
            snapshot.set(capture.stats());
        } while (snapshot.get().delivered() + snapshot.get().lost() != snapshot.get().kernelSeen()
                && System.nanoTime() < deadline);

        CaptureStats stats = snapshot.get();
        System.out.printf("overrun: seen %d, delivered %d, lost %d%n", stats.kernelSeen(), stats.delivered(),
                stats.lost());
        assertThat(stats.lost()).isPositive();
        assertThat(stats.lostPerRing()).hasSize(capture.ringCount());
        assertThat(Arrays.stream(stats.lostPerRing()).sum()).isEqualTo(stats.lost());
        assertThat(stats.delivered() + stats.lost()).isEqualTo(stats.kernelSeen());
        assertThat(stats.kernelOutputErrors()).isEqualTo(stats.lost());
        assertThat(stats.delivered()).isLessThanOrEqualTo(delivered.get());
    }

    /**
     * A ring whose reader found nothing for a whole poll timeout sleeps without a timeout; the
     * next exec on its CPU rings the doorbell, and the record is read like any other (within the
     * poll timeout), though no batch fills and no other exec follows. One exec per CPU, each
     * after a pause longer than the timeout, so each ring has gone idle (on a quiet host).
     */
    @Test
    void aLoneExecOnAnIdleRingIsDelivered() throws Exception {
        String name = TestNative.uniqueName("xi");
        Path binary = TestNative.copyNoop(tmp, name);
        List<Long> delays = new java.util.concurrent.CopyOnWriteArrayList<>();
        start(ProbeOptions.defaults(), e -> {
            boolean ours = new String(e.comm(), StandardCharsets.UTF_8).equals(name);
            if (ours) {
                delays.add(System.nanoTime() - e.ktimeNanos()); // both CLOCK_MONOTONIC
            }
            return ours;
        });
        int cpus = Runtime.getRuntime().availableProcessors();
        for (int cpu = 0; cpu < cpus; cpu++) {
            Thread.sleep(400); // a few poll timeouts with nothing of ours: the ring's reader sleeps
            long before = System.nanoTime();
            assertThat(run("taskset", "-c", String.valueOf(cpu), binary.toString())).isZero();
            int expected = cpu + 1;
            await(() -> events.size() >= expected, Duration.ofSeconds(10));
            System.out.printf("lone exec on CPU %d: read %d ms after the exec, seen here %d ms after the spawn%n",
                    cpu, TimeUnit.NANOSECONDS.toMillis(delays.get(cpu)),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before));
            assertThat(events).as("the exec on CPU %d", cpu).hasSize(expected);
        }
    }

    @Test
    void closeDetachesTheProgramPromptlyAndIsIdempotent() throws Exception {
        capture = ExecCapture.open(ProbeOptions.defaults());
        capture.start(record -> { });
        long id = capture.programId();
        assertThat(id).isPositive();
        assertThat(Bpftool.programExists(id)).isTrue();

        long start = System.nanoTime();
        capture.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("close took " + millis + " ms");
        capture.close();

        assertThat(Bpftool.awaitGone(id, 5_000)).as("program %d gone after close", id).isTrue();
        assertThat(capture.stats()).isEqualTo(CaptureStats.EMPTY);
    }

    @Test
    void theClassicTracepointIsRefusedClearlyWithoutTracefs() throws Exception {
        boolean tracefsMounted = Files.readString(Path.of("/proc/mounts")).contains(" tracefs ");
        org.junit.jupiter.api.Assumptions.assumeFalse(tracefsMounted, "tracefs is mounted here; TraceCommandIT "
                + "covers this in a private mount namespace");
        ProbeOptions options = new ProbeOptions(AttachMode.TRACEPOINT, true, 64, 64, Duration.ofMillis(100));
        try {
            capture = ExecCapture.open(options);
            throw new AssertionError("attached without tracefs");
        } catch (CaptureException e) {
            assertThat(e.getMessage()).startsWith("failed to attach tracepoint/sched/sched_process_exec: ")
                    .doesNotContain("\n");
        }
    }

    private static long realUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        throw new IOException("no Uid line");
    }
}
