package org.execexporter.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.execexporter.base.BuildInfo;

/** exec_exporter_build_info{version,revision} 1. */
public final class BuildInfoGauge {
    private BuildInfoGauge() {}

    public static void register(MeterRegistry registry, BuildInfo build) {
        Gauge.builder("exec.exporter.build.info", () -> 1)
                .description("Always 1; the labels say which build of exec-exporter runs")
                .tag("version", build.version())
                .tag("revision", build.revision())
                .strongReference(true)
                .register(registry);
    }
}
