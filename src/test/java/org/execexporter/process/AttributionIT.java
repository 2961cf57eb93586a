package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.execexporter.attribution.CgroupMount;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar with {@code --metrics.labels=comm,unit,container}, real BPF, storms run in cgroups
 * the test makes under this host's cgroup2 mount (found as the daemon finds it: on this hybrid
 * machine {@code /sys/fs/cgroup/unified}): exact counts per unit and per container id.
 */
@NeedsBpf
class AttributionIT {
    private static final String ID = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";

    @TempDir
    Path dir;

    private final String tag = Long.toString(ProcessHandle.current().pid(), 36) + Long.toString(System.nanoTime() % 46656, 36);
    private Path slice;

    @BeforeEach
    void makeSlice() throws Exception {
        Path mount = CgroupMount.find().orElseThrow().mountPoint();
        slice = Files.createDirectory(mount.resolve("ee-it-" + tag + ".slice"));
    }

    @AfterEach
    void removeCgroups() throws Exception {
        if (slice == null) {
            return;
        }
        try (var children = Files.list(slice)) {
            for (Path child : children.filter(Files::isDirectory).toList()) {
                Files.deleteIfExists(child); // rmdir: the storms have ended, the cgroups are empty
            }
        }
        Files.deleteIfExists(slice);
    }

    private static long execs(Scrape s, String comm, String unit, String container) {
        return (long) s.sum("exec_events_total", Map.of("comm", comm, "unit", unit, "container", container));
    }

    @Test
    void execsAreCountedExactlyPerUnitAndPerContainer() throws Exception {
        Path service = Files.createDirectory(slice.resolve("ee-it-" + tag + ".service"));
        Path container = Files.createDirectory(slice.resolve("docker-" + ID + ".scope"));
        byte[] name = ExecStorm.ascii("att" + tag);
        String comm = new String(ExecStorm.commOf(name), java.nio.charset.StandardCharsets.US_ASCII);
        try (DaemonProcess daemon = DaemonProcess.start("--metrics.labels=comm,unit,container",
                "--metrics.max-series=100000", "--no-collector.jvm")) {
            assertThat(daemon.awaitLine(l -> l.contains("Attributing execs to cgroups"))).isTrue();
            ExecStorm.Result inService = ExecStorm.runInCgroup(service, dir.resolve("a"), 2, 3_000, List.of(name));
            ExecStorm.Result inContainer = ExecStorm.runInCgroup(container, dir.resolve("b"), 2, 2_000, List.of(name));
            ExecStorm.Result outside = ExecStorm.run(dir.resolve("c"), 1, 500, List.of(name));
            long total = inService.total() + inContainer.total() + outside.total();
            Scrape s = daemon.scrapeUntil(x -> x.sum("exec_events_total", Map.of("comm", comm)) >= total,
                    inService.deadline().plus(inContainer.deadline()));

            assertThat(execs(s, comm, "ee-it-" + tag + ".service", "")).isEqualTo(inService.total());
            assertThat(execs(s, comm, "docker-" + ID + ".scope", ID.substring(0, 12))).isEqualTo(inContainer.total());
            // this test's own cgroup: whatever unit it is in (none outside systemd), no container
            assertThat(s.sum("exec_events_total", Map.of("comm", comm, "container", ""))
                    - execs(s, comm, "ee-it-" + tag + ".service", "")).isEqualTo(outside.total());
            assertThat(s.sum("exec_events_total", Map.of("comm", comm))).isEqualTo(total);
            assertThat(s.value("exec_exporter_lost_events_total")).isZero();
            assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(s.text).contains("exec_comm_window_events_count{comm=\"" + comm + "\",container=\""
                    + ID.substring(0, 12) + "\",unit=\"docker-" + ID + ".scope\"}");
            assertThat(daemon.stop()).isZero();
        }
    }

    /**
     * A cgroup made after the daemon's walk of the hierarchy and removed while its execs wait in
     * the rings (the daemon is stopped with SIGSTOP, so that nothing reads them): no walk can ever
     * find it, yet every exec is counted under its unit, because the kernel sent the cgroup's path
     * ahead of its first exec on each CPU. This is what a short service or cron job looks like.
     */
    @Test
    void execsOfACgroupRemovedBeforeTheyAreReadAreCountedUnderItsUnit() throws Exception {
        byte[] name = ExecStorm.ascii("gon" + tag);
        String comm = new String(ExecStorm.commOf(name), java.nio.charset.StandardCharsets.US_ASCII);
        try (DaemonProcess daemon = DaemonProcess.start("--metrics.labels=comm,unit,container",
                "--metrics.max-series=100000", "--no-collector.jvm")) {
            assertThat(daemon.awaitLine(l -> l.contains("Counting execs"))).isTrue();
            // made after the daemon's first walk of the hierarchy, so that no walk ever sees it
            Path service = Files.createDirectory(slice.resolve("ee-gone-" + tag + ".service"));
            signal(daemon.pid(), "STOP");
            ExecStorm.Result storm;
            try {
                // few enough for the default rings (64 pages hold thousands of records each), on
                // every CPU one after the other: each ring must carry the path ahead of its own execs
                storm = ExecStorm.runInCgroupOnEveryCpu(service, dir, 150, List.of(name));
                Files.delete(service);
            } finally {
                signal(daemon.pid(), "CONT");
            }
            Scrape s = daemon.scrapeUntil(x -> x.sum("exec_events_total", Map.of("comm", comm)) >= storm.total(),
                    storm.deadline());
            assertThat(s.sum("exec_events_total", Map.of("comm", comm))).isEqualTo(storm.total());
            assertThat(execs(s, comm, "ee-gone-" + tag + ".service", "")).as("the unit of a cgroup that is gone: %s",
                            s.text.lines().filter(l -> l.startsWith("exec_events_total{comm=\"" + comm)).toList())
                    .isEqualTo(storm.total());
            assertThat(s.value("exec_exporter_lost_events_total")).isZero();
        }
    }

    private static void signal(long pid, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor()).isZero();
    }
}
