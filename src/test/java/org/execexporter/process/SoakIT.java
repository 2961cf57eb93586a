package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.ProcStatus;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A steady exec rate for a while, scraped every second as Prometheus would: nothing dropped, every
 * exec accounted for exactly (counted, or reported lost by the kernel if the host outran the reader),
 * and after warm-up neither the live heap (after a full GC) nor resident memory grows beyond a
 * small bound. The JVM runs with a fixed, pre-touched 64 MiB heap: left to
 * its defaults it commits more heap as it goes (a quarter of the host's memory at most), which
 * is sizing, not a leak, and would hide one.
 * CI runs it for {@code soak.seconds} (150 s by default); {@code mvn verify -Psoak} runs it alone
 * for an hour, or as long as {@code -Dsoak.seconds} says.
 */
@NeedsBpf
class SoakIT {
    private static final double SECONDS = Double.parseDouble(System.getProperty("soak.seconds", "150"));
    private static final double RATE = Double.parseDouble(System.getProperty("soak.rate", "500"));
    /** Growth allowed after warm-up: 10 MiB, or 10% of the warm RSS if that is more. */
    private static final long MIN_BOUND_KIB = 10 * 1024;
    /** Live heap growth allowed after warm-up. */
    private static final long LIVE_HEAP_BOUND_KIB = 8 * 1024;
    private static final int WARM_UP_SCRAPES = 2_000;
    private static final String[] HEAP = {"-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch"};

    @TempDir
    Path dir;

    /** Heap in use right after a full GC (jcmd GC.run), from the daemon's own JVM metrics. */
    private static long liveHeapKib(DaemonProcess daemon) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(daemon.pid()), "GC.run").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(jcmd.exitValue()).as("jcmd GC.run: %s", out).isZero();
        Scrape s = daemon.scrape();
        double used = s.samples.entrySet().stream()
                .filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{area=\"heap\""))
                .mapToDouble(java.util.Map.Entry::getValue).sum();
        return (long) (used / 1024);
    }

    private static long ours(Scrape s, List<byte[]> names) {
        return names.stream().mapToLong(n -> s.execs(DaemonIT.label(n))).sum();
    }

    @Test
    void steadyRateCountsEveryExecAndMemoryStaysFlat() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        List<byte[]> names = List.of(ExecStorm.ascii("skA" + tag), ExecStorm.ascii("skB" + tag),
                ExecStorm.ascii("skC" + tag));
        double warmUp = Math.max(20, SECONDS / 5);
        // Only the soak's names get series: a flood of names elsewhere on the host must not grow the
        // daemon's memory under the test (it is counted as filtered, nothing more).
        Path config = Files.writeString(dir.resolve("soak.yml"), "comm:\n  allow: ['sk[ABC]" + tag + "']\n");
        List<String> flags = new ArrayList<>(List.of(HEAP));
        flags.add("--config.file=" + config);
        try (DaemonProcess daemon = DaemonProcess.start(flags.toArray(String[]::new))) {
            CompletableFuture<ExecStorm.Result> storm = CompletableFuture.supplyAsync(() -> {
                try {
                    return ExecStorm.runFor(dir, 2, SECONDS, RATE, names);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            long warmRss = -1;
            long lastRss = -1;
            long maxRss = -1;
            long warmHeap = -1;
            int scrapes = 0;
            while (!storm.isDone()) {
                Scrape s = daemon.scrape();
                scrapes++;
                assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
                double elapsed = (System.nanoTime() - start) / 1e9;
                if (elapsed >= warmUp) {
                    if (warmRss < 0) {
                        // The scrape path warms up by scrapes, not by seconds (JIT, malloc arenas): a burst of
                        // them, so that the baseline is a warm process.
                        for (int i = 0; i < WARM_UP_SCRAPES; i++) {
                            daemon.scrape();
                        }
                        warmHeap = liveHeapKib(daemon); // first: the attach it makes is then in the baseline
                        warmRss = ProcStatus.rssKib(daemon.pid());
                    }
                    lastRss = ProcStatus.rssKib(daemon.pid());
                    maxRss = Math.max(maxRss, lastRss);
                }
                Thread.sleep(1_000);
            }
            ExecStorm.Result result = storm.get(60, TimeUnit.SECONDS);
            long endHeap = liveHeapKib(daemon);
            Scrape s = daemon.scrapeUntil(x -> ours(x, names) + x.value("exec_exporter_lost_events_total")
                    >= result.total() && x.unaccounted() == 0, Duration.ofSeconds(60));
            double lost = s.value("exec_exporter_lost_events_total");
            System.out.printf("soak: %.0f s at %.0f/s asked, %d execs (%.0f/s), %d scrapes, %.0f lost; RSS %d KiB "
                    + "after %.0f s warm-up, %d KiB at the end, %d KiB at most; live heap %d KiB, then %d KiB%n",
                    SECONDS, RATE, result.total(), result.rate(), scrapes, lost, warmRss, warmUp, lastRss, maxRss,
                    warmHeap, endHeap);
            assertThat(result.failed()).isZero();
            // The soak's own rate is low, but execs elsewhere on a shared host can outrun a reader that a
            // loaded machine (and the test's full GCs) keeps off the CPU: the kernel then reports the
            // samples it could not write. Every exec is still accounted for exactly once; with none lost,
            // each name's count is exact.
            assertThat(s.unaccounted()).as("seen - (counted + filtered + dropped + lost + malformed)").isZero();
            for (byte[] name : names) {
                long expected = result.perNameHex().get(HexFormat.of().formatHex(name));
                assertThat(s.execs(DaemonIT.label(name))).as("execs of %s", DaemonIT.label(name))
                        .isBetween(lost == 0 ? expected : 0, expected);
            }
            assertThat(ours(s, names) + lost).as("counted + lost covers every exec").isGreaterThanOrEqualTo(result.total());
            assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(warmRss).as("RSS measured after warm-up").isPositive();
            long bound = Math.max(MIN_BOUND_KIB, warmRss / 10);
            assertThat(lastRss - warmRss).as("RSS growth after warm-up, KiB (bound %d)", bound).isLessThan(bound);
            assertThat(endHeap - warmHeap).as("live heap growth after warm-up, KiB").isLessThan(LIVE_HEAP_BOUND_KIB);
            assertThat(daemon.stop()).isZero();
        }
    }
}
