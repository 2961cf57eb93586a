package org.execexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.capture.ProbeOptions;

/**
 * Everything the daemon is configured with, immutable and already validated. Sections mirror
 * config/exec-exporter.yml; every value has a built-in default ({@link #defaults()}).
 */
public record DaemonConfig(Web web, Log log, Metrics metrics, Queue queue, Rate rate, Collector collector,
                           ProbeOptions bpf) {

    /**
     * The default port, 10135, lies outside 9100-9999 (where most exporters sit) and is not a port
     * of any well-known Prometheus (9090-9094), Kubernetes (10248-10259), Grafana (3000) or
     * Loki/Tempo component, as the README says.
     */
    public static final int DEFAULT_PORT = 10135;

    /**
     * @param listenAddresses where to listen, at least one (exporter-toolkit's repeatable
     *                        --web.listen-address); unused with systemdSocket
     * @param systemdSocket   listen on the socket systemd passes (socket activation) instead
     * @param telemetryPath   where the metrics are served, e.g. /metrics
     * @param maxRequests     requests served at once, beyond which 503 is answered at once; 0: no limit
     * @param configFile      exporter-toolkit's web configuration file (TLS, basic auth, headers), or null
     */
    public record Web(List<ListenAddress> listenAddresses, boolean systemdSocket, String telemetryPath,
                      int maxRequests, Path configFile) {
        /** exporter-toolkit's default for --web.max-requests. */
        public static final int DEFAULT_MAX_REQUESTS = 40;

        public Web {
            listenAddresses = List.copyOf(listenAddresses);
            if (listenAddresses.isEmpty()) {
                throw new IllegalArgumentException("at least one listen address");
            }
        }

        public Web(ListenAddress listenAddress, String telemetryPath) {
            this(List.of(listenAddress), false, telemetryPath, DEFAULT_MAX_REQUESTS, null);
        }

        public static Web defaults() {
            return new Web(new ListenAddress("", DEFAULT_PORT), "/metrics");
        }
    }

    public record Log(LogLevel level, LogFormat format) {
        public static Log defaults() {
            return new Log(LogLevel.INFO, LogFormat.LOGFMT);
        }
    }

    /**
     * The series and their labels.
     *
     * @param labels      the labels of every exec series, in their metrics order (--metrics.labels):
     *                    comm and the attribution labels; each combination of values is one series
     * @param maxSeries   the most label combinations with a series of their own, pinned ones
     *                    included; execs of further combinations go to the overflow series
     * @param idleTimeout a series is removed, freeing its slot, after this long without an exec
     * @param allow       per label: if not empty, only values that fully match one of these are counted
     * @param deny        per label: values that fully match one of these are not counted (deny wins)
     * @param pinned      comms (label values) whose series exist from the start, at 0, never expire
     *                    and never overflow; they take slots of maxSeries and pass allow/deny
     */
    public record Metrics(List<AttributionLabel> labels, int maxSeries, Duration idleTimeout,
                          Map<AttributionLabel, List<Pattern>> allow, Map<AttributionLabel, List<Pattern>> deny,
                          List<String> pinned) {
        public static final List<AttributionLabel> DEFAULT_LABELS = List.of(AttributionLabel.COMM);

        public Metrics {
            labels = List.copyOf(labels);
            allow = lists(allow);
            deny = lists(deny);
            pinned = List.copyOf(pinned);
        }

        /** comm alone, with the comm label's lists. */
        public Metrics(int maxSeries, Duration idleTimeout, List<Pattern> allow, List<Pattern> deny,
                       List<String> pinned) {
            this(DEFAULT_LABELS, maxSeries, idleTimeout, commLists(allow), commLists(deny), pinned);
        }

        public Metrics(int maxSeries, Duration idleTimeout, List<Pattern> allow, List<Pattern> deny) {
            this(maxSeries, idleTimeout, allow, deny, List.of());
        }

        public static Metrics defaults() {
            return new Metrics(DEFAULT_LABELS, 500, Duration.ofHours(1), Map.of(), Map.of(), List.of());
        }

        /** The comm label's allow list (empty when none). */
        public List<Pattern> commAllow() {
            return allow.getOrDefault(AttributionLabel.COMM, List.of());
        }

        public List<Pattern> commDeny() {
            return deny.getOrDefault(AttributionLabel.COMM, List.of());
        }

        private static Map<AttributionLabel, List<Pattern>> commLists(List<Pattern> patterns) {
            return patterns.isEmpty() ? Map.of() : Map.of(AttributionLabel.COMM, patterns);
        }

        /** Labels without patterns are left out, so that equal lists compare equal. */
        private static Map<AttributionLabel, List<Pattern>> lists(Map<AttributionLabel, List<Pattern>> lists) {
            Map<AttributionLabel, List<Pattern>> out = new EnumMap<>(AttributionLabel.class);
            lists.forEach((label, patterns) -> {
                if (!patterns.isEmpty()) {
                    out.put(label, List.copyOf(patterns));
                }
            });
            return Collections.unmodifiableMap(out);
        }
    }

    /** @param capacity execs the queue between the ring pollers and the aggregator holds */
    public record Queue(int capacity) {
        public static Queue defaults() {
            return new Queue(65536);
        }
    }

    /**
     * The 1-second window histograms.
     *
     * @param buckets upper bounds (le) of their classic buckets, in execs per 1-second window
     * @param perComm keep the per-comm histogram (off: the counter is a comm's only series)
     */
    public record Rate(List<Double> buckets, boolean perComm) {
        /**
         * Six bounds: with +Inf, _count, _sum and the counter, 10 text series per comm. One exec,
         * a few, up to 10 (where most comms live), then decades up to a fork bomb's 10,000.
         */
        public static final List<Double> DEFAULT_BUCKETS = List.of(1.0, 3.0, 10.0, 100.0, 1000.0, 10000.0);

        public Rate {
            buckets = List.copyOf(buckets);
        }

        public static Rate defaults() {
            return new Rate(DEFAULT_BUCKETS, true);
        }
    }

    /**
     * @param jvm          export the JVM's own metrics (memory, GC, threads, classes, process CPU, fds)
     * @param exits        count how exec'd processes end (exit status, lifetime): loads the exit program
     * @param execFailures count failed execve/execveat calls by errno: loads a program on the system
     *                     call exit, which every system call of the host pays for (off by default)
     */
    public record Collector(boolean jvm, boolean exits, boolean execFailures) {
        /** Exits and failures at their defaults, on and off. */
        public Collector(boolean jvm) {
            this(jvm, true, false);
        }

        public Collector(boolean jvm, boolean exits) {
            this(jvm, exits, false);
        }

        public static Collector defaults() {
            return new Collector(true, true, false);
        }
    }

    public static DaemonConfig defaults() {
        return new DaemonConfig(Web.defaults(), Log.defaults(), Metrics.defaults(), Queue.defaults(), Rate.defaults(),
                Collector.defaults(), ProbeOptions.defaults().withCaptureFilename(false));
    }
}
