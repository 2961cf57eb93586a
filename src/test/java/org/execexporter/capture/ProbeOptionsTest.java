package org.execexporter.capture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbeOptionsTest {
    @ParameterizedTest
    @CsvSource({"0,64,100", "3,64,100", "131072,64,100", "64,0,100", "64,64,0", "64,64,10001"})
    void rejectsOutOfRangeValues(int pages, int wakeup, long timeoutMillis) {
        assertThatThrownBy(() -> new ProbeOptions(AttachMode.AUTO, true, pages, wakeup,
                Duration.ofMillis(timeoutMillis))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPollTimeoutBeyondMillisecondsIsRejectedNotOverflowed() {
        assertThatThrownBy(() -> new ProbeOptions(AttachMode.AUTO, true, 64, 64, Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("poll timeout must be from 1ms to 10s");
    }
}
