package org.execexporter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.execexporter.config.ConfigLoader;
import org.execexporter.config.DaemonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which keys a reload applies at once, which need a restart, and what the exporter then runs with. */
class ConfigChangesTest {
    private static final DaemonConfig RUNNING = DaemonConfig.defaults();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            comm: {max_series: 10}                   | metrics.max_series   |
            metrics: {max_series: 10}                | metrics.max_series   |
            comm: {idle_timeout: 5m}                 | metrics.idle_timeout |
            comm: {allow: [cron]}                    | metrics.allow        |
            comm: {deny: [cron]}                     | metrics.deny         |
            metrics: {deny: {comm: [cron]}}          | metrics.deny         |
            metrics: {labels: [comm, unit]}          |                      | metrics.labels
            collector: {exec_failures: true}         |                      | collector.exec_failures
            comm: {pinned: [cron]}                   | comm.pinned       |
            log: {level: debug}                      | log.level         |
            log: {format: json}                      | log.format        |
            web: {config_file: /etc/web.yml}         | web.config_file   |
            web: {listen_address: ':1'}              |                   | web.listen_address
            web: {systemd_socket: true}              |                   | web.systemd_socket
            web: {telemetry_path: /m}                |                   | web.telemetry_path
            web: {max_requests: 1}                   |                   | web.max_requests
            queue: {capacity: 1024}                  |                   | queue.capacity
            rate: {buckets: [1]}                     |                   | rate.buckets
            collector: {jvm: false}                  |                   | collector.jvm
            bpf: {attach: tp_btf}                    |                   | bpf.attach
            bpf: {ring_pages: 128}                   |                   | bpf.ring_pages
            bpf: {wakeup_events: 1}                  |                   | bpf.wakeup_events
            bpf: {poll_timeout: 50ms}                |                   | bpf.poll_timeout
            """)
    void eachKeyIsLiveOrNeedsARestart(String yaml, String live, String restart) throws Exception {
        ConfigChanges changes = ConfigChanges.between(RUNNING, ConfigLoader.parse(yaml));
        assertThat(String.join(",", changes.live())).isEqualTo(live == null ? "" : live);
        assertThat(String.join(",", changes.needRestart())).isEqualTo(restart == null ? "" : restart);
    }

    @Test
    void theExporterRunsOnWithTheNewLiveValuesAndTheRunningRest() throws Exception {
        DaemonConfig next = ConfigLoader.parse("""
                comm: {max_series: 10, pinned: [cron]}
                log: {level: debug}
                web: {listen_address: ':1', config_file: /etc/web.yml}
                bpf: {ring_pages: 128}
                """);
        DaemonConfig effective = ConfigChanges.between(RUNNING, next).effective();
        assertThat(effective.metrics()).isEqualTo(next.metrics());
        assertThat(effective.log()).isEqualTo(next.log());
        assertThat(effective.web().configFile()).isEqualTo(next.web().configFile());
        assertThat(effective.web().listenAddresses()).isEqualTo(RUNNING.web().listenAddresses());
        assertThat(effective.bpf()).isEqualTo(RUNNING.bpf());
        assertThat(ConfigChanges.between(effective, next).needRestart()).as("still pending after the reload")
                .containsExactly("web.listen_address", "bpf.ring_pages");
        assertThat(ConfigChanges.between(RUNNING, RUNNING).live()).isEmpty();
    }
}
