package org.execexporter.http;

import java.util.function.LongSupplier;
import org.execexporter.web.WebConfig;

/**
 * The web config's rate_limit, as Go's golang.org/x/time/rate limiter that exporter-toolkit uses:
 * one token every {@code interval}, at most {@code burst} saved up, starting full; a request that
 * finds no token is refused (429), never queued.
 */
final class TokenBucket {
    private final long intervalNanos;
    private final int burst;
    private final LongSupplier clock;
    private double tokens;
    private long last;

    TokenBucket(WebConfig.RateLimit limit, LongSupplier clock) {
        this.intervalNanos = limit.interval().toNanos();
        this.burst = limit.burst();
        this.clock = clock;
        this.tokens = burst;
        this.last = clock.getAsLong();
    }

    /** Takes a token if there is one. */
    synchronized boolean tryTake() {
        long now = clock.getAsLong();
        tokens = Math.min(burst, tokens + (double) (now - last) / intervalNanos);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens--;
        return true;
    }
}
