package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.execexporter.testing.NeedsBpf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Basic auth under a flood of wrong passwords, as the shipped jar with a real bcrypt web config
 * (cost 10) and the default request limit: 50 clients send wrong passwords back to back, each
 * request a new password, while a scraper whose correct password is already cached scrapes once a
 * second with Prometheus's default timeout. Every one of its scrapes must succeed; the flood gets
 * 401 or 429, never holds a request for long, and never takes a request slot.
 */
@NeedsBpf
class AuthFloodIT {
    private static final int FLOODERS = 50;
    private static final Duration FLOOD = Duration.ofSeconds(20);
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dir;

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** utime + stime of a process, in clock ticks (USER_HZ, 100 per second on Linux). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    @Test
    void aScraperWithACachedPasswordGetsThroughEveryWrongPasswordFlood() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(10, PASSWORD.toCharArray());
        Path web = Files.writeString(dir.resolve("web.yml"), "basic_auth_users:\n  prometheus: '" + hash + "'\n");
        try (DaemonProcess daemon = DaemonProcess.start("--no-collector.jvm", "--web.config.file=" + web)) {
            URI metrics = URI.create("http://127.0.0.1:" + daemon.port + "/metrics");
            HttpClient scraper = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest scrape = HttpRequest.newBuilder(metrics).timeout(SCRAPE_TIMEOUT)
                    .header("Authorization", basic("prometheus", PASSWORD)).build();
            assertThat(scraper.send(scrape, HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("the first scrape, which caches the password").isEqualTo(200);

            AtomicBoolean stop = new AtomicBoolean();
            Map<Integer, LongAdder> floodStatuses = new ConcurrentHashMap<>();
            AtomicLong longestFloodMillis = new AtomicLong();
            HttpClient attacker = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            ExecutorService pool = Executors.newFixedThreadPool(FLOODERS);
            List<Future<?>> flooders = new ArrayList<>();
            for (int i = 0; i < FLOODERS; i++) {
                int id = i;
                flooders.add(pool.submit(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        HttpRequest wrong = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(60))
                                .header("Authorization", basic("prometheus", "wrong-" + id + "-" + n)).build();
                        long start = System.nanoTime();
                        int status;
                        try {
                            status = attacker.send(wrong, HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (java.io.IOException e) {
                            status = -1;
                        }
                        longestFloodMillis.accumulateAndGet(
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                        floodStatuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                    }
                    return null;
                }));
            }

            Map<Integer, Integer> scrapeStatuses = new TreeMap<>();
            int scrapes = 0;
            int succeeded = 0;
            long cpuBefore = cpuTicks(daemon.pid());
            long start = System.nanoTime();
            try {
                while (System.nanoTime() - start < FLOOD.toNanos()) {
                    long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    int status;
                    try {
                        HttpResponse<String> r = scraper.send(scrape, HttpResponse.BodyHandlers.ofString());
                        status = r.statusCode() == 200 && !r.body().contains("exec_exporter_build_info") ? -2
                                : r.statusCode();
                    } catch (java.net.http.HttpTimeoutException e) {
                        status = -1;
                    }
                    scrapes++;
                    succeeded += status == 200 ? 1 : 0;
                    scrapeStatuses.merge(status, 1, Integer::sum);
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                }
            } finally {
                stop.set(true);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cores = (cpuTicks(daemon.pid()) - cpuBefore) / 100.0 / seconds;
            for (Future<?> f : flooders) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            Map<Integer, Long> flood = new TreeMap<>();
            floodStatuses.forEach((status, count) -> flood.put(status, count.sum()));
            System.out.printf("auth flood: %d of %d scrapes succeeded %s; flood answers %s, the longest %d ms; "
                    + "daemon CPU %.2f cores%n", succeeded, scrapes, scrapeStatuses, flood, longestFloodMillis.get(),
                    cores);

            assertThat(scrapes).as("scrapes made during the flood").isGreaterThanOrEqualTo(5);
            assertThat(succeeded).as("scrapes that succeeded, of %d: %s", scrapes, scrapeStatuses).isEqualTo(scrapes);
            assertThat(flood.keySet()).as("the flood is refused: 401 wrong password, 429 checks busy")
                    .isNotEmpty().isSubsetOf(401, 429);
            assertThat(flood.getOrDefault(401, 0L)).as("wrong passwords were checked").isPositive();
            assertThat(Duration.ofMillis(longestFloodMillis.get())).as("the longest a failed check was held")
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(daemon.stop()).isZero();
        }
    }
}
