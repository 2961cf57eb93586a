package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many distinct names against a small cap: the series stay within cap + 1, and every exec is
 * counted. An allow list keeps the host's other execs out, so the sum is exact; names it does not
 * allow are counted as filtered, with no series.
 */
@NeedsBpf
class CardinalityFloodIT {
    private static final int CAP = 20;
    private static final int NAMES = 400;

    @TempDir
    Path dir;

    @Test
    void floodStaysWithinTheCapAndEveryExecIsCounted() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        Path config = Files.writeString(dir.resolve("flood.yml"),
                "comm:\n  allow: ['fl" + tag + "_.*']\n");
        List<byte[]> names = new ArrayList<>();
        for (int i = 0; i < NAMES; i++) {
            names.add(ExecStorm.ascii("fl" + tag + "_" + i));
        }
        List<byte[]> keptOut = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keptOut.add(ExecStorm.ascii("fx" + tag + "_" + i));
        }
        try (DaemonProcess daemon = DaemonProcess.start("--comm.max-series=" + CAP, "--no-collector.jvm",
                "--config.file=" + config)) {
            ExecStorm.Result other = ExecStorm.run(dir.resolve("other"), 2, 100, keptOut);
            ExecStorm.Result storm = ExecStorm.run(dir.resolve("bin"), 2, NAMES * 5L, names);
            assertThat(storm.failed() + other.failed()).isZero();
            Scrape s = daemon.scrapeUntil(x -> sumExecs(x) >= storm.total()
                    && x.value("exec_exporter_filtered_events_total") >= other.total(), storm.deadline());
            assertThat(sumExecs(s)).isEqualTo(storm.total());
            assertThat(s.count("exec_events_total{")).isEqualTo(CAP + 1);
            assertThat(s.value("exec_exporter_series")).isEqualTo(CAP);
            long inSeries = 0;
            for (byte[] name : names) { // a name with a series has every exec of it there
                long counted = s.execs(DaemonIT.label(name));
                assertThat(counted).as("execs of %s in its series", DaemonIT.label(name))
                        .isIn(0L, storm.perNameHex().get(HexFormat.of().formatHex(name)));
                inSeries += counted;
            }
            assertThat(s.value("exec_exporter_overflow_events_total")).isEqualTo(s.execs("__overflow_comms__"))
                    .isEqualTo(storm.total() - inSeries).isPositive();
            // the host's other execs are filtered too: at least ours
            assertThat(s.value("exec_exporter_filtered_events_total")).isGreaterThanOrEqualTo(other.total());
            assertThat(s.count("exec_events_total{comm=\"fx" + tag)).as("series of names not allowed").isZero();
            assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(s.value("exec_exporter_lost_events_total")).isZero();
            assertThat(daemon.stop()).isZero();
        }
    }

    private static long sumExecs(Scrape s) {
        return s.samples.entrySet().stream().filter(e -> e.getKey().startsWith("exec_events_total{"))
                .mapToLong(e -> e.getValue().longValue()).sum();
    }
}
