package org.execexporter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateWindowsTest {
    private static final long S = 1_000_000_000L;

    @ParameterizedTest(name = "exec at {0} ns → slot {1}")
    @CsvSource({
        "9000000000, 0",    // the start of the oldest open window
        "9999999999, 0",
        "1, 0",             // long ago: late, counted in the oldest window
        "10000000000, 1",
        "10999999999, 1",
        "11000000000, -1",  // two windows on: the oldest must close first
    })
    void slots(long ktime, int slot) {
        RateWindows w = new RateWindows(9 * S + 123, Duration.ofMillis(300));
        assertThat(w.slotOf(ktime)).isEqualTo(slot);
    }

    @ParameterizedTest(name = "poll timeout {0} ms → grace {1} ms")
    @CsvSource({"1, 201", "100, 300", "700, 900", "10000, 900"})
    void graceCoversThePollTimeoutButStaysBelowAWindow(long pollMillis, long graceMillis) {
        assertThat(RateWindows.graceFor(Duration.ofMillis(pollMillis))).isEqualTo(Duration.ofMillis(graceMillis));
    }

    @ParameterizedTest
    @CsvSource({"10299999999, false", "10300000000, true"})
    void theOldestWindowIsDueGraceAfterItsEnd(long now, boolean due) {
        RateWindows w = new RateWindows(9 * S, Duration.ofMillis(300));
        assertThat(w.oldestDue(now)).isEqualTo(due);
    }

    @org.junit.jupiter.api.Test
    void graceOfAWholeWindowIsRefused() {
        assertThatThrownBy(() -> new RateWindows(0, Duration.ofSeconds(1)))
                .hasMessageContaining("900ms");
    }
}
