package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.execexporter.testing.RootOrCi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resolver on the host's real cgroup2 hierarchy (pure v2 or hybrid): cgroups made by the test
 * under a slice of its own, a real process moved into one, cgroups removed before and after they
 * are resolved. Needs root (mkdir under the cgroup2 mount); other tests' cgroups are left alone.
 */
class CgroupResolverIT {
    private static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private CgroupMount mount;
    private Path slice;
    private String sliceName;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void makeSlice() throws IOException {
        RootOrCi.requireBpf();
        mount = CgroupMount.find().orElseThrow(() -> new AssertionError("no cgroup2 mount in /proc/self/mountinfo"));
        assertThat(mount.isWholeHierarchy()).as("%s", mount).isTrue();
        sliceName = "exec-exporter-it-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + ".slice";
        slice = Files.createDirectory(mount.mountPoint().resolve(sliceName));
    }

    @AfterEach
    void removeCgroups() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor();
        }
        if (slice != null) {
            removeTree(slice);
        }
    }

    private CgroupResolver resolver(Duration interval) {
        return new CgroupResolver(mount, new CgroupResolver.Settings(1_000, 32, 200_000, interval), System::nanoTime);
    }

    private static long id(Path cgroup) throws IOException {
        return (Long) Files.getAttribute(cgroup, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void resolvesACgroupAsTheKernelNamesItsProcess() throws Exception {
        Path service = Files.createDirectory(slice.resolve("exec-exporter-it.service"));
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        processes.add(sleeper);
        Files.writeString(service.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
        String kernelPath = Files.readAllLines(Path.of("/proc/" + sleeper.pid() + "/cgroup")).stream()
                .filter(line -> line.startsWith("0::")).findFirst().orElseThrow().substring(3);

        Cgroup cgroup = resolver(Duration.ZERO).resolve(id(service));

        assertThat(cgroup.path()).isEqualTo(kernelPath).isEqualTo("/" + sliceName + "/exec-exporter-it.service");
        assertThat(cgroup.labels()).isEqualTo(new CgroupLabels("exec-exporter-it.service", "", "", ""));
    }

    @Test
    void aCgroupRemovedAfterItWasResolvedStaysResolvedAndOneRemovedBeforeIsUnknown() throws Exception {
        CgroupResolver resolver = resolver(Duration.ZERO);
        Path seen = Files.createDirectory(slice.resolve("docker-" + ID + ".scope"));
        long seenId = id(seen);
        long firstWalk = System.nanoTime();
        assertThat(resolver.resolve(seenId).labels())
                .isEqualTo(new CgroupLabels("docker-" + ID + ".scope", "", ID.substring(0, 12), ""));
        Path unseen = Files.createDirectory(slice.resolve("unseen.service"));
        long unseenId = id(unseen);
        Files.delete(unseen);
        Files.delete(seen);
        assertThat(resolver.resolve(seenId).labels().container()).isEqualTo(ID.substring(0, 12));

        // Misses wait for the next walk (spaced by the last walk's cost), which finds the id gone ...
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (resolver.stats().rescans() < 2) {
            assertThat(resolver.resolve(unseenId).labels()).isEqualTo(CgroupLabels.NONE); // pending, then unknown
            assertThat(System.nanoTime() - deadline).as("a second walk within 30 s").isNegative();
            Thread.sleep(5);
        }
        long betweenWalks = System.nanoTime() - firstWalk;
        // ... and from then on it is known gone: no walk for it however long it keeps coming
        long until = System.nanoTime() + 2 * betweenWalks;
        while (System.nanoTime() - until < 0) {
            assertThat(resolver.resolve(unseenId)).isEqualTo(Cgroup.UNKNOWN);
            Thread.sleep(5);
        }
        CgroupResolver.Stats stats = resolver.stats();
        assertThat(stats.rescans()).isEqualTo(2);
        assertThat(stats.unknown()).isGreaterThan(stats.deferred());
    }

    /** The kernel refuses only '/' and newline in a cgroup name (a newline would break /proc/PID/cgroup). */
    @Test
    void aHostileCgroupNameRendersAsANameDoes() throws Exception {
        Process mkdir = new ProcessBuilder("sh", "-c", "mkdir \"$(printf 'a\\033[2J\\t\\377.service')\"")
                .directory(slice.toFile()).inheritIO().start();
        assertThat(mkdir.waitFor()).isZero();
        Path hostile;
        try (var children = Files.list(slice)) {
            hostile = children.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Cgroup cgroup = resolver(Duration.ZERO).resolve(id(hostile));
        assertThat(cgroup.path()).isEqualTo("/" + sliceName + "/a\\x1b[2J\\x09\\xff.service");
        assertThat(cgroup.labels()).isEqualTo(CgroupLabels.NONE);
    }

    /** Also prints how long a walk of about a thousand more cgroups takes here (not asserted: hosts differ). */
    @Test
    void aThousandCgroupsEachResolveToTheirUnit() throws IOException {
        List<Path> services = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Path inner = Files.createDirectory(slice.resolve("exec-exporter-it-s" + i + ".slice"));
            for (int k = 0; k < 25; k++) {
                services.add(Files.createDirectory(inner.resolve("u" + i + "-" + k + ".service")));
            }
        }
        CgroupResolver resolver = resolver(Duration.ZERO);
        for (Path service : services) {
            assertThat(resolver.resolve(id(service)).labels().unit()).isEqualTo(service.getFileName().toString());
        }
        assertThat(resolver.stats().rescans()).isEqualTo(1);
        assertThat(resolver.stats().indexed()).isGreaterThanOrEqualTo(1_041);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long startCpu = threads.getCurrentThreadCpuTime();
        int walks = 20;
        int entries = 0;
        for (int i = 0; i < walks; i++) {
            CgroupTree.Scan scan = CgroupTree.walk(mount, new CgroupTree.Limits(32, 200_000));
            assertThat(scan.truncated()).isFalse();
            entries = scan.entries();
        }
        System.out.printf("CgroupResolverIT: a walk of %d cgroups (%d entries, %s) took %.2f ms, %.2f ms of CPU%n",
                resolver.stats().indexed(), entries, mount.mountPoint(), (System.nanoTime() - start) / 1e6 / walks,
                (threads.getCurrentThreadCpuTime() - startCpu) / 1e6 / walks);

        CgroupTree.Scan cut = CgroupTree.walk(mount, new CgroupTree.Limits(32, 100));
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.entries()).isEqualTo(100);
    }

    /** Cgroups leave with rmdir, children first; a cgroup whose last process just exited may still be busy. */
    private static void removeTree(Path dir) throws Exception {
        try (var children = Files.list(dir)) {
            for (Path child : children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                removeTree(child);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                Files.delete(dir);
                return;
            } catch (DirectoryNotEmptyException e) {
                throw e;
            } catch (FileSystemException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
