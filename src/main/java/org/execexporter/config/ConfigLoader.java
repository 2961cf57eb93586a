package org.execexporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.execexporter.capture.AttachMode;
import org.execexporter.capture.ProbeOptions;
import org.execexporter.cli.Durations;

/**
 * Reads config/exec-exporter.yml over the built-in defaults. Walks the YAML tree by hand rather
 * than binding it, so that every error is one line naming the YAML path
 * ("/comm/max_series must be 1 or greater") and unknown keys are rejected by name. A key that is
 * absent, or present with no value, keeps its default.
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
        JsonNode root = YamlTree.parse(yaml);
        DaemonConfig defaults = DaemonConfig.defaults();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return defaults;
        }
        try {
            Section top = new Section("", root, Set.of("web", "log", "comm", "queue", "rate", "collector", "bpf"));
            return new DaemonConfig(
                    web(top.section("web", Set.of("listen_address", "telemetry_path", "max_requests", "config_file")),
                            defaults.web()),
                    log(top.section("log", Set.of("level", "format")), defaults.log()),
                    comm(top.section("comm", Set.of("max_series", "idle_timeout", "allow", "deny")), defaults.comm()),
                    new DaemonConfig.Queue(top.section("queue", Set.of("capacity"))
                            .integer("capacity", defaults.queue().capacity(), ConfigRules::queueCapacity)),
                    rate(top.section("rate", Set.of("buckets", "per_comm")), defaults.rate()),
                    new DaemonConfig.Collector(top.section("collector", Set.of("jvm"))
                            .bool("jvm", defaults.collector().jvm())),
                    bpf(top.section("bpf", Set.of("attach", "ring_pages", "wakeup_events", "poll_timeout")),
                            defaults.bpf()));
        } catch (PathException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static DaemonConfig.Web web(Section s, DaemonConfig.Web d) {
        return new DaemonConfig.Web(
                s.string("listen_address", d.listenAddress(), ListenAddress::parse),
                s.string("telemetry_path", d.telemetryPath(), ConfigRules::telemetryPath),
                s.integer("max_requests", d.maxRequests(), ConfigRules::maxRequests),
                s.string("config_file", d.configFile(), Path::of));
    }

    private static DaemonConfig.Log log(Section s, DaemonConfig.Log d) {
        return new DaemonConfig.Log(s.string("level", d.level(), LogLevel::parse),
                s.string("format", d.format(), LogFormat::parse));
    }

    private static DaemonConfig.Comm comm(Section s, DaemonConfig.Comm d) {
        return new DaemonConfig.Comm(
                s.integer("max_series", d.maxSeries(), ConfigRules::maxSeries),
                s.string("idle_timeout", d.idleTimeout(), v -> ConfigRules.idleTimeout(Durations.parse(v))),
                s.patterns("allow", d.allow()),
                s.patterns("deny", d.deny()));
    }

    private static DaemonConfig.Rate rate(Section s, DaemonConfig.Rate d) {
        return new DaemonConfig.Rate(s.numbers("buckets", d.buckets(), ConfigRules::buckets),
                s.bool("per_comm", d.perComm()));
    }

    private static ProbeOptions bpf(Section s, ProbeOptions d) {
        AttachMode attach = s.string("attach", d.attach(), v -> {
            AttachMode mode = AttachMode.parse(v);
            if (mode == null) {
                throw new IllegalArgumentException("must be auto, tp_btf or tracepoint");
            }
            return mode;
        });
        int pages = s.integer("ring_pages", d.ringPages(), n -> {
            if (n < 1 || n > 65536 || Long.bitCount(n) != 1) {
                throw new IllegalArgumentException("must be a power of two from 1 to 65536");
            }
            return n.intValue();
        });
        int wakeup = s.integer("wakeup_events", d.wakeupEvents(), n -> {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("must be from 1 to 1000000");
            }
            return n.intValue();
        });
        Duration poll = s.string("poll_timeout", d.pollTimeout(), v -> {
            Duration t = Durations.parse(v);
            if (t.toMillis() < 1 || t.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("must be from 1ms to 10s");
            }
            return t;
        });
        return new ProbeOptions(attach, d.captureFilename(), pages, wakeup, poll);
    }

    /** An error already phrased with its YAML path. */
    private static final class PathException extends RuntimeException {
        PathException(String message) {
            super(message, null, false, false);
        }
    }

    /** One mapping of the YAML tree, its path, and the keys it may hold. */
    private static final class Section {
        private final String path;
        private final JsonNode node;

        Section(String path, JsonNode node, Set<String> known) {
            this.path = path;
            this.node = node;
            if (node == null || node.isNull()) {
                return;
            }
            if (!node.isObject()) {
                throw new PathException((path.isEmpty() ? "the top level" : path) + " must be a mapping of keys");
            }
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!known.contains(name)) {
                    throw new PathException("unknown key " + path + "/" + name + " (known keys here: "
                            + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        Section section(String key, Set<String> known) {
            return new Section(path + "/" + key, value(key), known);
        }

        private JsonNode value(String key) {
            if (node == null || node.isNull()) {
                return null;
            }
            JsonNode v = ((ObjectNode) node).get(key);
            return v == null || v.isNull() ? null : v;
        }

        <T> T string(String key, T fallback, Function<String, T> parse) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!v.isTextual()) {
                throw new PathException(path + "/" + key + " must be a string");
            }
            return check(key, () -> parse.apply(v.asText()));
        }

        int integer(String key, int fallback, Function<Long, Integer> check) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new PathException(path + "/" + key + " must be a whole number");
            }
            return check(key, () -> check.apply(v.asLong()));
        }

        boolean bool(String key, boolean fallback) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new PathException(path + "/" + key + " must be true or false");
            }
            return v.asBoolean();
        }

        List<Double> numbers(String key, List<Double> fallback, Function<List<Double>, List<Double>> check) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!v.isArray()) {
                throw new PathException(path + "/" + key + " must be a list of numbers");
            }
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isNumber()) {
                    throw new PathException(path + "/" + key + "/" + i + " must be a number");
                }
                out.add(v.get(i).asDouble());
            }
            return check(key, () -> check.apply(out));
        }

        List<Pattern> patterns(String key, List<Pattern> fallback) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (!v.isArray()) {
                throw new PathException(path + "/" + key + " must be a list of regular expressions");
            }
            List<Pattern> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (!item.isTextual()) {
                    throw new PathException(path + "/" + key + "/" + i + " must be a string");
                }
                out.add(check(key + "/" + i, () -> ConfigRules.commPattern(item.asText())));
            }
            return out;
        }

        private <T> T check(String key, java.util.function.Supplier<T> parse) {
            try {
                return parse.get();
            } catch (IllegalArgumentException e) {
                throw new PathException(path + "/" + key + " " + phrase(e.getMessage()));
            }
        }

        /** The rules say "must be ..."; other parsers say what they saw: both read after a path. */
        private static String phrase(String message) {
            return message.startsWith("must ") || message.startsWith("is ") ? message : "is invalid: " + message;
        }
    }
}
