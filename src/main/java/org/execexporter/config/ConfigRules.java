package org.execexporter.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.capture.AttachMode;
import org.execexporter.base.NameEscaper;

/**
 * The one rule of every configured value, used by the config file ({@link ConfigLoader}) and the
 * flags ({@link ProbeFlags}, the daemon's flags) alike. Each throws IllegalArgumentException with
 * the rest of a sentence that starts after the value's name ("must be 1 or greater"), so the
 * caller can name a YAML path or a flag.
 */
public final class ConfigRules {
    public static final int MAX_SERIES_LIMIT = 100_000;
    public static final int MIN_QUEUE = 2;
    public static final int MAX_QUEUE = 1 << 22;
    public static final int MAX_BUCKETS = 64;
    public static final int MAX_REQUESTS = 10_000;
    public static final Duration MIN_IDLE = Duration.ofSeconds(1);
    public static final int MAX_RING_PAGES = 1 << 16;
    public static final int MAX_WAKEUP_EVENTS = 1_000_000;
    public static final Duration MIN_POLL_TIMEOUT = Duration.ofMillis(1);
    public static final Duration MAX_POLL_TIMEOUT = Duration.ofSeconds(10);
    /** Ten years: longer than any process lives, far from overflowing the nanosecond clock. */
    public static final Duration MAX_IDLE = Duration.ofDays(3650);

    private ConfigRules() {}

    public static int maxSeries(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("must be 1 or greater");
        }
        if (n > MAX_SERIES_LIMIT) {
            throw new IllegalArgumentException("must be " + MAX_SERIES_LIMIT + " or less");
        }
        return (int) n;
    }

    public static Duration idleTimeout(Duration d) {
        if (d.compareTo(MIN_IDLE) < 0 || d.compareTo(MAX_IDLE) > 0) {
            throw new IllegalArgumentException("must be from 1s to " + MAX_IDLE.toDays() + "d");
        }
        return d;
    }

    public static int maxRequests(long n) {
        if (n < 0 || n > MAX_REQUESTS) {
            throw new IllegalArgumentException("must be from 0 (no limit) to " + MAX_REQUESTS);
        }
        return (int) n;
    }

    public static int queueCapacity(long n) {
        if (n < MIN_QUEUE || n > MAX_QUEUE) {
            throw new IllegalArgumentException("must be from " + MIN_QUEUE + " to " + MAX_QUEUE);
        }
        return (int) n;
    }

    public static String telemetryPath(String path) {
        if (!path.startsWith("/") || path.length() < 2) {
            throw new IllegalArgumentException("must start with / and name a path, like /metrics");
        }
        if (path.equals("/-/healthy") || path.equals("/-/ready")) {
            throw new IllegalArgumentException("must not be " + path + ", which the exporter serves itself");
        }
        if (path.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#' || c > '~')) {
            throw new IllegalArgumentException("must be plain ASCII without spaces, ? or #");
        }
        return path;
    }

    public static List<Double> buckets(List<Double> bounds) {
        if (bounds.isEmpty()) {
            throw new IllegalArgumentException("must list at least one bucket");
        }
        if (bounds.size() > MAX_BUCKETS) {
            throw new IllegalArgumentException("must list at most " + MAX_BUCKETS + " buckets");
        }
        double previous = 0;
        for (double b : bounds) {
            if (!Double.isFinite(b) || b <= 0) {
                throw new IllegalArgumentException("must be finite numbers greater than 0");
            }
            if (b <= previous) {
                throw new IllegalArgumentException("must be in increasing order");
            }
            previous = b;
        }
        return bounds;
    }

    /** Compiles a comm regular expression; the message is the one line of its syntax error. */
    public static Pattern commPattern(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("is not a valid regular expression: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }

    public static AttachMode attachMode(String value) {
        AttachMode mode = AttachMode.parse(value);
        if (mode == null) {
            throw new IllegalArgumentException("must be auto, tp_btf or tracepoint");
        }
        return mode;
    }

    /** Pages of each per-CPU perf ring: the kernel maps a power of two. */
    public static int ringPages(long n) {
        if (n < 1 || n > MAX_RING_PAGES || Long.bitCount(n) != 1) {
            throw new IllegalArgumentException("must be a power of two from 1 to " + MAX_RING_PAGES);
        }
        return (int) n;
    }

    public static int wakeupEvents(long n) {
        if (n < 1 || n > MAX_WAKEUP_EVENTS) {
            throw new IllegalArgumentException("must be from 1 to " + MAX_WAKEUP_EVENTS);
        }
        return (int) n;
    }

    public static Duration pollTimeout(Duration d) {
        if (d.compareTo(MIN_POLL_TIMEOUT) < 0 || d.compareTo(MAX_POLL_TIMEOUT) > 0) {
            throw new IllegalArgumentException("must be from 1ms to 10s");
        }
        return d;
    }

    /** The longest comm the kernel keeps (TASK_COMM_LEN less its NUL). */
    public static final int COMM_BYTES = 15;

    /**
     * A pinned comm, written as its label value appears in the scrape (printable UTF-8 as is, a
     * backslash as \\, any other byte as \xNN): it must be a comm the kernel can report.
     */
    public static String pinnedComm(String label) {
        if (label.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        byte[] bytes;
        try {
            bytes = NameEscaper.unescape(label);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be written as the comm label shows it: a backslash as \\\\, "
                    + "other bytes as \\xNN: \"" + label + "\"");
        }
        if (bytes.length > COMM_BYTES) {
            throw new IllegalArgumentException("must be at most 15 bytes, as the kernel cuts a comm: \"" + label
                    + "\" is " + bytes.length + " bytes; its comm is \""
                    + NameEscaper.escape(bytes, 0, COMM_BYTES) + "\"");
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("must not hold a NUL byte (\\x00): no comm can");
            }
        }
        String canonical = NameEscaper.escape(bytes);
        if (!canonical.equals(label)) {
            throw new IllegalArgumentException("must be written as the comm label shows it: \"" + canonical
                    + "\", not \"" + label + "\"");
        }
        return label;
    }

    /** --metrics.labels: a comma-separated list such as comm,unit,container (any subset, each once). */
    public static List<AttributionLabel> labels(String list) {
        return AttributionLabel.parseList(list);
    }

    /** metrics.labels in the config file: a list of label names, or one comma-separated string. */
    public static List<AttributionLabel> labels(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("must name at least one label");
        }
        return AttributionLabel.parseList(String.join(",", names));
    }

    /** A label given allow or deny patterns: one of the labels chosen. */
    public static AttributionLabel listedLabel(String name, List<AttributionLabel> chosen) {
        AttributionLabel label = AttributionLabel.parseList(name).get(0);
        if (!chosen.contains(label)) {
            throw new IllegalArgumentException("is a list for the " + name + " label, which metrics.labels does not "
                    + "choose (" + chosen.stream().map(AttributionLabel::labelName).toList() + ")");
        }
        return label;
    }

    /** Pinned comms are series of the comm label: it must be chosen. */
    public static void pinnedNeedComm(List<String> pinned, List<AttributionLabel> labels) {
        if (!pinned.isEmpty() && !labels.contains(AttributionLabel.COMM)) {
            throw new IllegalArgumentException("must be empty unless metrics.labels has comm: pinned comms are its series");
        }
    }

    /** Pinned comms take slots of the series budget: there must be room for all of them. */
    public static void pinnedWithinBudget(List<String> pinned, int maxSeries) {
        if (pinned.size() > maxSeries) {
            throw new IllegalArgumentException("must list at most metrics.max_series (" + maxSeries + ") comms, "
                    + "not " + pinned.size() + ": pinned comms take slots of the series budget");
        }
        if (pinned.stream().distinct().count() != pinned.size()) {
            throw new IllegalArgumentException("must not list a comm twice");
        }
    }
}
