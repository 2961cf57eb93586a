package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.execexporter.base.NameEscaper;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Promtool;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped jar as a process, real BPF, execs from execstorm with exactly known counts. */
@NeedsBpf
class DaemonIT {
    @TempDir
    Path dir;

    @Test
    void exactPerCommCountsAfterAStormAtTheTopRate() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        List<byte[]> names = new ArrayList<>();
        for (String n : List.of("stA", "stB", "stC", "stD")) {
            names.add(ExecStorm.ascii(n + tag));
        }
        // a cap far above anything else on the host: another process flooding names must not take our slots
        try (DaemonProcess daemon = DaemonProcess.start("--comm.max-series=100000")) {
            Scrape first = daemon.scrape();
            for (String health : List.of("exec_exporter_lost_events_total", "exec_exporter_dropped_events_total",
                    "exec_exporter_overflow_events_total", "exec_exporter_queue_depth",
                    "exec_exporter_queue_capacity", "exec_exporter_series",
                    "exec_exporter_bpf_prog_runs_total", "exec_exporter_bpf_prog_run_seconds_total")) {
                assertThat(first.samples).as("present from the first scrape").containsKey(health);
            }
            assertThat(first.value("exec_exporter_lost_events_total")).isZero();
            assertThat(first.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(first.text).contains("jvm_memory_used_bytes"); // JVM metrics on by default

            ExecStorm.Result storm = ExecStorm.run(dir, 3, 20_000, names);
            assertThat(storm.failed()).isZero();
            Scrape s = daemon.scrapeUntil(x -> names.stream().mapToLong(n -> x.execs(label(n))).sum() >= storm.total(),
                    storm.deadline());
            for (byte[] name : names) {
                assertThat(s.execs(label(name))).as("execs of %s", label(name))
                        .isEqualTo(storm.perNameHex().get(HexFormat.of().formatHex(name)));
            }
            assertThat(s.value("exec_exporter_lost_events_total")).isZero();
            assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(s.value("exec_exporter_bpf_execs_seen_total")).isGreaterThanOrEqualTo(storm.total());
            assertThat(daemon.stop()).as("exit status after SIGTERM").isZero();
            assertThat(daemon.output).anyMatch(l -> l.contains("BPF program loaded and attached"))
                    .anyMatch(l -> l.contains("msg=Stopped"));
        }
    }

    @Test
    void hostileNamesAreEscapedLosslesslyAndPromtoolAcceptsTheScrape() throws Exception {
        List<byte[]> names = List.of(
                ExecStorm.ascii("q\"uote"),
                ExecStorm.ascii("back\\slash"),
                ExecStorm.ascii("new\nline"),
                new byte[] {'c', 't', 'l', 0x01, 0x1b, 0x7f, 0x09},
                new byte[] {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80},
                "ééééééééé".getBytes(StandardCharsets.UTF_8), // 18 bytes: the comm cuts the 8th é in two
                ExecStorm.ascii("{a=\"b\"}, #x"),
                new byte[] {'z', 'w', (byte) 0xe2, (byte) 0x80, (byte) 0x8b, 'j'}); // a zero-width space
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--comm.max-series=100000")) {
            ExecStorm.Result storm = ExecStorm.run(dir, 2, 400, names);
            Scrape s = daemon.scrapeUntil(x -> names.stream().mapToLong(n -> x.execs(label(n))).sum() >= storm.total(),
                    storm.deadline());
            for (byte[] name : names) {
                String label = label(name);
                assertThat(NameEscaper.unescape(label)).isEqualTo(ExecStorm.commOf(name)); // lossless
                assertThat(s.execs(label)).as("execs of %s", label)
                        .isEqualTo(storm.perNameHex().get(HexFormat.of().formatHex(name)));
            }
            assertThat(s.text).contains("exec_events_total{comm=\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\\\\xc3\"}");
            Promtool.assertAccepts(s.text);
            assertThat(daemon.stop()).isZero();
        }
    }

    static String label(byte[] name) {
        return NameEscaper.escape(ExecStorm.commOf(name));
    }

    static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
