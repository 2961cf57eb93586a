package org.execexporter.http;

import java.util.function.LongSupplier;
import org.execexporter.config.WebConfig;

/**
 * The web config's rate_limit, as Go's golang.org/x/time/rate limiter that exporter-toolkit uses:
 * one token every {@code interval}, at most {@code burst} saved up, starting full; a request that
 * finds no token is refused (429), never queued.
 */
final class TokenBucket {
    private final long intervalNanos;
    /** A full bucket, in nanoseconds of refill: burst x interval (saturated). */
    private final long capacityNanos;
    private final LongSupplier clock;
    /** The tokens saved up, counted in nanoseconds of refill so that no rounding creeps in. */
    private long savedNanos;
    private long last;

    TokenBucket(WebConfig.RateLimit limit, LongSupplier clock) {
        this.intervalNanos = limit.interval().toNanos();
        long capacity;
        try {
            capacity = Math.multiplyExact(intervalNanos, (long) limit.burst());
        } catch (ArithmeticException e) {
            capacity = Long.MAX_VALUE;
        }
        this.capacityNanos = capacity;
        this.clock = clock;
        this.savedNanos = capacity;
        this.last = clock.getAsLong();
    }

    /** Takes a token if there is one. */
    synchronized boolean tryTake() {
        long now = clock.getAsLong();
        long elapsed = Math.max(0, now - last);
        last = now;
        savedNanos = elapsed >= capacityNanos - savedNanos ? capacityNanos : savedNanos + elapsed;
        if (savedNanos < intervalNanos) {
            return false;
        }
        savedNanos -= intervalNanos;
        return true;
    }
}
