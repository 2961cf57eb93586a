package org.execexporter.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"250ms,PT0.25S", "30s,PT30S", "5m,PT5M", "1h30m,PT1H30M", "2d,PT48H", "1w,PT168H", "0s,PT0S"})
    void parses(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "1.5s", "1s ", "-1s", "1m1", "1x"})
    void rejects(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Whatever the text, a parsed duration converts to nanoseconds: past that, one line, no ArithmeticException. */
    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999d", "999999999999999999h", "9223372036854775807w", "106752d",
            "9223372036854775807s", "99999999999999999999999ms", "106751d1d"})
    void rejectsWhatOverflows(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration out of range (at most 106751d): \"" + text + "\"");
    }

    @Test
    void theLongestDurationFitsInNanoseconds() {
        assertThat(Durations.parse("106751d").toNanos()).isPositive();
        assertThat(Durations.parse("9223372036854ms").toNanos()).isPositive();
    }

    @ParameterizedTest
    @CsvSource({"PT0.1S,100ms", "PT30S,30s", "PT5M,5m", "PT2H,2h", "PT0S,0s"})
    void formats(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }
}
