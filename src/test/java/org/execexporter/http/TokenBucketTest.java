package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.execexporter.config.WebConfig;
import org.junit.jupiter.api.Test;

/** rate_limit's bucket on a fake clock: starts full, one token per interval, never more than the burst. */
class TokenBucketTest {
    private long now;

    @Test
    void aBurstThenOneTokenPerInterval() {
        TokenBucket bucket = new TokenBucket(new WebConfig.RateLimit(Duration.ofSeconds(1), 3), () -> now);
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();
        now += 999_000_000L;
        assertThat(bucket.tryTake()).isFalse();
        now += 1_000_000L;
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();
        now += 3_600_000_000_000L; // an hour saves up no more than the burst
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();
    }
}
