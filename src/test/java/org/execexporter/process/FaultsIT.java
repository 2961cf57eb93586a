package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.execexporter.http.MetricsServer;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.execexporter.testing.TestNative;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon under faults: frozen readers with overrun rings, scrape storms and clients that never read. */
@NeedsBpf
class FaultsIT {
    @TempDir
    Path dir;

    /**
     * SIGSTOP freezes every reader while storms pinned to every CPU fill the one-page rings, whatever
     * the exec rate: the kernel counts what it could not write, the daemon exports it after SIGCONT,
     * and every exec the program saw is accounted for exactly (counted, filtered, dropped or lost).
     */
    @Test
    void ringOverrunIsCountedAndExportedAndNothingCrashes() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        byte[] name = ExecStorm.ascii("ov" + tag);
        String label = DaemonIT.label(name);
        // a reader woken by every sample: once running, nothing waits in a ring for a batch to fill
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--bpf.ring-pages=1",
                "--bpf.wakeup-events=1", "--comm.max-series=100000")) {
            assertThat(daemon.scrape().samples).containsKey("exec_exporter_lost_events_total");
            signal(daemon.pid(), "STOP");
            Map<Integer, ExecStorm.Result> storms;
            try {
                // a one-page ring holds under 80 samples: 1,000 on each CPU overflow each ring
                storms = ExecStorm.onEveryCpu(dir.resolve("storm"), 1_000, List.of(name));
            } finally {
                signal(daemon.pid(), "CONT");
            }
            long total = storms.values().stream().mapToLong(ExecStorm.Result::total).sum();
            Duration deadline = storms.values().stream().map(ExecStorm.Result::deadline).max(Duration::compareTo)
                    .orElseThrow();

            // The kernel reports a ring's lost samples with the next sample it writes to that ring: exec
            // a name of each CPU's own on that CPU, again, until each is counted (one written while its
            // ring was still full is lost in turn).
            List<Integer> cpus = ExecStorm.cpus();
            Predicate<Scrape> countedOnEveryCpu = x -> cpus.stream().allMatch(cpu -> x.execs(afterName(tag, cpu)) > 0);
            long end = System.nanoTime() + deadline.toNanos();
            for (Scrape x = daemon.scrape(); !countedOnEveryCpu.test(x);
                    x = daemon.scrapeUntil(countedOnEveryCpu, Duration.ofSeconds(2))) {
                assertThat(System.nanoTime()).as("an exec after the storm counted on every CPU within %s", deadline)
                        .isLessThan(end);
                ExecStorm.onEveryCpu(dir.resolve("after"), 1, cpu -> List.of(ExecStorm.ascii(afterName(tag, cpu))));
            }
            // Execs elsewhere on the host may be on their way through: wait for a scrape that accounts
            // for every exec the program saw.
            Scrape s = daemon.scrapeUntil(x -> x.unaccounted() == 0, deadline);
            double lost = s.value("exec_exporter_lost_events_total");
            System.out.printf("overrun: %d execs on %d CPUs, %d counted, %.0f lost; seen %.0f%n", total,
                    storms.size(), s.execs(label), lost, s.value("exec_exporter_bpf_execs_seen_total"));
            assertThat(s.unaccounted()).as("seen - (counted + filtered + dropped + lost + malformed)").isZero();
            assertThat(lost).isPositive().isEqualTo(s.value("exec_exporter_bpf_output_errors_total"));
            assertThat(s.execs(label)).isLessThan(total);
            assertThat(s.execs(label) + lost).as("counted + lost covers every exec").isGreaterThanOrEqualTo(total);
            assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            assertThat(daemon.stop()).isZero();
        }
    }

    private static String afterName(String tag, int cpu) {
        return "oa" + tag + "c" + cpu;
    }

    private static void signal(long pid, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor()).isZero();
    }

    /**
     * Clients that connect and never send, send half a request, or never read the answer, and a
     * storm of scrapes from 8 threads, all during an exec storm: every scrape is answered (200, or
     * 503 over the limit, at once), none waits long, and every exec is counted.
     */
    @Test
    void scrapeStormsAndSlowClientsStallNeitherTheAggregatorNorOtherScrapes() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid(), 36);
        List<byte[]> names = List.of(ExecStorm.ascii("ssA" + tag), ExecStorm.ascii("ssB" + tag));
        // a cap far above anything else on the host: another process flooding names must not take our slots
        try (DaemonProcess daemon = DaemonProcess.start("--web.max-requests=6", "--comm.max-series=100000")) {
            List<Socket> slow = new ArrayList<>();
            ExecutorService scrapers = Executors.newFixedThreadPool(8);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            AtomicLong limited = new AtomicLong();
            AtomicLong slowest = new AtomicLong();
            try {
                for (int i = 0; i < 10; i++) {
                    slow.add(connect(daemon.port, null));
                    slow.add(connect(daemon.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n"));
                    slow.add(connect(daemon.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
                }
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    running.add(scrapers.submit(() -> {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                        while (!stop.get() && System.nanoTime() < deadline) {
                            long start = System.nanoTime();
                            HttpResponse<byte[]> r = daemon.get("/metrics");
                            slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else if (r.statusCode() == 503) {
                                limited.incrementAndGet();
                            } else {
                                throw new AssertionError("scrape answered " + r.statusCode());
                            }
                        }
                        return null;
                    }));
                }
                ExecStorm.Result storm = ExecStorm.run(dir, 2, 6_000, names);
                stop.set(true);
                for (Future<?> f : running) {
                    f.get(60, TimeUnit.SECONDS);
                }
                System.out.printf("scrape storm: %d answered 200, %d answered 503, slowest %d ms%n", ok.get(),
                        limited.get(), TimeUnit.NANOSECONDS.toMillis(slowest.get()));
                assertThat(ok.get()).isPositive();
                // A scrape held up by the slow clients would wait for their idle timeout; any machine
                // answers a scrape far sooner, so a bound on speed is not what this asserts.
                assertThat(Duration.ofNanos(slowest.get())).as("the slowest scrape")
                        .isLessThan(MetricsServer.DEFAULT_IDLE_TIMEOUT);
                Scrape s = daemon.scrapeUntil(x -> names.stream().mapToLong(n -> x.execs(DaemonIT.label(n))).sum()
                        >= storm.total(), storm.deadline());
                for (byte[] name : names) {
                    assertThat(s.execs(DaemonIT.label(name)))
                            .isEqualTo(storm.perNameHex().get(HexFormat.of().formatHex(name)));
                }
                assertThat(s.value("exec_exporter_lost_events_total")).isZero();
                assertThat(s.value("exec_exporter_dropped_events_total")).isZero();
            } finally {
                stop.set(true);
                scrapers.shutdownNow();
                for (Socket s : slow) {
                    s.close();
                }
            }
            assertThat(daemon.stop()).isZero();
        }
    }

    /**
     * With a limit of 64 open files, connections run the daemon out of file descriptors before the
     * connection limit: the failing accepts are one log line (not a stack trace a second), and once
     * the connections close the daemon serves again.
     */
    @Test
    void atTheFileDescriptorLimitFailedAcceptsAreOneLineAndTheDaemonRecovers() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(List.of("prlimit", "--nofile=64:64"), "--no-collector.jvm")) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(new InetSocketAddress("127.0.0.1", daemon.port), 2_000);
                        held.add(s);
                    } catch (java.io.IOException backlogFull) {
                        s.close();
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (daemon.output.stream().noneMatch(l -> l.contains("cannot accept connections"))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(3_000); // Jetty logged its stack trace every second
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            System.out.printf("fd limit: %d connections made; daemon said %s%n", held.size(),
                    daemon.output.stream().filter(l -> l.contains("accept")).toList());
            assertThat(daemon.output).as("accept failures").filteredOn(l -> l.contains("cannot accept connections"))
                    .hasSize(1).allMatch(l -> l.contains("Too many open files"));
            assertThat(daemon.output).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"));
            assertThat(daemon.scrape().text).as("serving again").contains("exec_exporter_build_info");
            assertThat(daemon.stop()).isZero();
        }
    }

    /** A connection that sends {@code request} (or nothing) and never reads. */
    private static Socket connect(int port, String request) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        if (request != null) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        }
        return s;
    }
}
