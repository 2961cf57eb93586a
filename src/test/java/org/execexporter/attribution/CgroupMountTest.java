package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CgroupMountTest {
    private static final String PURE_V2 = """
            22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            27 22 0:24 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw
            """;
    /** This project's test machines: systemd's hybrid layout, v1 controllers and v2 at unified. */
    private static final String HYBRID = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    private static final String V1_ONLY = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            """;
    /** A container with the host's hierarchy bind-mounted as well as its own subtree. */
    private static final String SUBTREE_FIRST = """
            600 590 0:26 /system.slice/docker-ab.scope /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw
            601 590 0:26 / /host/sys/fs/cgroup ro,nosuid master:9 - cgroup2 cgroup2 rw
            """;
    private static final String SUBTREE_ONLY = """
            600 590 0:26 /system.slice/docker-ab.scope /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw
            """;
    private static final String ESCAPED = """
            99 22 0:26 / /mnt/cgroup\\040two\\134x rw shared:1 shared:2 - cgroup2 none rw
            """;
    private static final String BROKEN = """
            garbage
            1 2 3
            5 6 0:1 / /a rw - cgroup2
            7 8 0:2 relative /b rw - cgroup2 cgroup2 rw
            26 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
            """;

    static Stream<Arguments> mountinfo() {
        return Stream.of(
                Arguments.of(PURE_V2, "/sys/fs/cgroup", "/"),
                Arguments.of(HYBRID, "/sys/fs/cgroup/unified", "/"),
                Arguments.of(SUBTREE_FIRST, "/host/sys/fs/cgroup", "/"),
                Arguments.of(SUBTREE_ONLY, "/sys/fs/cgroup", "/system.slice/docker-ab.scope"),
                Arguments.of(ESCAPED, "/mnt/cgroup two\\x", "/"),
                Arguments.of(BROKEN, "/sys/fs/cgroup", "/"),
                Arguments.of(V1_ONLY, null, null),
                Arguments.of("", null, null));
    }

    @ParameterizedTest
    @MethodSource("mountinfo")
    void findsTheCgroup2Mount(String text, String mountPoint, String root) {
        Optional<CgroupMount> mount = CgroupMount.parse(text.getBytes(StandardCharsets.UTF_8));
        if (mountPoint == null) {
            assertThat(mount).isEmpty();
            return;
        }
        assertThat(mount).contains(new CgroupMount(Path.of(mountPoint), root.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @MethodSource("hierarchyPaths")
    void pathsBelowASubtreeMountReadFromTheHierarchyRoot(String root, String belowMount, String expected) {
        CgroupMount mount = new CgroupMount(Path.of("/sys/fs/cgroup"), root.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(mount.hierarchyPath(belowMount.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo(expected);
    }

    static Stream<Arguments> hierarchyPaths() {
        return Stream.of(
                Arguments.of("/", "/", "/"),
                Arguments.of("/", "/a.slice/b.service", "/a.slice/b.service"),
                Arguments.of("/kubepods.slice", "/", "/kubepods.slice"),
                Arguments.of("/kubepods.slice", "/x.scope", "/kubepods.slice/x.scope"));
    }
}
