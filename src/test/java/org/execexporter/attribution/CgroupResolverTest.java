package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolver over a directory tree of the same shape as a cgroup hierarchy (directory inode
 * numbers and link counts behave alike), with a clock the test moves. CgroupResolverIT runs it on
 * the real cgroup2 mount.
 */
class CgroupResolverTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    @TempDir
    Path top;

    private long now;

    @BeforeEach
    void layout() throws IOException {
        Files.createDirectories(top.resolve("system.slice/cron.service"));
        Files.createDirectories(top.resolve("system.slice/system-getty.slice/getty@tty1.service"));
        Files.createDirectories(top.resolve("user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"));
        Files.writeString(top.resolve("system.slice/cgroup.procs"), ""); // files are not cgroups
    }

    private CgroupResolver resolver(int cacheSize, int maxDepth, int maxEntries) {
        return new CgroupResolver(new CgroupMount(top, new byte[] {'/'}),
                new CgroupResolver.Settings(cacheSize, maxDepth, maxEntries, INTERVAL), () -> now);
    }

    private CgroupResolver resolver() {
        return resolver(100, 32, 10_000);
    }

    private static long id(Path dir) throws IOException {
        return (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void resolvesEachDirectoryByItsInodeNumber() throws IOException {
        CgroupResolver resolver = resolver();
        assertThat(resolver.resolve(id(top.resolve("system.slice/cron.service"))))
                .isEqualTo(new Cgroup("/system.slice/cron.service", new CgroupLabels("cron.service", "", "", "")));
        assertThat(resolver.resolve(id(top.resolve("system.slice/system-getty.slice/getty@tty1.service"))).labels().unit())
                .isEqualTo("getty@tty1.service");
        assertThat(resolver.resolve(id(top.resolve("user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"))))
                .isEqualTo(new Cgroup("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
                        new CgroupLabels("user@1000.service", "foo.service", "", "")));
        assertThat(resolver.resolve(id(top))).isEqualTo(new Cgroup("/", CgroupLabels.NONE));
        assertThat(resolver.resolve(id(top.resolve("system.slice/cgroup.procs")))).isEqualTo(Cgroup.PENDING);
        assertThat(resolver.stats().rescans()).isEqualTo(1);
        assertThat(resolver.stats().indexed()).isEqualTo(10);
    }

    @Test
    void aCgroupRemovedAfterItWasResolvedStaysResolved() throws IOException {
        CgroupResolver resolver = resolver();
        Path dir = Files.createDirectories(top.resolve("system.slice/short.service"));
        long id = id(dir);
        assertThat(resolver.resolve(id).labels().unit()).isEqualTo("short.service");
        Files.delete(dir);
        now += INTERVAL.toNanos() * 10;
        resolver.resolve(id(top.resolve("user.slice"))); // cached: no walk
        assertThat(resolver.resolve(id).labels().unit()).isEqualTo("short.service");
        assertThat(resolver.stats().unknown()).isZero();
    }

    @Test
    void aNewCgroupWaitsForTheRescanInterval() throws IOException {
        CgroupResolver resolver = resolver();
        resolver.resolve(id(top));
        long id = id(Files.createDirectories(top.resolve("system.slice/new.service")));

        now += INTERVAL.toNanos() - 1;
        assertThat(resolver.resolve(id)).isEqualTo(Cgroup.PENDING);
        assertThat(resolver.stats()).isEqualTo(new CgroupResolver.Stats(1, 1, 1, 0, 1, 10));

        now += 1;
        assertThat(resolver.resolve(id).labels().unit()).isEqualTo("new.service");
        assertThat(resolver.stats()).isEqualTo(new CgroupResolver.Stats(1, 1, 2, 0, 2, 11));
    }

    @Test
    void anIdGoneBeforeAnyWalkSawItIsUnknownAndWalksOnce() throws IOException {
        Path dir = Files.createDirectories(top.resolve("system.slice/gone.service"));
        long id = id(dir);
        Files.delete(dir);
        CgroupResolver resolver = resolver();
        assertThat(resolver.resolve(id)).isEqualTo(Cgroup.UNKNOWN);
        for (int i = 0; i < 5; i++) {
            now += INTERVAL.toNanos();
            assertThat(resolver.resolve(id)).isEqualTo(Cgroup.UNKNOWN);
        }
        assertThat(resolver.stats()).isEqualTo(new CgroupResolver.Stats(6, 0, 1, 0, 0, 10));
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedIds() throws IOException {
        CgroupResolver resolver = resolver(2, 32, 10_000);
        long cron = id(top.resolve("system.slice/cron.service"));
        long getty = id(top.resolve("system.slice/system-getty.slice/getty@tty1.service"));
        long foo = id(top.resolve("user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"));
        resolver.resolve(cron);
        resolver.resolve(getty);
        resolver.resolve(cron);
        resolver.resolve(foo);
        assertThat(resolver.stats().cached()).isEqualTo(2);
        // getty left the cache, but the last walk still knows it
        Files.delete(top.resolve("system.slice/system-getty.slice/getty@tty1.service"));
        assertThat(resolver.resolve(getty).labels().unit()).isEqualTo("getty@tty1.service");
        assertThat(resolver.stats().rescans()).isEqualTo(1);
    }

    @Test
    void aWalkStopsAtItsDepthAndEntryLimitsAndSaysSo() throws IOException {
        long deep = id(top.resolve("user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"));
        CgroupResolver shallow = resolver(100, 4, 10_000);
        assertThat(shallow.resolve(deep)).isEqualTo(Cgroup.PENDING);
        assertThat(shallow.resolve(id(top.resolve("user.slice/user-1000.slice/user@1000.service/app.slice"))).path())
                .isEqualTo("/user.slice/user-1000.slice/user@1000.service/app.slice");
        // a truncated walk proves nothing gone: the id walks again once the interval is over
        now += INTERVAL.toNanos();
        assertThat(shallow.resolve(deep)).isEqualTo(Cgroup.PENDING);
        assertThat(shallow.stats()).isEqualTo(new CgroupResolver.Stats(2, 0, 2, 2, 1, 9));

        CgroupResolver few = resolver(100, 32, 3);
        few.resolve(deep);
        assertThat(few.stats().truncatedWalks()).isEqualTo(1);
        assertThat(few.stats().indexed()).isLessThanOrEqualTo(4);
    }

    @Test
    void slowWalksSpaceTheNextOnesOut() throws IOException {
        // each reading of the clock advances it 10 ms: a walk "takes" 10 ms, so the next one waits 200 ms
        CgroupResolver resolver = new CgroupResolver(new CgroupMount(top, new byte[] {'/'}),
                new CgroupResolver.Settings(100, 32, 10_000, Duration.ZERO), () -> now += 10_000_000);
        resolver.resolve(id(top));
        long id = id(Files.createDirectories(top.resolve("system.slice/new.service")));
        long walked = now;
        while (resolver.resolve(id).equals(Cgroup.PENDING)) {
            assertThat(now - walked).isLessThan(CgroupResolver.COST_FACTOR * 10_000_000L + 20_000_000L);
        }
        assertThat(now - walked).isGreaterThanOrEqualTo(CgroupResolver.COST_FACTOR * 10_000_000L);
    }

    /** Paths stay shorter than PATH_MAX (4096 bytes), so a rendered path is bounded too. */
    @Test
    void aTreeDeeperThanPathMaxIsCutThere() throws IOException, InterruptedException {
        // 20 levels of 255-byte names: longer than any path the kernel takes, so it is made (and
        // removed) one level at a time, relative to the last, where Java would pass whole paths
        String name = "d".repeat(255);
        Path slice = top.resolve("system.slice");
        python(slice, "import os\nfor _ in range(20):\n    os.mkdir('" + name + "'); os.chdir('" + name + "')");
        try {
            CgroupResolver resolver = resolver();
            resolver.resolve(id(top));
            assertThat(resolver.stats().truncatedWalks()).isEqualTo(1);
            int levels = (CgroupTree.PATH_MAX - 1 - top.toString().length() - "/system.slice".length()) / 256;
            Path deepest = slice;
            for (int i = 0; i < levels; i++) {
                deepest = deepest.resolve(name);
            }
            String path = resolver.resolve(id(deepest)).path();
            assertThat(path).hasSize("/system.slice".length() + 256 * levels);
            assertThat(top.toString().length() + path.length()).isLessThan(CgroupTree.PATH_MAX);
            assertThat(resolver.stats().indexed()).isEqualTo(10 + levels);
        } finally {
            python(slice, "import os\nfor _ in range(20): os.chdir('" + name + "')\n"
                    + "for _ in range(20): os.chdir('..'); os.rmdir('" + name + "')");
        }
    }

    private static void python(Path dir, String script) throws IOException, InterruptedException {
        Process python = new ProcessBuilder("python3", "-c", script).directory(dir.toFile()).inheritIO().start();
        assertThat(python.waitFor()).as(script).isZero();
    }

    @Test
    void hostileNamesRenderAsNamesDo() throws IOException, InterruptedException {
        // Java cannot name a file with bytes that are not text; the shell can
        Process mkdir = new ProcessBuilder("sh", "-c", "mkdir \"$(printf 'system.slice/a\\n\\377\\\\b.service')\"")
                .directory(top.toFile()).inheritIO().start();
        assertThat(mkdir.waitFor()).isZero();
        Path dir;
        try (var entries = Files.list(top.resolve("system.slice"))) {
            dir = entries.filter(p -> p.getFileName().toString().startsWith("a")).findFirst().orElseThrow();
        }
        assertThat(CgroupTree.name(dir)).isEqualTo(new byte[] {'a', '\n', (byte) 0xff, '\\', 'b', '.', 's', 'e', 'r',
            'v', 'i', 'c', 'e'});
        Cgroup cgroup = resolver().resolve(id(dir));
        assertThat(cgroup.path()).isEqualTo("/system.slice/a\\x0a\\xff\\\\b.service");
        assertThat(cgroup.labels()).isEqualTo(CgroupLabels.NONE);
    }

    @Test
    void aSubtreeMountReadsFromTheHierarchyRoot() throws IOException {
        CgroupResolver resolver = new CgroupResolver(
                new CgroupMount(top.resolve("system.slice"), "/system.slice".getBytes(StandardCharsets.US_ASCII)),
                new CgroupResolver.Settings(100, 32, 10_000, INTERVAL), () -> now);
        assertThat(resolver.resolve(id(top.resolve("system.slice/cron.service"))).path())
                .isEqualTo("/system.slice/cron.service");
        assertThat(resolver.resolve(id(top.resolve("system.slice"))).path()).isEqualTo("/system.slice");
    }

    @Test
    void aPathTheKernelSentResolvesWithoutAWalkThoughTheCgroupIsGone() throws IOException {
        CgroupResolver resolver = resolver();
        resolver.resolve(id(top)); // the first walk
        long rescans = resolver.stats().rescans();
        resolver.learn(987_654_321L, "/system.slice/short.service".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(resolver.resolve(987_654_321L).labels().unit()).isEqualTo("short.service");
        assertThat(resolver.stats().rescans()).isEqualTo(rescans);
        assertThat(resolver.stats().learned()).isEqualTo(1);
        assertThat(resolver.stats().unknown()).isZero();
    }
}
