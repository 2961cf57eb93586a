package org.execexporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.execexporter.capture.AttachMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    /** The shipped file documents every key with its default: loading it must change nothing. */
    @Test
    void shippedConfigIsTheDefaults() throws Exception {
        DaemonConfig shipped = ConfigLoader.load(Path.of("config/exec-exporter.yml"));
        assertThat(shipped).isEqualTo(DaemonConfig.defaults());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "# nothing\n", "---\n", "web:\n", "comm: {}\n"})
    void emptyConfigsAreTheDefaults(String yaml) throws Exception {
        assertThat(ConfigLoader.parse(yaml)).isEqualTo(DaemonConfig.defaults());
    }

    @Test
    void valuesOverrideTheDefaults() throws Exception {
        DaemonConfig c = ConfigLoader.parse("""
                web: {listen_address: "127.0.0.1:9999", telemetry_path: /m}
                log: {level: debug, format: json}
                comm:
                  max_series: 20
                  idle_timeout: 5m
                  allow: ["cron.*", 'sh']
                  deny: ['bad\\\\x0a']
                queue: {capacity: 1000}
                rate: {buckets: [1, 10, 100.5]}
                collector: {jvm: false, exits: false}
                bpf: {attach: tp_btf, ring_pages: 128, wakeup_events: 1, poll_timeout: 50ms}
                """);
        assertThat(c.web()).isEqualTo(new DaemonConfig.Web(new ListenAddress("127.0.0.1", 9999), "/m"));
        assertThat(c.log()).isEqualTo(new DaemonConfig.Log(LogLevel.DEBUG, LogFormat.JSON));
        assertThat(c.metrics().maxSeries()).isEqualTo(20);
        assertThat(c.metrics().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.metrics().commAllow()).extracting(Pattern::pattern).containsExactly("cron.*", "sh");
        assertThat(c.metrics().commDeny()).extracting(Pattern::pattern).containsExactly("bad\\\\x0a");
        assertThat(c.queue().capacity()).isEqualTo(1000);
        assertThat(c.rate().buckets()).containsExactly(1.0, 10.0, 100.5);
        assertThat(c.collector().jvm()).isFalse();
        assertThat(c.collector().exits()).isFalse();
        assertThat(c.bpf().attach()).isEqualTo(AttachMode.TP_BTF);
        assertThat(c.bpf().ringPages()).isEqualTo(128);
        assertThat(c.bpf().wakeupEvents()).isEqualTo(1);
        assertThat(c.bpf().pollTimeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.bpf().captureFilename()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            comm: {max_series: 0}                | /comm/max_series must be 1 or greater
            comm: {max_series: 100001}           | /comm/max_series must be 100000 or less
            comm: {max_series: many}             | /comm/max_series must be a whole number
            comm: {max_series: 1.5}              | /comm/max_series must be a whole number
            comm: {max_seris: 5}                 | unknown key /comm/max_seris (known keys here: allow, deny, idle_timeout, max_series, pinned)
            metricz: {}                          | unknown key /metricz (known keys here: bpf, collector, comm, log, metrics, queue, rate, web)
            metrics: {max_series: 0}             | /metrics/max_series must be 1 or greater
            metrics: {labels: [comm, pid]}       | /metrics/labels is invalid: unknown label "pid" in "comm,pid": the labels are comm, unit, user_unit, container, pod, user
            metrics: {labels: []}                | /metrics/labels must name at least one label
            metrics: {labels: [unit, unit]}      | /metrics/labels is invalid: label "unit" twice in "unit,unit"
            metrics: {allow: {unit: [x]}}        | /metrics/allow/unit is a list for the unit label, which metrics.labels does not choose ([comm])
            metrics: {allow: {pid: [x]}}         | /metrics/allow/pid is invalid: unknown label "pid" in "pid": the labels are comm, unit, user_unit, container, pod, user
            metrics: {deny: {comm: "("}}         | /metrics/deny/comm must be a list of regular expressions
            metrics: {labels: [unit], allow: {comm: [x]}} | /metrics/allow/comm is a list for the comm label, which metrics.labels does not choose ([unit])
            {metrics: {labels: [unit]}, comm: {pinned: [cron]}} | /comm/pinned must be empty unless metrics.labels has comm: pinned comms are its series
            {metrics: {max_series: 5}, comm: {max_series: 5}} | /comm/max_series sets what /metrics/max_series sets: keep one of them (comm.max_series is its former name)
            {metrics: {allow: {comm: [a]}}, comm: {allow: [b]}} | /comm/allow sets what /metrics/allow/comm sets: keep one of them
            comm: {idle_timeout: 5}              | /comm/idle_timeout must be a string
            comm: {idle_timeout: 500ms}          | /comm/idle_timeout must be from 1s to 3650d
            comm: {idle_timeout: 3651d}          | /comm/idle_timeout must be from 1s to 3650d
            comm: {idle_timeout: 200000d}        | /comm/idle_timeout is invalid: duration out of range (at most 106751d): "200000d"
            comm: {idle_timeout: 99999999999999999d} | /comm/idle_timeout is invalid: duration out of range (at most 106751d): "99999999999999999d"
            comm: {idle_timeout: 9999999999999999999999s} | /comm/idle_timeout is invalid: duration out of range (at most 106751d): "9999999999999999999999s"
            bpf: {poll_timeout: 999999999999999999h} | /bpf/poll_timeout is invalid: duration out of range (at most 106751d): "999999999999999999h"
            bpf: {poll_timeout: 106751d}         | /bpf/poll_timeout must be from 1ms to 10s
            comm: {idle_timeout: soon}           | /comm/idle_timeout is invalid: not a duration (like 250ms, 30s, 5m, 1h): "soon"
            comm: {allow: ["("]}                 | /comm/allow/0 is not a valid regular expression: Unclosed group near index 1
            comm: {deny: "x"}                    | /comm/deny must be a list of regular expressions
            comm: {deny: [1]}                    | /comm/deny/0 must be a string
            comm: []                             | /comm must be a mapping of keys
            queue: {capacity: 1}                 | /queue/capacity must be from 2 to 4194304
            rate: {buckets: []}                  | /rate/buckets must list at least one bucket
            rate: {buckets: [1, 5, 2]}           | /rate/buckets must be in increasing order
            rate: {buckets: [0, 1]}              | /rate/buckets must be finite numbers greater than 0
            rate: {buckets: [1, a]}              | /rate/buckets/1 must be a number
            web: {listen_address: "10135"}       | /web/listen_address must be host:port or :port
            web: {listen_address: ":99999"}      | /web/listen_address is invalid: port must be a number from 0 to 65535
            web: {telemetry_path: metrics}       | /web/telemetry_path must start with / and name a path, like /metrics
            web: {telemetry_path: /-/ready}      | /web/telemetry_path must not be /-/ready, which the exporter serves itself
            log: {level: trace}                  | /log/level must be one of debug, info, warn, error
            log: {format: xml}                   | /log/format must be logfmt or json
            collector: {jvm: yes please}         | /collector/jvm must be true or false
            collector: {exits: 1}                | /collector/exits must be true or false
            bpf: {ring_pages: 100}               | /bpf/ring_pages must be a power of two from 1 to 65536
            bpf: {wakeup_events: 0}              | /bpf/wakeup_events must be from 1 to 1000000
            bpf: {poll_timeout: 1m}              | /bpf/poll_timeout must be from 1ms to 10s
            bpf: {attach: kprobe}                | /bpf/attach must be auto, tp_btf or tracepoint
            - a list                             | the top level must be a mapping of keys
            web: {listen_address: []}            | /web/listen_address must name at least one address
            web: {listen_address: [":1", 2]}     | /web/listen_address/1 must be a string
            web: {systemd_socket: 1}             | /web/systemd_socket must be true or false
            comm: {pinned: [""]}                 | /comm/pinned/0 must not be empty
            comm: {pinned: [backup-database.sh]} | /comm/pinned/0 must be at most 15 bytes, as the kernel cuts a comm: "backup-database.sh" is 18 bytes; its comm is "backup-database"
            comm: {pinned: [a\\x41]}             | /comm/pinned/0 must be written as the comm label shows it: "aA", not "a\\x41"
            comm: {pinned: [a\\q]}               | /comm/pinned/0 must be written as the comm label shows it: a backslash as \\\\, other bytes as \\xNN: "a\\q"
            comm: {pinned: [\\x00]}              | /comm/pinned/0 must not hold a NUL byte (\\x00): no comm can
            comm: {pinned: [a, b], max_series: 1} | /comm/pinned must list at most metrics.max_series (1) comms, not 2: pinned comms take slots of the series budget
            comm: {pinned: [a, a]}               | /comm/pinned must not list a comm twice
            """)
    void invalidValuesNameTheirPath(String yaml, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"comm: {max_series: 5, max_series: 6}", "comm: [unclosed", "a: b: c"})
    void brokenYamlIsOneLineWithItsPlace(String yaml) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid YAML at line 1 column ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void fileErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.yml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).hasMessage("config file " + missing + ": no such file");
        Path bad = Files.writeString(dir.resolve("bad.yml"), "comm:\n  max_series: -1\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad))
                .hasMessage("config file " + bad + ": /comm/max_series must be 1 or greater");
    }

    @Test
    void severalListenAddressesPinnedCommsAndSocketActivation() throws Exception {
        DaemonConfig c = ConfigLoader.parse("""
                web: {listen_address: ["127.0.0.1:9999", "[::1]:9999"], systemd_socket: true}
                comm: {pinned: [cron, tab\\x09, é]}
                """);
        assertThat(c.web().listenAddresses()).containsExactly(new ListenAddress("127.0.0.1", 9999),
                new ListenAddress("::1", 9999));
        assertThat(c.web().systemdSocket()).isTrue();
        assertThat(c.metrics().pinned()).containsExactly("cron", "tab\\x09", "é");
        assertThat(ConfigLoader.parse("web: {listen_address: \":1\"}").web().listenAddresses())
                .containsExactly(new ListenAddress("", 1));
    }

    @Test
    void nullValuesKeepTheirDefaults() throws Exception {
        DaemonConfig c = ConfigLoader.parse("comm:\n  max_series:\n  allow:\n");
        assertThat(c.metrics().maxSeries()).isEqualTo(500);
        assertThat(c.metrics().allow()).isEmpty();
    }
}
