package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.execexporter.testing.Bpftool;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP on the shipped jar with real BPF: the probe stays attached (the same program, held by the
 * same process), no count restarts, the comm settings change live, and a file that does not parse
 * changes nothing but exec_exporter_config_last_reload_successful.
 */
@NeedsBpf
class ReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final String tag = Long.toString(ProcessHandle.current().pid(), 36);

    private String pinned(String letter) {
        return "pin" + letter + tag;
    }

    private Path config(String comm) throws Exception {
        return Files.writeString(dir.resolve("exec-exporter.yml"), "comm: " + comm + "\n");
    }

    /** Execs of {@code name}, exactly {@code count}, and waits until the daemon has counted them all. */
    private Scrape storm(DaemonProcess daemon, byte[] name, int count, long before) throws Exception {
        ExecStorm.Result storm = ExecStorm.run(dir, 2, count, List.of(name));
        assertThat(storm.failed()).isZero();
        long made = storm.perNameHex().get(HexFormat.of().formatHex(name));
        String label = DaemonIT.label(name);
        Scrape s = daemon.scrapeUntil(x -> x.execs(label) >= before + made, WAIT);
        assertThat(s.execs(label)).as("execs of %s", label).isEqualTo(before + made);
        return s;
    }

    @Test
    void sighupKeepsTheProbeAndEveryCountAndChangesTheCommSettingsLive() throws Exception {
        Path file = config("{max_series: 100000, pinned: [" + pinned("A") + "]}");
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--config.file=" + file)) {
            Scrape first = daemon.scrape();
            assertThat(first.samples).as("a pinned comm is there at 0 from the first scrape")
                    .containsEntry("exec_events_total{comm=\"" + pinned("A") + "\"}", 0.0);
            assertThat(first.value("exec_exporter_config_last_reload_successful")).isEqualTo(1.0);
            List<Long> programs = Bpftool.programsOf(daemon.pid(), "exec_btf");
            assertThat(programs).hasSize(1);

            byte[] counted = ExecStorm.ascii("rlA" + tag);
            storm(daemon, counted, 3_000, 0);
            Scrape before = storm(daemon, ExecStorm.ascii(pinned("A")), 500, 0);
            double reloadedAt = before.value("exec_exporter_config_last_reload_success_timestamp_seconds");

            config("{max_series: 50000, idle_timeout: 2h, pinned: [" + pinned("A") + ", " + pinned("B") + "]}");
            int lines = daemon.output.size();
            daemon.signal("HUP");
            assertThat(daemon.awaitLine(lines, "msg=\"Reloaded the configuration\"", WAIT))
                    .contains("changed=metrics.max_series,metrics.idle_timeout,comm.pinned");
            Scrape after = daemon.scrapeUntil(x -> x.value("exec_exporter_series_limit") == 50_000
                    && x.samples.containsKey("exec_events_total{comm=\"" + pinned("B") + "\"}"), WAIT);
            assertThat(after.value("exec_exporter_series_limit")).isEqualTo(50_000);
            assertThat(after.samples).containsEntry("exec_events_total{comm=\"" + pinned("B") + "\"}", 0.0);
            assertThat(after.execs(DaemonIT.label(counted))).as("no count restarts").isEqualTo(before.execs(
                    DaemonIT.label(counted)));
            assertThat(after.value("exec_exporter_config_last_reload_successful")).isEqualTo(1.0);
            assertThat(after.value("exec_exporter_config_last_reload_success_timestamp_seconds"))
                    .isGreaterThanOrEqualTo(reloadedAt);

            storm(daemon, counted, 2_000, before.execs(DaemonIT.label(counted))); // counts go on from there
            assertThat(Bpftool.programsOf(daemon.pid(), "exec_btf")).as("the same program, never reloaded")
                    .isEqualTo(programs);
            assertThat(daemon.process.isAlive()).isTrue();
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void aBadFileOnReloadChangesNothingAndKeysThatNeedARestartAreOneLine() throws Exception {
        Path file = config("{max_series: 100000}");
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--config.file=" + file)) {
            byte[] name = ExecStorm.ascii("rlB" + tag);
            Scrape before = storm(daemon, name, 1_000, 0);

            Files.writeString(file, "comm: {max_series: 10, colour: blue}\n");
            int lines = daemon.output.size();
            daemon.signal("HUP");
            assertThat(daemon.awaitLine(lines, "Failed to reload the configuration", WAIT))
                    .contains("unknown key /comm/colour");
            Scrape failed = daemon.scrapeUntil(x -> x.value("exec_exporter_config_last_reload_successful") == 0, WAIT);
            assertThat(failed.value("exec_exporter_config_last_reload_successful")).isZero();
            assertThat(failed.value("exec_exporter_series_limit")).as("nothing applied").isEqualTo(100_000);
            storm(daemon, name, 1_000, before.execs(DaemonIT.label(name)));

            Files.writeString(file, "comm: {max_series: 100000}\nbpf: {ring_pages: 128}\nqueue: {capacity: 1024}\n"
                    + "log: {format: json}\n");
            lines = daemon.output.size();
            daemon.signal("HUP");
            assertThat(daemon.awaitLine(lines, "need a restart", WAIT)).contains("keys=queue.capacity,bpf.ring_pages");
            assertThat(daemon.awaitLine(lines, "Reloaded the configuration", WAIT)).as("logged in the new format")
                    .contains("\"msg\":\"Reloaded the configuration\",\"changed\":\"log.format\"");
            Scrape good = daemon.scrapeUntil(x -> x.value("exec_exporter_config_last_reload_successful") == 1, WAIT);
            assertThat(good.value("exec_exporter_queue_capacity")).as("still the running queue").isEqualTo(65_536);
            assertThat(daemon.stop()).isZero();
        }
    }
}
