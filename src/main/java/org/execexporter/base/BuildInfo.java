package org.execexporter.base;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version and git revision the build wrote into org/execexporter/build.properties. */
public record BuildInfo(String version, String revision) {
    private static final String RESOURCE = "/org/execexporter/build.properties";

    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown": build info must never stop the daemon
        }
        return new BuildInfo(p.getProperty("version", "unknown"), p.getProperty("revision", "unknown"));
    }

    /** exec_exporter_build_info{version,revision} 1. */
    public void register(MeterRegistry registry) {
        Gauge.builder("exec.exporter.build.info", () -> 1)
                .description("Always 1; the labels say which build of exec-exporter runs")
                .tag("version", version)
                .tag("revision", revision)
                .strongReference(true)
                .register(registry);
    }
}
