package org.execexporter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import org.execexporter.attribution.Attribution;
import org.execexporter.capture.CaptureStats;
import org.execexporter.pipeline.SeriesFilter;
import org.execexporter.pipeline.SeriesTable;
import org.execexporter.pipeline.ExecQueue;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every exporter health metric by its exported name, read from the capture's stats at scrape time. */
class ExporterHealthTest {
    private static final CaptureStats STATS = new CaptureStats(5, 2, 1, 1, 9, 3, 7, 3_000_000_000L, 4);

    private static Scrape scrape(CaptureStats stats) {
        PrometheusMeterRegistry registry = Registries.prometheus();
        ExecMetrics meters = new ExecMetrics(registry, registry.getPrometheusRegistry(), List.of(1.0), true);
        SeriesTable table = new SeriesTable(12, SeriesFilter.none(), meters, 0);
        ExecQueue queue = new ExecQueue(8);
        ExporterHealth health = ExporterHealth.register(registry, () -> stats, queue, table, Attribution.none(),
                Map.of("exec", true, "exits", false));
        Scrape scrape = new Scrape(registry.scrape());
        assertThat(health).isNotNull(); // held until here: Micrometer holds function meters' objects weakly
        registry.close();
        return scrape;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            exec_exporter_lost_events_total          | 2
            exec_exporter_bpf_output_errors_total    | 3
            exec_exporter_decode_errors_total        | 2
            exec_exporter_bpf_execs_seen_total       | 9
            exec_exporter_bpf_exits_seen_total       | 4
            exec_exporter_bpf_prog_runs_total        | 7
            exec_exporter_bpf_prog_run_seconds_total | 3
            exec_exporter_dropped_events_total       | 0
            exec_exporter_overflow_events_total      | 0
            exec_exporter_filtered_events_total      | 0
            exec_exporter_queue_depth                | 0
            exec_exporter_queue_capacity             | 8
            exec_exporter_series                     | 0
            exec_exporter_series_limit               | 12
            exec_exporter_cgroup_unknown_total       | 0
            exec_exporter_cgroup_walks_total         | 0
            exec_exporter_cgroup_walks_truncated_total | 0
            exec_exporter_user_lookup_failures_total | 0
            """)
    void exportsEachHealthMetricUnderItsName(String name, double value) {
        assertThat(scrape(STATS).value(name)).isEqualTo(value);
    }

    @org.junit.jupiter.api.Test
    void eachCollectorSaysWhetherItRuns() {
        Scrape scrape = scrape(STATS);
        assertThat(scrape.value("exec_exporter_collector_enabled{collector=\"exec\"}")).isEqualTo(1);
        assertThat(scrape.value("exec_exporter_collector_enabled{collector=\"exits\"}")).isEqualTo(0);
    }

    @ParameterizedTest
    @CsvSource({"exec_exporter_bpf_execs_seen_total", "exec_exporter_bpf_exits_seen_total",
            "exec_exporter_bpf_prog_runs_total",
            "exec_exporter_bpf_prog_run_seconds_total", "exec_exporter_bpf_output_errors_total"})
    void unknownKernelStatsReadAsZeroFromTheFirstScrape(String name) {
        assertThat(scrape(CaptureStats.EMPTY).value(name)).isZero();
    }
}
