package org.execexporter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.execexporter.base.BuildInfo;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;

class BuildInfoGaugeTest {
    @Test
    void exportsTheBuildAsLabelsOfAOne() {
        PrometheusMeterRegistry registry = Registries.prometheus();
        BuildInfoGauge.register(registry, new BuildInfo("1.2.3", "abc"));
        assertThat(new Scrape(registry.scrape()).value("exec_exporter_build_info{revision=\"abc\",version=\"1.2.3\"}"))
                .isEqualTo(1);
        registry.close();
    }
}
