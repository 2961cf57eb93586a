package org.execexporter.pipeline;

import java.time.Duration;

/**
 * The 1-second windows of the exec-rate histograms, on the kernel's CLOCK_MONOTONIC (the clock of
 * an exec's ktime, and of System.nanoTime() on Linux). Window w holds execs with
 * {@code w <= ktime / 1s < w + 1}. Two windows are open at a time: the oldest, {@code base}, and
 * the next. The oldest closes {@code grace} after it ends, so that execs still waiting in
 * another CPU's ring (up to the poll timeout) land in it; an exec that arrives later still is
 * counted in the oldest open window rather than lost.
 */
final class RateWindows {
    static final long WINDOW_NANOS = 1_000_000_000L;
    /** Grace stays below a window, so that at most two windows are ever open. */
    static final Duration MAX_GRACE = Duration.ofMillis(900);

    private final long graceNanos;
    private long base;

    RateWindows(long nowNanos, Duration grace) {
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw new IllegalArgumentException("window grace must be from 0 to 900ms, not " + grace);
        }
        this.graceNanos = grace.toNanos();
        this.base = Math.floorDiv(nowNanos, WINDOW_NANOS);
    }

    /** The grace for a poll timeout: the timeout plus a margin for the aggregator, at most 900ms. */
    static Duration graceFor(Duration pollTimeout) {
        Duration grace = pollTimeout.plusMillis(200);
        return grace.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : grace;
    }

    /** 0 for the oldest open window (late execs too), 1 for the next, -1 if the oldest must close first. */
    int slotOf(long ktimeNanos) {
        long window = Math.floorDiv(ktimeNanos, WINDOW_NANOS);
        if (window <= base) {
            return 0;
        }
        return window == base + 1 ? 1 : -1;
    }

    /** Whether the oldest open window is past its end plus the grace at {@code nowNanos}. */
    boolean oldestDue(long nowNanos) {
        return nowNanos - graceNanos >= (base + 1) * WINDOW_NANOS;
    }

    /** Nanoseconds from {@code nowNanos} until the oldest window is due (0 if it is). */
    long nanosUntilDue(long nowNanos) {
        return Math.max(0, (base + 1) * WINDOW_NANOS + graceNanos - nowNanos);
    }

    /** Marks the oldest window closed: the next becomes the oldest. */
    void advance() {
        base++;
    }

    long oldest() {
        return base;
    }
}
