package org.execexporter.daemon;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.config.DaemonConfig;

/**
 * What a reload changes, by YAML key: what applies while the exporter runs (the series budget,
 * idle timeout, allow/deny lists and pinned comms, the log level and format, the web config file)
 * and what needs a restart (where it listens, how the pipeline and the probe are built: labels,
 * ring sizes, queue, buckets). {@link #effective()} is the
 * config the exporter then runs with: the new live values, the running values of the rest.
 */
record ConfigChanges(List<String> live, List<String> needRestart, DaemonConfig effective) {

    static ConfigChanges between(DaemonConfig running, DaemonConfig next) {
        List<String> live = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        DaemonConfig.Web rw = running.web();
        DaemonConfig.Web nw = next.web();
        compare(restart, "web.listen_address", rw.listenAddresses(), nw.listenAddresses());
        compare(restart, "web.systemd_socket", rw.systemdSocket(), nw.systemdSocket());
        compare(restart, "web.telemetry_path", rw.telemetryPath(), nw.telemetryPath());
        compare(restart, "web.max_requests", rw.maxRequests(), nw.maxRequests());
        compare(live, "web.config_file", rw.configFile(), nw.configFile());
        compare(live, "log.level", running.log().level(), next.log().level());
        compare(live, "log.format", running.log().format(), next.log().format());
        DaemonConfig.Metrics rc = running.metrics();
        DaemonConfig.Metrics nc = next.metrics();
        compare(restart, "metrics.labels", rc.labels(), nc.labels());
        compare(live, "metrics.max_series", rc.maxSeries(), nc.maxSeries());
        compare(live, "metrics.idle_timeout", rc.idleTimeout(), nc.idleTimeout());
        compare(live, "metrics.allow", regexes(rc.allow()), regexes(nc.allow()));
        compare(live, "metrics.deny", regexes(rc.deny()), regexes(nc.deny()));
        compare(live, "comm.pinned", rc.pinned(), nc.pinned());
        compare(restart, "queue.capacity", running.queue(), next.queue());
        compare(restart, "rate.buckets", running.rate(), next.rate());
        compare(restart, "collector.jvm", running.collector().jvm(), next.collector().jvm());
        compare(restart, "collector.exits", running.collector().exits(), next.collector().exits());
        compare(restart, "collector.exec_failures", running.collector().execFailures(),
                next.collector().execFailures());
        compare(restart, "bpf.attach", running.bpf().attach(), next.bpf().attach());
        compare(restart, "bpf.ring_pages", running.bpf().ringPages(), next.bpf().ringPages());
        compare(restart, "bpf.wakeup_events", running.bpf().wakeupEvents(), next.bpf().wakeupEvents());
        compare(restart, "bpf.poll_timeout", running.bpf().pollTimeout(), next.bpf().pollTimeout());
        DaemonConfig effective = new DaemonConfig(
                new DaemonConfig.Web(rw.listenAddresses(), rw.systemdSocket(), rw.telemetryPath(), rw.maxRequests(),
                        nw.configFile()),
                next.log(), new DaemonConfig.Metrics(rc.labels(), nc.maxSeries(), nc.idleTimeout(), nc.allow(), nc.deny(),
                        nc.pinned()), running.queue(), running.rate(), running.collector(), running.bpf());
        return new ConfigChanges(List.copyOf(live), List.copyOf(restart), effective);
    }

    private static void compare(List<String> into, String key, Object running, Object next) {
        if (!Objects.equals(running, next)) {
            into.add(key);
        }
    }

    /** Patterns have no equals: compare what they were compiled from. */
    private static Map<AttributionLabel, List<String>> regexes(Map<AttributionLabel, List<Pattern>> lists) {
        Map<AttributionLabel, List<String>> out = new EnumMap<>(AttributionLabel.class);
        lists.forEach((label, patterns) -> out.put(label, patterns.stream().map(Pattern::pattern).toList()));
        return out;
    }
}
