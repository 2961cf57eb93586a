package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.ProcStatus;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 distinct command names, each exec'd once, against the default cap of 500 series: the
 * series stay within the cap, every exec is counted (in its series or the overflow series), and
 * the daemon's resident memory grows by a bounded amount. An allow list keeps the host's other
 * execs out, so the sum is exact.
 */
@NeedsBpf
class NameFloodIT {
    private static final int NAMES = 100_000;
    /** Names per execstorm run: its command line must stay under ARG_MAX (2 MiB). */
    private static final int BATCH = 20_000;
    private static final int CAP = 500;
    private static final long RSS_GROWTH_LIMIT_KIB = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aHundredThousandNamesStayWithinTheCapAndEveryExecIsCounted() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid() % 1296, 36);
        Path config = Files.writeString(dir.resolve("flood.yml"), "comm:\n  allow: ['f" + tag + "_.*']\n");
        try (DaemonProcess daemon = DaemonProcess.start("--config.file=" + config)) {
            // warm-up: the first names take the series, the overflow series exists, the JIT has run
            ExecStorm.Result warmUp = run(daemon, tag, 0, 2_000);
            long total = warmUp.total();
            Scrape warm = daemon.scrapeUntil(x -> sumExecs(x) >= warmUp.total(), warmUp.deadline());
            assertThat(sumExecs(warm)).as("warm-up execs counted").isEqualTo(warmUp.total());
            long rssBefore = ProcStatus.rssKib(daemon.pid());
            ExecStorm.Result last = warmUp;
            for (int start = 2_000; start < NAMES; start += BATCH) {
                last = run(daemon, tag, start, Math.min(BATCH, NAMES - start));
                total += last.total();
            }
            long expected = total;
            // earlier batches were read while the later ones ran: what may be left is the last one's
            Scrape s = daemon.scrapeUntil(x -> sumExecs(x) >= expected, last.deadline());
            long rssAfter = ProcStatus.rssKib(daemon.pid());
            System.out.printf("name flood: %d execs of %d names, %d series; RSS %d KiB after warm-up, %d KiB after%n",
                    expected, NAMES, s.count("exec_events_total{"), rssBefore, rssAfter);
            assertThat(sumExecs(s)).as("every exec counted").isEqualTo(expected);
            assertThat(s.count("exec_events_total{")).isLessThanOrEqualTo(CAP + 1);
            assertThat(s.value("exec_exporter_series")).isEqualTo(CAP);
            assertThat(s.value("exec_exporter_overflow_events_total")).isEqualTo(s.execs("__overflow_comms__"))
                    .isEqualTo(expected - CAP);
            assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(s.value("exec_exporter_lost_events_total")).isZero();
            assertThat(rssAfter - rssBefore).as("RSS growth in KiB").isLessThan(RSS_GROWTH_LIMIT_KIB);
            assertThat(daemon.stop()).isZero();
        }
    }

    /** Execs each of {@code count} names once, from a directory removed afterwards. */
    private ExecStorm.Result run(DaemonProcess daemon, String tag, int start, int count) throws Exception {
        List<byte[]> names = new ArrayList<>(count);
        for (int i = start; i < start + count; i++) {
            names.add(ExecStorm.ascii("f" + tag + "_" + Integer.toString(i, 36)));
        }
        Path bin = dir.resolve("bin" + start);
        ExecStorm.Result storm = ExecStorm.run(bin, 2, count, names);
        assertThat(storm.failed()).isZero();
        try (Stream<Path> files = Files.walk(bin)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return storm;
    }

    private static long sumExecs(Scrape s) {
        return s.samples.entrySet().stream().filter(e -> e.getKey().startsWith("exec_events_total{"))
                .mapToLong(e -> e.getValue().longValue()).sum();
    }
}
