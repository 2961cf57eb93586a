package org.execexporter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.execexporter.pipeline.SeriesFilter;
import org.execexporter.pipeline.SeriesTable;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exec metrics by their exported names: the per-comm counter and histogram, the host histogram. */
class ExecMetricsTest {
    private final PrometheusMeterRegistry registry = Registries.prometheus();
    private final ExecMetrics meters = new ExecMetrics(registry, registry.getPrometheusRegistry(), List.of(1.0, 5.0, 10.0), true);

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void theOverflowSeriesIsThereAtZeroFromTheFirstScrape() {
        SeriesTable table = new SeriesTable(10, SeriesFilter.none(), meters, 0);
        Scrape s = new Scrape(registry.scrape());
        assertThat(s.value("exec_events_total{comm=\"__overflow_comms__\"}")).isZero();
        assertThat(s.value("exec_comm_window_events_count{comm=\"__overflow_comms__\"}")).isZero();
        assertThat(s.value("exec_comm_window_events_bucket{comm=\"__overflow_comms__\",le=\"10.0\"}")).isZero();
        assertThat(table.size()).isZero();
    }

    @Test
    void theHostHistogramCountsWindowsOfAtMostNExecs() {
        for (long execs : new long[] {0, 3, 7, 100}) {
            meters.observeHostWindow(execs);
        }
        Scrape s = new Scrape(registry.scrape());
        assertThat(s.value("exec_host_window_events_bucket{le=\"1.0\"}")).isEqualTo(1);
        assertThat(s.value("exec_host_window_events_bucket{le=\"5.0\"}")).isEqualTo(2);
        assertThat(s.value("exec_host_window_events_bucket{le=\"10.0\"}")).isEqualTo(3);
        assertThat(s.value("exec_host_window_events_bucket{le=\"+Inf\"}")).isEqualTo(4);
        assertThat(s.value("exec_host_window_events_count")).isEqualTo(4);
        assertThat(s.value("exec_host_window_events_sum")).isEqualTo(110);
        assertThat(s.samples).as("no _max: Prometheus users do not expect it").doesNotContainKey("exec_host_window_events_max");
    }
}
