package org.execexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.base.Durations;
import org.execexporter.capture.ProbeOptions;

/**
 * Reads config/exec-exporter.yml over the built-in defaults. Walks the YAML tree by hand
 * ({@link YamlNode}) rather than binding it, so that every error is one line naming the YAML path
 * ("/metrics/max_series must be 1 or greater") and unknown keys are rejected by name. Every value
 * passes the same {@link ConfigRules} as its flag. A key that is absent, or present with no value,
 * keeps its default.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static DaemonConfig load(Path file) throws ConfigException {
        String text = FileText.read(file, "config file");
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw e.within("config file " + file + ": ");
        }
    }

    /** Parses YAML text; messages name the YAML path but not the file. */
    public static DaemonConfig parse(String yaml) throws ConfigException {
        YamlNode top = YamlNode.parse(yaml).keys(Set.of("web", "log", "metrics", "comm", "queue", "rate", "collector",
                "bpf"));
        DaemonConfig d = DaemonConfig.defaults();
        return new DaemonConfig(
                web(top.section("web", Set.of("listen_address", "systemd_socket", "telemetry_path", "max_requests",
                        "config_file")), d.web()),
                log(top.section("log", Set.of("level", "format")), d.log()),
                metrics(top.section("metrics", Set.of("labels", "max_series", "idle_timeout", "allow", "deny")),
                        top.section("comm", Set.of("max_series", "idle_timeout", "allow", "deny", "pinned")),
                        d.metrics()),
                new DaemonConfig.Queue(top.section("queue", Set.of("capacity"))
                        .whole("capacity", d.queue().capacity(), ConfigRules::queueCapacity)),
                rate(top.section("rate", Set.of("buckets", "per_comm")), d.rate()),
                collector(top.section("collector", Set.of("jvm", "exits", "exec_failures")), d.collector()),
                bpf(top.section("bpf", Set.of("attach", "ring_pages", "wakeup_events", "poll_timeout")), d.bpf()));
    }

    private static DaemonConfig.Web web(YamlNode s, DaemonConfig.Web d) throws ConfigException {
        List<ListenAddress> addresses = s.strings("listen_address", d.listenAddresses(), ListenAddress::parse);
        if (addresses.isEmpty()) {
            throw new ConfigException(s.path() + "/listen_address must name at least one address");
        }
        return new DaemonConfig.Web(addresses,
                s.bool("systemd_socket", d.systemdSocket()),
                s.string("telemetry_path", d.telemetryPath(), ConfigRules::telemetryPath),
                s.whole("max_requests", d.maxRequests(), ConfigRules::maxRequests),
                s.string("config_file", d.configFile(), Path::of));
    }

    private static DaemonConfig.Log log(YamlNode s, DaemonConfig.Log d) throws ConfigException {
        return new DaemonConfig.Log(s.string("level", d.level(), LogLevel::parse),
                s.string("format", d.format(), LogFormat::parse));
    }

    /**
     * The metrics section, with the comm section's keys: comm.allow and comm.deny are the comm
     * label's lists (metrics.allow.comm, metrics.deny.comm), comm.max_series and comm.idle_timeout
     * the names metrics.max_series and metrics.idle_timeout had before labels other than comm came.
     * A setting given under both names is an error.
     */
    private static DaemonConfig.Metrics metrics(YamlNode m, YamlNode c, DaemonConfig.Metrics d)
            throws ConfigException {
        List<AttributionLabel> labels = d.labels();
        if (m.has("labels")) {
            List<String> names = m.strings("labels", List.of(), v -> v);
            labels = m.get("labels").check(() -> ConfigRules.labels(names));
        }
        List<AttributionLabel> chosen = labels;
        int maxSeries = m.whole("max_series", c.whole("max_series", d.maxSeries(), ConfigRules::maxSeries),
                ConfigRules::maxSeries);
        oneOf(m, c, "max_series");
        Function<String, Duration> idle = v -> ConfigRules.idleTimeout(Durations.parse(v));
        Duration idleTimeout = m.string("idle_timeout", c.string("idle_timeout", d.idleTimeout(), idle), idle);
        oneOf(m, c, "idle_timeout");
        Map<AttributionLabel, List<Pattern>> allow = lists(m.get("allow"), c.get("allow"), labels, d.allow());
        Map<AttributionLabel, List<Pattern>> deny = lists(m.get("deny"), c.get("deny"), labels, d.deny());
        List<String> pinned = c.strings("pinned", d.pinned(), ConfigRules::pinnedComm);
        if (c.has("pinned")) {
            c.get("pinned").check(() -> {
                ConfigRules.pinnedWithinBudget(pinned, maxSeries);
                ConfigRules.pinnedNeedComm(pinned, chosen);
                return pinned;
            });
        }
        return new DaemonConfig.Metrics(labels, maxSeries, idleTimeout, allow, deny, pinned);
    }

    private static void oneOf(YamlNode metrics, YamlNode comm, String key) throws ConfigException {
        if (metrics.has(key) && comm.has(key)) {
            throw comm.get(key).error("sets what " + metrics.path() + "/" + key + " sets: keep one of them (comm."
                    + key + " is its former name)");
        }
    }

    /**
     * The lists of a label each: metrics.allow is a mapping from label to its list, comm.allow the
     * comm label's list. A list for a label that is not chosen would never match anything: an error.
     */
    private static Map<AttributionLabel, List<Pattern>> lists(YamlNode byLabel, YamlNode comm,
            List<AttributionLabel> labels, Map<AttributionLabel, List<Pattern>> fallback) throws ConfigException {
        if (byLabel == null && comm == null) {
            return fallback;
        }
        Map<AttributionLabel, List<Pattern>> out = new EnumMap<>(AttributionLabel.class);
        if (byLabel != null) {
            for (Map.Entry<String, YamlNode> e : byLabel.entries()) {
                AttributionLabel label = e.getValue().check(() -> ConfigRules.listedLabel(e.getKey(), labels));
                out.put(label, patterns(e.getValue()));
            }
        }
        if (comm != null) {
            if (out.containsKey(AttributionLabel.COMM)) {
                throw comm.error("sets what " + byLabel.path() + "/comm sets: keep one of them");
            }
            comm.check(() -> ConfigRules.listedLabel("comm", labels));
            out.put(AttributionLabel.COMM, patterns(comm));
        }
        return out;
    }

    private static DaemonConfig.Rate rate(YamlNode s, DaemonConfig.Rate d) throws ConfigException {
        return new DaemonConfig.Rate(buckets(s, d.buckets()), s.bool("per_comm", d.perComm()));
    }

    private static DaemonConfig.Collector collector(YamlNode s, DaemonConfig.Collector d) throws ConfigException {
        return new DaemonConfig.Collector(s.bool("jvm", d.jvm()), s.bool("exits", d.exits()),
                s.bool("exec_failures", d.execFailures()));
    }

    private static ProbeOptions bpf(YamlNode s, ProbeOptions d) throws ConfigException {
        return new ProbeOptions(
                s.string("attach", d.attach(), ConfigRules::attachMode),
                d.captureFilename(),
                s.whole("ring_pages", d.ringPages(), ConfigRules::ringPages),
                s.whole("wakeup_events", d.wakeupEvents(), ConfigRules::wakeupEvents),
                s.string("poll_timeout", d.pollTimeout(), v -> ConfigRules.pollTimeout(Durations.parse(v))));
    }

    private static List<Double> buckets(YamlNode s, List<Double> fallback) throws ConfigException {
        YamlNode v = s.get("buckets");
        if (v == null) {
            return fallback;
        }
        List<Double> bounds = new ArrayList<>();
        for (YamlNode item : v.items("a list of numbers")) {
            bounds.add(item.number());
        }
        return v.check(() -> ConfigRules.buckets(bounds));
    }

    private static List<Pattern> patterns(YamlNode v) throws ConfigException {
        List<Pattern> out = new ArrayList<>();
        for (YamlNode item : v.items("a list of regular expressions")) {
            String regex = item.string();
            out.add(item.check(() -> ConfigRules.commPattern(regex)));
        }
        return out;
    }
}
