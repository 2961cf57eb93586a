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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.execexporter.testing.Bpftool;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.TestNative;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture against the real kernel: loads, attaches and reads the BPF program for real. */
@NeedsBpf
class ExecCaptureIT {
    @TempDir
    Path tmp;

    /** How long one exec may take to come out of the rings: far beyond any machine's poll timeout. */
    private static final Duration EXEC_DEADLINE = Duration.ofSeconds(60);

    private ExecCapture capture;
    private final ConcurrentLinkedQueue<ExecEvent> events = new ConcurrentLinkedQueue<>();

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
            ExecEvent event = ExecEvent.of(record);
            if (keep.test(event)) {
                events.add(event);
            }
        });
    }

    /** Records the programs tried to write: execs and exits. */
    private static long seen(CaptureStats stats) {
        return stats.kernelSeen() + stats.kernelExitsSeen();
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private Optional<ExecEvent> awaitEvent(Predicate<ExecEvent> match) throws InterruptedException {
        long deadline = System.nanoTime() + EXEC_DEADLINE.toNanos();
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
        String barrier = TestNative.uniqueName("xb");
        Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
        Set<String> ringsPastTheStorm = ConcurrentHashMap.newKeySet();
        capture = ExecCapture.open(ProbeOptions.defaults().withCaptureFilename(false));
        capture.start(record -> {
            byte[] comm = record.comm();
            if (comm.length == 11 && new String(comm, 0, 10, StandardCharsets.UTF_8).equals(prefix)) {
                seen.computeIfAbsent(HexFormat.of().formatHex(comm), k -> new AtomicLong()).incrementAndGet();
            } else if (Arrays.equals(comm, bytes(barrier))) {
                ringsPastTheStorm.add(Thread.currentThread().getName());
            }
        });

        ExecStorm.Result storm = ExecStorm.run(tmp.resolve("storm"), 3, 20_000, names);
        System.out.printf("storm: %d execs in %.2f s = %.0f/s%n", storm.total(), storm.seconds(), storm.rate());

        assertThat(storm.failed()).isZero();
        // Each ring hands over its samples in order: once an exec made after the storm has come out
        // of every ring, every sample of the storm has been delivered, and any duplicate with it.
        awaitEveryRing(barrier, ringsPastTheStorm, storm.deadline());
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

    /**
     * Execs {@code barrier} on every CPU, again, until a sample of it has come out of as many rings
     * as there are CPUs (an exec can be lost in a ring that is still full), or fails at the deadline.
     */
    private void awaitEveryRing(String barrier, Set<String> ringsPast, Duration deadline) throws Exception {
        int cpus = ExecStorm.cpus().size();
        long end = System.nanoTime() + deadline.toNanos();
        while (ringsPast.size() < cpus) {
            assertThat(System.nanoTime()).as("a sample of an exec after the storm from every ring within %s; "
                    + "from %s so far", deadline, ringsPast).isLessThan(end);
            ExecStorm.onEveryCpu(tmp.resolve("barrier"), 1, List.of(bytes(barrier)));
            await(() -> ringsPast.size() >= cpus, Duration.ofSeconds(1));
        }
    }

    @Test
    void overrunRingsCountEveryLostSample() throws Exception {
        // One-page rings (under 80 records each), and a sink that holds every poller until the storm has
        // ended: with 1,000 execs on each CPU every ring overflows, whatever the exec rate.
        capture = ExecCapture.open(new ProbeOptions(AttachMode.AUTO, true, 1, 1, Duration.ofMillis(100)));
        String name = TestNative.uniqueName("xo");
        String barrier = TestNative.uniqueName("xb");
        CountDownLatch stormOver = new CountDownLatch(1);
        AtomicLong handed = new AtomicLong();
        AtomicLong ours = new AtomicLong();
        Set<String> ringsPastTheStorm = ConcurrentHashMap.newKeySet();
        capture.start(new ExecEventSink() {
            private void hold() {
                try {
                    stormOver.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handed.incrementAndGet();
            }

            @Override
            public void onExec(ExecRecord record) {
                hold();
                if (Arrays.equals(record.comm(), bytes(name))) {
                    ours.incrementAndGet();
                } else if (Arrays.equals(record.comm(), bytes(barrier))) {
                    ringsPastTheStorm.add(Thread.currentThread().getName());
                }
            }

            @Override
            public void onExit(ExitRecord record) {
                hold(); // exits share the rings: they are held, and overrun them, like execs
            }
        });

        Map<Integer, ExecStorm.Result> storms;
        try {
            storms = ExecStorm.onEveryCpu(tmp.resolve("overrun"), 1_000, List.of(bytes(name)));
        } finally {
            stormOver.countDown();
        }
        long stormTotal = storms.values().stream().mapToLong(ExecStorm.Result::total).sum();
        ExecStorm.Result slowest = storms.values().stream()
                .max(java.util.Comparator.comparingDouble(ExecStorm.Result::seconds)).orElseThrow();
        // The kernel reports a ring's lost samples with the next sample it writes to that ring.
        awaitEveryRing(barrier, ringsPastTheStorm, slowest.deadline());
        // Execs elsewhere on the host may be on their way through the rings: wait for a moment when
        // every sample the programs saw has been delivered or counted lost (the storm's processes
        // end too: exit records share the rings, so they are delivered or lost alike).
        CaptureStats stats = capture.stats();
        long end = System.nanoTime() + slowest.deadline().toNanos();
        while (stats.delivered() + stats.lost() != seen(stats) && System.nanoTime() < end) {
            Thread.sleep(20);
            stats = capture.stats();
        }

        long[] lostPerRing = capture.lostPerRing();
        System.out.printf("overrun: %d execs on %d CPUs; seen %d, delivered %d, lost %d (per ring %s)%n", stormTotal,
                storms.size(), stats.kernelSeen(), stats.delivered(), stats.lost(),
                Arrays.toString(lostPerRing));
        assertThat(stats.delivered() + stats.lost()).as("delivered + lost").isEqualTo(seen(stats));
        assertThat(lostPerRing).hasSize(capture.ringCount());
        assertThat(Arrays.stream(lostPerRing).sum()).isEqualTo(stats.lost());
        assertThat(Arrays.stream(lostPerRing).filter(lost -> lost > 0).count())
                .as("rings that overflowed, of %s", Arrays.toString(lostPerRing))
                .isGreaterThanOrEqualTo(storms.size());
        assertThat(stats.kernelOutputErrors()).isEqualTo(stats.lost());
        assertThat(ours.get()).as("execs of the storm delivered").isLessThan(stormTotal);
        assertThat(ours.get() + stats.lost()).as("execs of the storm delivered or lost")
                .isGreaterThanOrEqualTo(stormTotal);
        assertThat(stats.delivered()).isLessThanOrEqualTo(handed.get());
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

        assertThat(Bpftool.awaitGone(id, 60_000)).as("program %d gone after close", id).isTrue();
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

    /**
     * With a cgroup root, each ring carries a cgroup's path ahead of its own first record of that
     * cgroup, whichever CPU was first: storms in a cgroup made for the test, pinned to each CPU in
     * turn, and every ring that has the cgroup's execs has its cgroup record before the first of them.
     */
    @Test
    void eachRingCarriesACgroupsPathAheadOfItsFirstRecordOfIt() throws Exception {
        Path mount = org.execexporter.attribution.CgroupMount.find().orElseThrow().mountPoint();
        long root = (Long) Files.getAttribute(mount, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        String tag = TestNative.uniqueName("cg");
        Path slice = Files.createDirectory(mount.resolve(tag + ".slice"));
        Path service = Files.createDirectory(slice.resolve(tag + ".service"));
        try {
            long id = (Long) Files.getAttribute(service, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            String name = TestNative.uniqueName("cr");
            // per ring (thread): "cgroup:PATH" and "exec" entries of the test's cgroup, in ring order
            java.util.Map<String, java.util.List<String>> byRing = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicLong ours = new java.util.concurrent.atomic.AtomicLong();
            capture = ExecCapture.open(ProbeOptions.defaults().withCgroupRoot(root));
            capture.start(new ExecEventSink() {
                @Override
                public void onExec(ExecRecord record) {
                    if (record.cgroupId() == id) {
                        byRing.computeIfAbsent(Thread.currentThread().getName(), k -> new java.util.ArrayList<>())
                                .add("exec");
                        if (new String(record.comm(), StandardCharsets.UTF_8).equals(name)) {
                            ours.incrementAndGet();
                        }
                    }
                }

                @Override
                public void onCgroup(CgroupRecord record) {
                    if (record.cgroupId() == id) {
                        byRing.computeIfAbsent(Thread.currentThread().getName(), k -> new java.util.ArrayList<>())
                                .add("cgroup:" + new String(record.path(), StandardCharsets.UTF_8));
                    }
                }
            });
            ExecStorm.Result storm = ExecStorm.runInCgroupOnEveryCpu(service, tmp, 50, List.of(bytes(name)));
            await(() -> ours.get() >= storm.total(), storm.deadline());
            assertThat(ours.get()).isEqualTo(storm.total());
            assertThat(byRing).as("a ring per CPU had the cgroup's execs").hasSize(ExecStorm.cpus().size());
            byRing.forEach((ring, entries) -> {
                assertThat(entries.get(0)).as("the first entry of %s", ring)
                        .isEqualTo("cgroup:/" + tag + ".slice/" + tag + ".service");
                assertThat(entries.stream().filter(e -> e.startsWith("cgroup:")).count()).as("once per ring")
                        .isEqualTo(1);
            });
        } finally {
            Files.deleteIfExists(service);
            Files.deleteIfExists(slice);
        }
    }
}
