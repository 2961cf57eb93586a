package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.execexporter.http.BasicAuth.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BasicAuthTest {
    private static final String HASH = BCrypt.withDefaults().hashToString(6, "right".toCharArray());

    private final AtomicInteger bcrypts = new AtomicInteger();
    private final BasicAuth auth = new BasicAuth(Map.of("prometheus", HASH), (password, hash) -> {
        bcrypts.incrementAndGet();
        return BasicAuth.BCRYPT.matches(password, hash);
    }, BasicAuth.MAX_WAIT);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static String header(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsTheRightPasswordAndCachesIt() {
        assertThat(auth.check(header("prometheus", "right"), "c")).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check(header("prometheus", "right"), "c")).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check("basic " + header("prometheus", "right").substring(6), "c")).isEqualTo(Outcome.ALLOWED);
        assertThat(bcrypts).as("bcrypt runs once, then the cache answers").hasValue(1);
    }

    @Test
    void rejectsWrongPasswordsEveryTimeWithBcrypt() {
        for (int i = 0; i < 3; i++) {
            assertThat(auth.check(header("prometheus", "wrong"), "c")).isEqualTo(Outcome.DENIED);
        }
        assertThat(bcrypts).as("failures are never cached").hasValue(3);
    }

    @Test
    void anUnknownUserCostsABcryptToo() {
        assertThat(auth.check(header("nobody", "right"), "c")).isEqualTo(Outcome.DENIED);
        assertThat(auth.check(header("nobody", "right"), "c")).isEqualTo(Outcome.DENIED);
        assertThat(bcrypts).hasValue(2);
    }

    @Test
    void malformedHeadersAreRejectedWithoutBcrypt() {
        for (String h : Arrays.asList(null, "", "Basic", "Basic !!!", "Bearer abc",
                "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8)))) {
            assertThat(auth.check(h, "c")).as("%s", h).isEqualTo(Outcome.DENIED);
        }
        assertThat(bcrypts).hasValue(0);
    }

    @Test
    void aPasswordWithColonsAndUtf8IsTakenWhole() {
        String hash = BCrypt.withDefaults().hashToString(4, "a:b:ü".toCharArray());
        BasicAuth a = new BasicAuth(Map.of("u", hash));
        assertThat(a.check(header("u", "a:b:ü"), "c")).isEqualTo(Outcome.ALLOWED);
        assertThat(a.check(header("u", "a:b"), "c")).isEqualTo(Outcome.DENIED);
    }

    /** An unknown user and a known user with a wrong password take about as long (ratio, not time). */
    @Test
    void unknownUsersTakeAsLongAsWrongPasswords() {
        BasicAuth real = new BasicAuth(Map.of("prometheus", BCrypt.withDefaults().hashToString(8, "x".toCharArray())));
        long known = Long.MAX_VALUE;
        long unknown = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the fastest of each: the least disturbed by a noisy machine
            long t0 = System.nanoTime();
            real.check(header("prometheus", "wrong" + i), "c");
            long t1 = System.nanoTime();
            real.check(header("nobody" + i, "wrong"), "c");
            long t2 = System.nanoTime();
            known = Math.min(known, t1 - t0);
            unknown = Math.min(unknown, t2 - t1);
        }
        assertThat((double) unknown / known).as("unknown / known user time").isBetween(0.33, 3.0);
    }

    /** A BasicAuth whose bcrypt blocks on wrong passwords until released, counting the checks that ran it. */
    private static final class Stalled {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger entered = new AtomicInteger();
        final BasicAuth auth;

        Stalled(Duration maxWait) {
            auth = new BasicAuth(Map.of("prometheus", HASH), (password, hash) -> {
                entered.incrementAndGet();
                if (!Arrays.equals(password, "right".getBytes(StandardCharsets.UTF_8))) {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return BasicAuth.BCRYPT.matches(password, hash);
            }, maxWait);
        }

        void awaitEntered(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (entered.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(entered).hasValue(n);
        }
    }

    @Test
    void pendingChecksAreBoundedInAllAndToOnePerClientAndNeverDelayACachedPassword() throws Exception {
        Stalled gate = new Stalled(Duration.ofSeconds(60));
        BasicAuth a = gate.auth;
        assertThat(a.check(header("prometheus", "right"), "scraper")).isEqualTo(Outcome.ALLOWED);
        List<Future<Outcome>> pending = new ArrayList<>();
        for (int i = 0; i < BasicAuth.MAX_PENDING; i++) {
            String client = "attacker-" + i;
            pending.add(pool.submit(() -> a.check(header("prometheus", "wrong"), client)));
            if (i == 0) {
                gate.awaitEntered(2); // the first holds bcrypt; the others queue behind it
            }
        }
        Thread.sleep(200); // a BUSY answer would come at once
        for (Future<Outcome> f : pending) {
            assertThat(f.isDone()).as("a pending check waits for its turn").isFalse();
        }
        assertThat(a.check(header("prometheus", "right"), "scraper"))
                .as("a cached password while bcrypt is held and every check is pending").isEqualTo(Outcome.ALLOWED);
        assertThat(a.check(header("prometheus", "wrong"), "attacker-1"))
                .as("a second check of a client with one pending").isEqualTo(Outcome.BUSY);
        assertThat(a.check(header("prometheus", "wrong"), "attacker-new"))
                .as("a check beyond MAX_PENDING").isEqualTo(Outcome.BUSY);
        assertThat(gate.entered).as("neither the cache nor BUSY runs bcrypt").hasValue(2);

        gate.release.countDown();
        for (Future<Outcome> f : pending) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DENIED);
        }
        assertThat(a.check(header("prometheus", "wrong"), "attacker-1")).as("admitted again").isEqualTo(Outcome.DENIED);
    }

    @Test
    void aCheckWaitsForBcryptAtMostMaxWait() throws Exception {
        Stalled gate = new Stalled(Duration.ofMillis(300));
        Future<Outcome> running = pool.submit(() -> gate.auth.check(header("prometheus", "wrong"), "a"));
        gate.awaitEntered(1);
        long start = System.nanoTime();
        assertThat(gate.auth.check(header("prometheus", "wrong"), "b")).isEqualTo(Outcome.BUSY);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        gate.release.countDown();
        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DENIED);
        assertThat(gate.entered).hasValue(1);
    }

    /** After a failed check, bcrypt rests as long as it ran: failures keep it busy half the time at most. */
    @Test
    void failedChecksLeaveBcryptIdleAsLongAsTheyRan() throws Exception {
        List<long[]> runs = new ArrayList<>();
        BasicAuth a = new BasicAuth(Map.of("prometheus", HASH), (password, hash) -> {
            long start = System.nanoTime();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (runs) {
                runs.add(new long[] {start, System.nanoTime()});
            }
            return false;
        }, Duration.ofSeconds(30));
        List<Future<Outcome>> checks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String client = "c" + i;
            checks.add(pool.submit(() -> a.check(header("prometheus", "wrong"), client)));
        }
        for (Future<Outcome> f : checks) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DENIED);
        }
        runs.sort((x, y) -> Long.compare(x[0], y[0]));
        for (int i = 1; i < runs.size(); i++) {
            long previousRun = runs.get(i - 1)[1] - runs.get(i - 1)[0];
            long idle = runs.get(i)[0] - runs.get(i - 1)[1];
            assertThat(idle).as("idle after run %d", i - 1).isGreaterThanOrEqualTo(previousRun);
        }
    }
}
