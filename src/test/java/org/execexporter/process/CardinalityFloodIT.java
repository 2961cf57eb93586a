package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many distinct names against a small cap: the series stay within cap + 1, and every exec is
 * counted. An allow list keeps the host's other execs out, so the sum is exact.
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
        try (DaemonProcess daemon = DaemonProcess.start("--comm.max-series=" + CAP, "--no-collector.jvm",
                "--config.file=" + config)) {
            ExecStorm.Result storm = ExecStorm.run(dir.resolve("bin"), 2, NAMES * 5L, names);
            Scrape s = daemon.scrapeUntil(x -> sumExecs(x) >= storm.total(), Duration.ofSeconds(60));
            assertThat(sumExecs(s)).isEqualTo(storm.total());
            assertThat(s.count("exec_events_total{")).isLessThanOrEqualTo(CAP + 1);
            assertThat(s.value("exec_exporter_comm_series")).isLessThanOrEqualTo(CAP);
            assertThat(s.value("exec_exporter_overflow_events_total"))
                    .isEqualTo(s.execs("__overflow_comms__")).isPositive();
            assertThat(s.value("exec_exporter_filtered_events_total")).isNotNegative();
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
