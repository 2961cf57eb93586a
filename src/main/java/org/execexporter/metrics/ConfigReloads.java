package org.execexporter.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;

/**
 * Whether the last load of the config file or the web config file worked, named as Prometheus
 * names its own: {@code exec_exporter_config_last_reload_successful} (1 or 0) and
 * {@code exec_exporter_config_last_reload_success_timestamp_seconds}. The start is the first
 * successful load. Alert on {@code exec_exporter_config_last_reload_successful == 0}: the
 * exporter runs on with its previous configuration.
 */
public final class ConfigReloads {
    private final LongSupplier wallClockMillis;
    private volatile boolean successful = true;
    private volatile double lastSuccessSeconds;

    private ConfigReloads(LongSupplier wallClockMillis) {
        this.wallClockMillis = wallClockMillis;
        this.lastSuccessSeconds = wallClockMillis.getAsLong() / 1000.0;
    }

    /**
     * Registers the gauges; keep the result referenced (Micrometer holds gauges' objects weakly).
     *
     * @param wallClockMillis {@code System::currentTimeMillis}, or a fixed clock in tests
     */
    public static ConfigReloads register(MeterRegistry registry, LongSupplier wallClockMillis) {
        ConfigReloads r = new ConfigReloads(wallClockMillis);
        Gauge.builder("exec.exporter.config.last.reload.successful", r, x -> x.successful ? 1 : 0)
                .description("Whether the last reload of the config file or the web config file worked "
                        + "(0: the exporter runs on with the previous configuration)")
                .register(registry);
        Gauge.builder("exec.exporter.config.last.reload.success.timestamp.seconds", r, x -> x.lastSuccessSeconds)
                .description("When the config was last loaded successfully (at start, or a reload), in Unix seconds")
                .register(registry);
        return r;
    }

    public void reloaded(boolean ok) {
        successful = ok;
        if (ok) {
            lastSuccessSeconds = wallClockMillis.getAsLong() / 1000.0;
        }
    }

    public boolean lastSuccessful() {
        return successful;
    }
}
