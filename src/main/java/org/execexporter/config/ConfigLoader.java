package org.execexporter.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.execexporter.base.Durations;
import org.execexporter.capture.ProbeOptions;

/**
 * Reads config/exec-exporter.yml over the built-in defaults. Walks the YAML tree by hand
 * ({@link YamlNode}) rather than binding it, so that every error is one line naming the YAML path
 * ("/comm/max_series must be 1 or greater") and unknown keys are rejected by name. Every value
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
        YamlNode top = YamlNode.parse(yaml).keys(Set.of("web", "log", "comm", "queue", "rate", "collector", "bpf"));
        DaemonConfig d = DaemonConfig.defaults();
        return new DaemonConfig(
                web(top.section("web", Set.of("listen_address", "systemd_socket", "telemetry_path", "max_requests",
                        "config_file")), d.web()),
                log(top.section("log", Set.of("level", "format")), d.log()),
                comm(top.section("comm", Set.of("max_series", "idle_timeout", "allow", "deny", "pinned")), d.comm()),
                new DaemonConfig.Queue(top.section("queue", Set.of("capacity"))
                        .whole("capacity", d.queue().capacity(), ConfigRules::queueCapacity)),
                rate(top.section("rate", Set.of("buckets", "per_comm")), d.rate()),
                collector(top.section("collector", Set.of("jvm", "exits")), d.collector()),
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

    private static DaemonConfig.Comm comm(YamlNode s, DaemonConfig.Comm d) throws ConfigException {
        int maxSeries = s.whole("max_series", d.maxSeries(), ConfigRules::maxSeries);
        List<String> pinned = s.strings("pinned", d.pinned(), ConfigRules::pinnedComm);
        if (s.has("pinned")) {
            s.get("pinned").check(() -> {
                ConfigRules.pinnedWithinBudget(pinned, maxSeries);
                return pinned;
            });
        }
        return new DaemonConfig.Comm(maxSeries,
                s.string("idle_timeout", d.idleTimeout(), v -> ConfigRules.idleTimeout(Durations.parse(v))),
                patterns(s.get("allow"), d.allow()),
                patterns(s.get("deny"), d.deny()),
                pinned);
    }

    private static DaemonConfig.Rate rate(YamlNode s, DaemonConfig.Rate d) throws ConfigException {
        return new DaemonConfig.Rate(buckets(s, d.buckets()), s.bool("per_comm", d.perComm()));
    }

    private static DaemonConfig.Collector collector(YamlNode s, DaemonConfig.Collector d) throws ConfigException {
        return new DaemonConfig.Collector(s.bool("jvm", d.jvm()), s.bool("exits", d.exits()));
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

    private static List<Pattern> patterns(YamlNode v, List<Pattern> fallback) throws ConfigException {
        if (v == null) {
            return fallback;
        }
        List<Pattern> out = new ArrayList<>();
        for (YamlNode item : v.items("a list of regular expressions")) {
            String regex = item.string();
            out.add(item.check(() -> ConfigRules.commPattern(regex)));
        }
        return out;
    }
}
