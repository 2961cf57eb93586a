package org.execexporter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The aggregator stepped by hand on a fake clock: no thread, no timing. The last tests run its
 * thread, to see when it sleeps and what wakes it (conditions waited on with deadlines).
 */
class AggregatorTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 5000 * S; // window 5000 starts here
    private static final Duration GRACE = Duration.ofMillis(300);

    private volatile long now = T0;
    private final ExecQueue queue = new ExecQueue(1 << 16);
    private final RecordingMeters meters = new RecordingMeters();

    private Aggregator aggregator(int maxSeries, SeriesFilter filter, Duration idle) {
        SeriesTable table = new SeriesTable(maxSeries, filter, meters, now);
        return new Aggregator(queue, table, meters, GRACE, idle, () -> now);
    }

    private void exec(String comm, long ktime) {
        byte[] b = comm.getBytes(StandardCharsets.UTF_8);
        exec(b, ktime);
    }

    private void exec(byte[] comm, long ktime) {
        long[] words = TestComms.words(comm);
        assertThat(queue.offer(words[0], words[1], ktime)).isTrue();
    }

    private void exit(String comm, int status, long lifetimeNanos) {
        long[] words = TestComms.words(comm.getBytes(StandardCharsets.UTF_8));
        assertThat(queue.offerExit(words[0], words[1], status, lifetimeNanos)).isTrue();
    }

    private void failure(String comm, int errno) {
        long[] words = TestComms.words(comm.getBytes(StandardCharsets.UTF_8));
        assertThat(queue.offerFailure(words[0], words[1], 0, 0, errno)).isTrue();
    }

    @Test
    void countsFailedExecsByCallerAndErrnoUnderTheSameBudget() {
        Aggregator a = aggregator(1, SeriesFilter.none(), Duration.ofHours(1));
        failure("cron", 2);
        failure("cron", 2);
        failure("cron", 13);
        failure("other", 8); // beyond the budget: the overflow series, not the overflow counter
        a.step();
        assertThat(meters.failures("cron", "ENOENT")).isEqualTo(2);
        assertThat(meters.failures("cron", "EACCES")).isEqualTo(1);
        assertThat(meters.failures(SeriesTable.OVERFLOW_LABEL, "ENOEXEC")).isEqualTo(1);
        assertThat(meters.total("cron")).as("a failed exec is no exec").isZero();
        assertThat(tableOf(a).overflowed()).isZero();
    }

    @Test
    void countsExitsByCommAndStatusWithoutTouchingTheRateWindows() {
        Aggregator a = aggregator(2, SeriesFilter.none(), Duration.ofHours(1));
        exec("bash", T0 + 1);
        exit("bash", 0, 5_000_000);
        exit("bash", 3 << 8, 7);
        exit("bash", 3 << 8, 8);
        exit("cron", 9, 1);        // a comm never seen exec'ing: admitted like one
        exit("other", 11 | 0x80, 2); // beyond the budget of 2: the overflow series, its status kept
        a.step();
        assertThat(meters.total("bash")).isEqualTo(1);
        assertThat(meters.exits("bash", "0")).isEqualTo(1);
        assertThat(meters.exits("bash", "3")).isEqualTo(2);
        assertThat(meters.exits("cron", "SIGKILL")).isEqualTo(1);
        assertThat(meters.exits(SeriesTable.OVERFLOW_LABEL, "SIGSEGV")).isEqualTo(1);
        assertThat(meters.lifetimes.get("bash")).containsExactly(5_000_000L, 7L, 8L);
        now = T0 + 4 * S;
        a.step();
        assertThat(meters.hostWindows).containsExactly(1L, 0L, 0L); // exits are not execs
    }

    @Test
    void countsPerCommAndObservesEveryClosedWindow() {
        Aggregator a = aggregator(10, SeriesFilter.none(), Duration.ofHours(1));
        exec("bash", T0 + 100_000_000);
        exec("bash", T0 + 200_000_000);
        exec("cron", T0 + 900_000_000);
        exec("bash", T0 + S + 1); // the next window
        now = T0 + S + 100_000_000; // window 5000 has ended, its grace has not
        a.step();
        assertThat(meters.total("bash")).isEqualTo(3);
        assertThat(meters.total("cron")).isEqualTo(1);
        assertThat(meters.hostWindows).isEmpty();

        now = T0 + S + GRACE.toNanos();
        a.step();
        assertThat(meters.hostWindows).containsExactly(3L);
        assertThat(meters.windows.get("bash")).containsExactly(2L);
        assertThat(meters.windows.get("cron")).containsExactly(1L);

        now = T0 + 4 * S; // windows 5001 and 5002 close: bash once, host twice (5002 empty)
        a.step();
        assertThat(meters.hostWindows).containsExactly(3L, 1L, 0L);
        assertThat(meters.windows.get("bash")).containsExactly(2L, 1L);
        assertThat(meters.windows.get("cron")).containsExactly(1L);
        assertThat(meters.windows.get(SeriesTable.OVERFLOW_LABEL)).isEmpty();
    }

    @Test
    void lateExecsCountInTheOldestOpenWindow() {
        Aggregator a = aggregator(10, SeriesFilter.none(), Duration.ofHours(1));
        now = T0 + 2 * S; // window 5000 closed; 5001 ended but is in its grace
        a.step();
        assertThat(meters.hostWindows).containsExactly(0L);
        exec("late", T0 + 500_000_000); // from window 5000, closed
        now = T0 + 3 * S + GRACE.toNanos(); // 5001 and 5002 close
        a.step();
        assertThat(meters.hostWindows).containsExactly(0L, 1L, 0L);
        assertThat(meters.total("late")).isEqualTo(1);
    }

    @Test
    void anExecOfALaterWindowClosesTheOldestFirst() {
        Aggregator a = aggregator(10, SeriesFilter.none(), Duration.ofHours(1));
        exec("x", T0 + 1);
        exec("x", T0 + 3 * S); // the clock has not been stepped, but execs show time has moved on
        a.step();
        assertThat(meters.hostWindows).containsExactly(1L, 0L);
        assertThat(meters.windows.get("x")).containsExactly(1L);
    }

    @Test
    void commsBeyondTheCapCountInTheOverflowSeries() {
        Aggregator a = aggregator(2, SeriesFilter.none(), Duration.ofHours(1));
        for (String c : List.of("a", "b", "c", "d", "a", "c")) {
            exec(c, T0 + 1);
        }
        a.step();
        assertThat(meters.live.keySet()).containsExactlyInAnyOrder(SeriesTable.OVERFLOW_LABEL, "a", "b");
        assertThat(meters.total("a")).isEqualTo(2);
        assertThat(meters.total(SeriesTable.OVERFLOW_LABEL)).isEqualTo(3);
    }

    @Test
    void idleSeriesAreRemovedAndFreeTheirSlot() {
        Aggregator a = aggregator(1, SeriesFilter.none(), Duration.ofSeconds(10));
        exec("old", T0 + 1);
        a.step();
        now = T0 + 5 * S;
        exec("new", T0 + 5 * S); // the cap is taken by "old"
        a.step();
        assertThat(meters.total(SeriesTable.OVERFLOW_LABEL)).isEqualTo(1);
        now = T0 + 12 * S;
        a.step();
        assertThat(meters.removed).containsExactly("old");
        exec("new", now);
        a.step();
        assertThat(meters.total("new")).isEqualTo(1);
    }

    @Test
    void allowAndDenyListsMatchTheEscapedComm() {
        SeriesFilter filter = new SeriesFilter(List.of(Pattern.compile("keep.*"), Pattern.compile("nl\\\\x0a")),
                List.of(Pattern.compile("keepout")));
        Aggregator a = aggregator(10, filter, Duration.ofHours(1));
        SeriesTable table = tableOf(a);
        exec("keepme", T0 + 1);
        exec("keepout", T0 + 1);
        exec("other", T0 + 1);
        exec("other", T0 + 2);
        exec("nl\n", T0 + 3);
        a.step();
        assertThat(meters.live.keySet()).containsExactlyInAnyOrder(SeriesTable.OVERFLOW_LABEL, "keepme", "nl\\x0a");
        assertThat(table.filtered()).isEqualTo(3);
        assertThat(table.routes()).isEqualTo(4); // one per comm: the lists were asked once each
        now = T0 + 2 * S;
        a.step();
        assertThat(meters.hostWindows.get(0)).isEqualTo(5); // excluded execs still count host-wide
    }

    @Test
    void aFloodOfDistinctNamesKeepsStateWithinTheCap() {
        Aggregator a = aggregator(50, new SeriesFilter(List.of(), List.of(Pattern.compile("never"))),
                Duration.ofHours(1));
        SeriesTable table = tableOf(a);
        int names = 100_000;
        for (int i = 0; i < names; i++) {
            exec(String.format("flood%09d", i), T0 + 1);
            if (i % 10_000 == 0) {
                a.step();
            }
        }
        while (a.step() > 0) {
            // drain
        }
        assertThat(table.size()).isEqualTo(50);
        assertThat(meters.live).hasSize(51);
        assertThat(table.routes()).isLessThanOrEqualTo(SeriesTable.MIN_ROUTES);
        long counted = meters.live.values().stream().mapToLong(Series::total).sum();
        assertThat(counted).isEqualTo(names);
        assertThat(table.overflowed()).isEqualTo(names - 50);
    }

    @Test
    void aNewPolicyIsAppliedByTheNextStepAndKeepsTheCounts() {
        Aggregator a = aggregator(10, SeriesFilter.none(), Duration.ofHours(1));
        SeriesTable table = tableOf(a);
        exec("bash", T0 + 1);
        exec("cron", T0 + 2);
        a.step();
        a.reconfigure(new SeriesPolicy(5, Duration.ofSeconds(10), SeriesFilter.none(), List.of("backup.sh")));
        assertThat(table.maxSeries()).as("not before the aggregator's next step").isEqualTo(10);
        exec("bash", T0 + 3);
        a.step();
        assertThat(table.maxSeries()).isEqualTo(5);
        assertThat(meters.total("bash")).isEqualTo(2);
        assertThat(meters.total("backup.sh")).isZero();
        assertThat(meters.live).containsKey("backup.sh");
        now = T0 + 12 * S; // the new idle timeout (10 s) removes bash and cron, never the pinned comm
        a.step();
        assertThat(meters.removed).containsExactlyInAnyOrder("bash", "cron");
        assertThat(meters.live.keySet()).containsExactlyInAnyOrder(SeriesTable.OVERFLOW_LABEL, "backup.sh");
    }

    private static SeriesTable tableOf(Aggregator a) {
        try {
            var f = Aggregator.class.getDeclaredField("table");
            f.setAccessible(true);
            return (SeriesTable) f.get(a);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theThreadLeavesEmptyWindowsToAScrapeWhichClosesThemAll() throws Exception {
        java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
        Aggregator a = new Aggregator(queue, new SeriesTable(10, SeriesFilter.none(), meters, now), meters, GRACE,
                Duration.ofHours(1), () -> {
                    rounds.incrementAndGet(); // the thread reads the clock once per round
                    return now;
                });
        a.start();
        try {
            a.catchUp(); // the thread has run a round at T0 (nothing due); a leftover unpark is no work to it
            assertThat(meters.hostWindows).isEmpty();
            now = T0 + 10 * S;
            int before = rounds.get();
            Thread.sleep(300);
            // a 10 ms timer would have run ~30 rounds; park may return early once or twice
            assertThat(rounds.get() - before).as("rounds in 300 ms with nothing to do").isLessThanOrEqualTo(3);
            a.catchUp(); // windows 5000 to 5008 are past their grace at T0 + 10 s: all closed now
            assertThat(meters.hostWindows).hasSize(9).containsOnly(0L);
        } finally {
            a.close();
        }
    }

    @Test
    void theThreadWakesForAnExecAndClosesItsWindowOnTime() throws Exception {
        Aggregator a = aggregator(10, SeriesFilter.none(), Duration.ofHours(1));
        a.start();
        try {
            Thread.sleep(100); // let it go to sleep with nothing to wait for
            exec("bash", T0 + 100_000_000);
            await(() -> meters.total("bash") == 1);
            now = T0 + S + GRACE.toNanos(); // window 5000 is due: the thread closes it on its own
            await(() -> meters.hostWindows.size() == 1);
            assertThat(meters.hostWindows).containsExactly(1L);
            assertThat(meters.windows.get("bash")).containsExactly(1L);
        } finally {
            a.close();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10 * S;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
