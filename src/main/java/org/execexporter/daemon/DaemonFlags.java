package org.execexporter.daemon;

import static org.execexporter.base.FlagSet.pick;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.base.Durations;
import org.execexporter.base.FlagSet;
import org.execexporter.base.UsageException;
import org.execexporter.capture.ProbeOptions;
import org.execexporter.config.ConfigException;
import org.execexporter.config.ConfigLoader;
import org.execexporter.config.ConfigRules;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.ListenAddress;
import org.execexporter.config.LogFormat;
import org.execexporter.config.LogLevel;
import org.execexporter.config.ProbeFlags;

/**
 * The daemon's flags, in the exporter-toolkit style. A flag given on the command line overrides
 * the config file, which overrides the built-in defaults; the defaults shown by --help are the
 * built-in ones.
 */
final class DaemonFlags {
    final FlagSet set;
    final FlagSet.Flag<Boolean> help;
    final FlagSet.Flag<Boolean> version;
    final FlagSet.Flag<Path> configFile;
    final FlagSet.Flag<Boolean> configCheck;
    private final FlagSet.Flag<List<ListenAddress>> listenAddresses;
    private final FlagSet.Flag<Boolean> systemdSocket;
    private final FlagSet.Flag<String> telemetryPath;
    private final FlagSet.Flag<Integer> maxRequests;
    private final FlagSet.Flag<Path> webConfigFile;
    private final FlagSet.Flag<LogLevel> logLevel;
    private final FlagSet.Flag<LogFormat> logFormat;
    private final FlagSet.Flag<List<AttributionLabel>> labels;
    private final FlagSet.Flag<Integer> maxSeries;
    private final FlagSet.Flag<Integer> commMaxSeries;
    private final FlagSet.Flag<Duration> idleTimeout;
    private final FlagSet.Flag<Duration> commIdleTimeout;
    private final FlagSet.Flag<List<String>> pinned;
    private final FlagSet.Flag<Integer> queueCapacity;
    private final FlagSet.Flag<Boolean> jvm;
    private final FlagSet.Flag<Boolean> exits;
    private final FlagSet.Flag<Boolean> execFailures;
    private final ProbeFlags probe;

    DaemonFlags() {
        DaemonConfig d = DaemonConfig.defaults();
        set = new FlagSet("exec-exporter [flags]\n\n"
                + "Counts every successful exec() on this host with BPF and serves the counts as Prometheus metrics.\n"
                + "Flags override the config file, which overrides the built-in defaults shown here.");
        listenAddresses = set.repeatable("web.listen-address", d.web().listenAddresses(),
                d.web().listenAddresses().get(0).toString(),
                "Address to listen on for the metrics and the web pages; repeat it for more than one",
                ListenAddress::parse);
        systemdSocket = set.bool("web.systemd-socket", d.web().systemdSocket(),
                "Listen on the socket systemd passes (socket activation) instead of --web.listen-address");
        telemetryPath = set.custom("web.telemetry-path", d.web().telemetryPath(), d.web().telemetryPath(),
                "Path under which to expose the metrics", ConfigRules::telemetryPath);
        maxRequests = set.custom("web.max-requests", d.web().maxRequests(), String.valueOf(d.web().maxRequests()),
                "Most HTTP requests served at once; beyond it, 503 at once. 0 means no limit",
                v -> ConfigRules.maxRequests(FlagSet.parseWhole(v)));
        webConfigFile = set.custom("web.config.file", null, null,
                "exporter-toolkit web configuration file: TLS, basic auth, headers, rate limit; read again when it "
                        + "or a file it names changes (see README)",
                Path::of);
        configFile = set.custom("config.file", null, null,
                "YAML config file (see config/exec-exporter.yml); without it, the built-in defaults. "
                        + "SIGHUP re-reads it", Path::of);
        configCheck = set.bool("config.check", false,
                "Check the config file and the web config file, print one line and exit (0: valid, 2: not); "
                        + "loads no BPF");
        logLevel = set.custom("log.level", d.log().level(), d.log().level().value(),
                "Only log messages with this severity or above: debug, info, warn, error", LogLevel::parse);
        logFormat = set.custom("log.format", d.log().format(), d.log().format().value(),
                "Output format of log messages: logfmt or json", LogFormat::parse);
        labels = set.custom("metrics.labels", d.metrics().labels(), "comm",
                "Labels of every exec series, comma-separated: comm, unit (systemd unit), user_unit, container "
                        + "(id), pod (Kubernetes pod uid), user; each combination is one series of the budget",
                ConfigRules::labels);
        maxSeries = set.custom("metrics.max-series", d.metrics().maxSeries(), String.valueOf(d.metrics().maxSeries()),
                "Most label combinations with a series of their own; further ones count in the overflow series "
                        + "(every label \"__overflow_comms__\")",
                v -> ConfigRules.maxSeries(FlagSet.parseWhole(v)));
        commMaxSeries = set.custom("comm.max-series", d.metrics().maxSeries(), null,
                "Former name of --metrics.max-series", v -> ConfigRules.maxSeries(FlagSet.parseWhole(v)));
        idleTimeout = set.custom("metrics.idle-timeout", d.metrics().idleTimeout(),
                Durations.format(d.metrics().idleTimeout()),
                "Remove a series after this long without an exec, freeing its slot",
                v -> ConfigRules.idleTimeout(Durations.parse(v)));
        commIdleTimeout = set.custom("comm.idle-timeout", d.metrics().idleTimeout(), null,
                "Former name of --metrics.idle-timeout", v -> ConfigRules.idleTimeout(Durations.parse(v)));
        pinned = set.repeatable("comm.pinned", d.metrics().pinned(), null,
                "A comm whose series exists from the start at 0, never expires and never overflows; "
                        + "repeat it for more", ConfigRules::pinnedComm);
        queueCapacity = set.custom("queue.capacity", d.queue().capacity(), String.valueOf(d.queue().capacity()),
                "Execs the queue between ring pollers and aggregator holds; beyond it, execs are dropped and counted",
                v -> ConfigRules.queueCapacity(FlagSet.parseWhole(v)));
        jvm = set.bool("collector.jvm", d.collector().jvm(), "Export the JVM's own metrics (memory, GC, threads)");
        exits = set.bool("collector.exits", d.collector().exits(),
                "Count how exec'd processes end: exit status and lifetime (needs tp_btf)");
        execFailures = set.bool("collector.exec-failures", d.collector().execFailures(),
                "Count failed execve/execveat calls by errno; every system call of the host pays for it (see README)");
        probe = new ProbeFlags(set);
        help = set.bool("help", false, "Show this help and exit");
        version = set.bool("version", false, "Show the version and exit");
    }

    /** --[no-]capabilities.drop (of the --bpf.* family): drop every capability once the probe runs. */
    boolean dropCapabilities() {
        return probe.dropCapabilities();
    }

    /**
     * The config file (if one is given) with the flags over it: at start, and again on each
     * reload, so flags keep overriding what the file says.
     */
    DaemonConfig read() throws UsageException, ConfigException {
        return overlay(configFile.value() == null ? DaemonConfig.defaults() : ConfigLoader.load(configFile.value()));
    }

    /** {@code base} with every flag given on the command line applied over it. */
    DaemonConfig overlay(DaemonConfig base) throws UsageException {
        DaemonConfig.Metrics m = base.metrics();
        ProbeOptions bpf = probe.overlay(base.bpf());
        DaemonConfig.Metrics metrics = new DaemonConfig.Metrics(pick(labels, m.labels()),
                either(maxSeries, commMaxSeries, m.maxSeries()), either(idleTimeout, commIdleTimeout, m.idleTimeout()),
                m.allow(), m.deny(), pick(pinned, m.pinned()));
        if (labels.isSet()) {
            for (var lists : List.of(metrics.allow(), metrics.deny())) {
                for (AttributionLabel listed : lists.keySet()) {
                    if (!metrics.labels().contains(listed)) {
                        throw new UsageException(labels.name() + " leaves out " + listed.labelName() + ", for which "
                                + "the config file has allow or deny patterns");
                    }
                }
            }
        }
        if (pinned.isSet() || maxSeries.isSet() || commMaxSeries.isSet() || labels.isSet()) {
            try {
                ConfigRules.pinnedWithinBudget(metrics.pinned(), metrics.maxSeries());
                ConfigRules.pinnedNeedComm(metrics.pinned(), metrics.labels());
            } catch (IllegalArgumentException e) {
                throw new UsageException("comm.pinned (" + pinned.name() + " or the config file) " + e.getMessage());
            }
        }
        return new DaemonConfig(
                new DaemonConfig.Web(pick(listenAddresses, base.web().listenAddresses()),
                        pick(systemdSocket, base.web().systemdSocket()),
                        pick(telemetryPath, base.web().telemetryPath()), pick(maxRequests, base.web().maxRequests()),
                        pick(webConfigFile, base.web().configFile())),
                new DaemonConfig.Log(pick(logLevel, base.log().level()), pick(logFormat, base.log().format())),
                metrics,
                new DaemonConfig.Queue(pick(queueCapacity, base.queue().capacity())),
                base.rate(),
                new DaemonConfig.Collector(pick(jvm, base.collector().jvm()), pick(exits, base.collector().exits()),
                        pick(execFailures, base.collector().execFailures())),
                bpf);
    }

    /** A flag that has a former name: either name, not both. */
    private static <T> T either(FlagSet.Flag<T> flag, FlagSet.Flag<T> former, T fallback) throws UsageException {
        if (flag.isSet() && former.isSet()) {
            throw new UsageException(former.name() + " is the former name of " + flag.name() + ": give one of them");
        }
        return pick(flag, pick(former, fallback));
    }
}
