package org.execexporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.execexporter.base.Durations;
import org.execexporter.capture.AttachMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each rule on its edges; ConfigLoaderTest and DaemonCommandTest show the file and the flags use them. */
class ConfigRulesTest {
    /** A rule by its setting's name, fed the text a flag or YAML scalar would give. */
    private static Function<String, Object> rule(String setting) {
        return switch (setting) {
            case "max_series" -> v -> ConfigRules.maxSeries(Long.parseLong(v));
            case "idle_timeout" -> v -> ConfigRules.idleTimeout(Durations.parse(v));
            case "max_requests" -> v -> ConfigRules.maxRequests(Long.parseLong(v));
            case "queue_capacity" -> v -> ConfigRules.queueCapacity(Long.parseLong(v));
            case "telemetry_path" -> ConfigRules::telemetryPath;
            case "attach" -> ConfigRules::attachMode;
            case "ring_pages" -> v -> ConfigRules.ringPages(Long.parseLong(v));
            case "wakeup_events" -> v -> ConfigRules.wakeupEvents(Long.parseLong(v));
            case "poll_timeout" -> v -> ConfigRules.pollTimeout(Durations.parse(v));
            case "comm_pattern" -> ConfigRules::commPattern;
            default -> throw new IllegalArgumentException(setting);
        };
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            max_series     | 0          | must be 1 or greater
            max_series     | 100001     | must be 100000 or less
            idle_timeout   | 999ms      | must be from 1s to 3650d
            idle_timeout   | 3651d      | must be from 1s to 3650d
            max_requests   | -1         | must be from 0 (no limit) to 10000
            max_requests   | 10001      | must be from 0 (no limit) to 10000
            queue_capacity | 1          | must be from 2 to 4194304
            queue_capacity | 4194305    | must be from 2 to 4194304
            telemetry_path | metrics    | must start with / and name a path, like /metrics
            telemetry_path | /-/ready   | must not be /-/ready, which the exporter serves itself
            telemetry_path | /a b       | must be plain ASCII without spaces, ? or #
            attach         | kprobe     | must be auto, tp_btf or tracepoint
            ring_pages     | 0          | must be a power of two from 1 to 65536
            ring_pages     | 3          | must be a power of two from 1 to 65536
            ring_pages     | 131072     | must be a power of two from 1 to 65536
            wakeup_events  | 0          | must be from 1 to 1000000
            wakeup_events  | 1000001    | must be from 1 to 1000000
            poll_timeout   | 0ms        | must be from 1ms to 10s
            poll_timeout   | 10001ms    | must be from 1ms to 10s
            poll_timeout   | 106751d    | must be from 1ms to 10s
            comm_pattern   | (          | is not a valid regular expression: Unclosed group near index 1
            """)
    void refusesWithTheRestOfASentence(String setting, String value, String message) {
        assertThatThrownBy(() -> rule(setting).apply(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            max_series     | 1
            max_series     | 100000
            idle_timeout   | 1s
            max_requests   | 0
            queue_capacity | 2
            telemetry_path | /metrics
            attach         | tp_btf
            ring_pages     | 1
            ring_pages     | 65536
            wakeup_events  | 1
            wakeup_events  | 1000000
            poll_timeout   | 1ms
            poll_timeout   | 10s
            """)
    void acceptsTheEdges(String setting, String value) {
        assertThat(rule(setting).apply(value)).isNotNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''          | must list at least one bucket
            1,1         | must be in increasing order
            0           | must be finite numbers greater than 0
            """)
    void bucketsMustBeIncreasingAndPositive(String bounds, String message) {
        List<Double> list = bounds.isEmpty() ? List.of()
                : List.of(bounds.split(",")).stream().map(Double::valueOf).toList();
        assertThatThrownBy(() -> ConfigRules.buckets(list)).hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void theDefaultsPassTheirOwnRules() {
        DaemonConfig d = DaemonConfig.defaults();
        assertThat(ConfigRules.attachMode(d.bpf().attach().flagValue())).isEqualTo(AttachMode.AUTO);
        assertThat(ConfigRules.ringPages(d.bpf().ringPages())).isEqualTo(d.bpf().ringPages());
        assertThat(ConfigRules.wakeupEvents(d.bpf().wakeupEvents())).isEqualTo(d.bpf().wakeupEvents());
        assertThat(ConfigRules.pollTimeout(d.bpf().pollTimeout())).isEqualTo(Duration.ofMillis(100));
        assertThat(ConfigRules.maxSeries(d.metrics().maxSeries())).isEqualTo(500);
        assertThat(ConfigRules.queueCapacity(d.queue().capacity())).isEqualTo(65536);
        assertThat(ConfigRules.maxRequests(d.web().maxRequests())).isEqualTo(40);
        assertThat(ConfigRules.buckets(d.rate().buckets())).isEqualTo(d.rate().buckets());
    }
}
