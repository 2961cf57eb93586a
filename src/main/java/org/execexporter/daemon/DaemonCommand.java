package org.execexporter.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.execexporter.attribution.Attribution;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.attribution.CgroupResolver;
import org.execexporter.attribution.UserNames;
import org.execexporter.base.BuildInfo;
import org.execexporter.base.Durations;
import org.execexporter.base.ErrorLine;
import org.execexporter.base.ExitCodes;
import org.execexporter.base.Hangup;
import org.execexporter.base.Shutdown;
import org.execexporter.base.UsageException;
import org.execexporter.capture.CaptureException;
import org.execexporter.capture.ExecCapture;
import org.execexporter.capture.FailureCapture;
import org.execexporter.capture.Privileges;
import org.execexporter.config.ConfigException;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.LiveWebConfig;
import org.execexporter.config.WebConfig;
import org.execexporter.http.MetricsServer;
import org.execexporter.systemd.SocketActivation;
import org.execexporter.systemd.SystemdNotify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code exec-exporter [flags]}: flags → config → capture → pipeline → HTTP, one log line per
 * phase, READY=1 to systemd, then serve until SIGTERM/SIGINT (see {@link Shutdown}; one during
 * start-up cuts it short; SIGHUP reloads) and stop in order.
 * User errors are one line on stderr and exit 2; runtime failures (the probe cannot load, the port
 * is taken) one line and exit 1. {@code --config.check} stops after reading the files.
 */
public final class DaemonCommand {
    private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);
    private static final String NAME = "exec-exporter";

    private final PrintStream out;
    private final PrintStream err;

    public DaemonCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** What the command line and the files decided; the flags are kept to read the files again on a reload. */
    record Settings(DaemonConfig config, DaemonFlags flags, LiveWebConfig web) {
        boolean dropCapabilities() {
            return flags.dropCapabilities();
        }
    }

    /** Parses the flags and reads the config and web config files: a usage error, help or version end here. */
    Settings configure(List<String> args, BuildInfo build) throws UsageException, ConfigException, Finished {
        DaemonFlags flags = new DaemonFlags();
        List<String> extra = flags.set.parse(args);
        if (flags.help.value()) {
            out.print(flags.set.help());
            out.flush();
            throw new Finished();
        }
        if (flags.version.value()) {
            out.println(NAME + " version " + build.version() + " (revision " + build.revision() + ")");
            out.flush();
            throw new Finished();
        }
        if (!extra.isEmpty()) {
            throw new UsageException("unexpected argument \"" + extra.get(0) + "\"");
        }
        DaemonConfig config = flags.read();
        return new Settings(config, flags, LiveWebConfig.open(config.web().configFile()));
    }

    public int run(List<String> args) {
        BuildInfo build = BuildInfo.load();
        Settings settings;
        try {
            settings = configure(args, build);
        } catch (Finished e) {
            return ExitCodes.OK;
        } catch (UsageException e) {
            err.println(ErrorLine.of(NAME, e.getMessage() + " (see --help)"));
            return ExitCodes.USAGE;
        } catch (ConfigException e) {
            err.println(ErrorLine.of(NAME, e.getMessage()));
            return e.exitCode();
        }
        DaemonConfig config = settings.config();
        if (settings.flags().configCheck.value()) {
            out.println(NAME + ": " + describeFiles(settings) + ": valid");
            out.flush();
            return ExitCodes.OK;
        }
        LogSetup.apply(config.log().level(), config.log().format());
        // A reload asked for while starting is done once started (the JVM would exit 129 on SIGHUP).
        AtomicBoolean reloadAsked = new AtomicBoolean();
        Hangup.onSignal(() -> reloadAsked.set(true));
        SystemdNotify systemd = SystemdNotify.fromEnvironment();
        log.atInfo().setMessage("Starting " + NAME).addKeyValue("version", build.version())
                .addKeyValue("revision", build.revision()).log();
        if (Shutdown.requested()) {
            log.info("Stopped before the probe was loaded");
            return ExitCodes.OK;
        }

        ServerSocketChannel inherited = null;
        if (config.web().systemdSocket()) {
            try {
                inherited = SocketActivation.listeningSocket();
            } catch (IOException e) {
                return fail(systemd, e.getMessage());
            }
        }
        Attribution attribution;
        try {
            attribution = Attribution.open(config.metrics().labels(), CgroupResolver.Settings.DEFAULTS,
                    UserNames.Settings.DEFAULTS);
        } catch (IOException e) {
            err.println(ErrorLine.of(NAME, "--metrics.labels=" + labelList(config) + ": " + e.getMessage()));
            systemd.status("Failed to start: " + e.getMessage());
            return ExitCodes.USAGE; // the host will not grow a cgroup2 mount: no restart helps
        }
        if (attribution.cgroups() != null) {
            log.atInfo().setMessage("Attributing execs to cgroups").addKeyValue("labels", labelList(config))
                    .addKeyValue("cgroup2", attribution.cgroups().mount().mountPoint())
                    .addKeyValue("cgroups", attribution.cgroups().stats().indexed()).log();
        }
        long cgroupRoot;
        try {
            cgroupRoot = attribution.cgroups() == null ? 0 : attribution.cgroups().mountId();
        } catch (IOException e) {
            return fail(systemd, "cannot read the cgroup2 mount: " + e.getMessage());
        }
        systemd.status("Loading the BPF program");
        ExecCapture capture;
        try {
            capture = ExecCapture.open(config.bpf().withExits(config.collector().exits())
                    .withFailures(config.collector().execFailures() ? FailureCapture.AUTO : FailureCapture.OFF)
                    .withCgroupRoot(cgroupRoot));
        } catch (CaptureException e) {
            return fail(systemd, e.getMessage());
        }
        log.atInfo().setMessage("BPF program loaded and attached to sched_process_exec")
                .addKeyValue("attach", capture.attachMode().flagValue()).addKeyValue("rings", capture.ringCount())
                .addKeyValue("program_id", capture.programId()).addKeyValue("exits", capture.exitsAttached()).log();
        if (config.collector().exits() && !capture.exitsAttached()) {
            log.atWarn().setMessage("Exits are not counted: the exit program needs tp_btf, and sched_process_exec "
                    + "was attached as a classic tracepoint").log();
        }

        logFailures(config, capture);
        Daemon daemon = new Daemon(config, capture, attribution,
                Daemon.collectorsOf(capture.exitsAttached(), capture.failuresAttached() != FailureCapture.OFF), build,
                System::nanoTime);
        settings.web().onReload(daemon.reloads()::reloaded);
        Shutdown.onExit(daemon::close);
        if (Shutdown.requested()) { // the probe is closed with the daemon
            log.info("Stopped before counting");
            daemon.close();
            return ExitCodes.OK;
        }
        daemon.startCounting();
        log.atInfo().setMessage("Counting execs").addKeyValue("labels", labelList(config))
                .addKeyValue("queue_capacity", config.queue().capacity())
                .addKeyValue("max_series", config.metrics().maxSeries())
                .addKeyValue("pinned", config.metrics().pinned().size())
                .addKeyValue("idle_timeout", Durations.format(config.metrics().idleTimeout())).log();
        MetricsServer server;
        try {
            server = daemon.serve(settings.web(), inherited);
        } catch (IllegalStateException e) {
            daemon.close();
            return fail(systemd, e.getMessage());
        }
        logWebConfig(settings.web());
        WebConfig web = settings.web().current();
        for (String address : server.boundAddresses()) {
            log.atInfo().setMessage("Listening on").addKeyValue("address", address)
                    .addKeyValue("tls", web.tlsEnabled()).addKeyValue("telemetry_path", config.web().telemetryPath())
                    .log();
        }
        if (settings.dropCapabilities()) {
            dropCapabilities(); // last: every thread (pollers, aggregator, HTTP) exists and holds none after
        }

        String status = "Counting execs; metrics on " + String.join(", ", server.boundAddresses())
                + config.web().telemetryPath();
        Reloader reloader = new Reloader(settings.flags(), config, daemon, settings.web(), systemd, status);
        CountDownLatch stop = new CountDownLatch(1);
        Shutdown.onSignal(stop::countDown);
        Hangup.onSignal(reloader::reload);
        systemd.ready(status);
        if (reloadAsked.get()) {
            reloader.reload();
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("Stopping");
        systemd.stopping("Stopping: detaching the BPF program");
        daemon.close();
        log.info("Stopped");
        return ExitCodes.OK;
    }

    /** One line on how failed execs are seen, when they were asked for: which programs, or why none. */
    private static void logFailures(DaemonConfig config, ExecCapture capture) {
        if (!config.collector().execFailures()) {
            return;
        }
        FailureCapture how = capture.failuresAttached();
        if (how == FailureCapture.TRACEPOINT) {
            log.atInfo().setMessage("Counting failed execs").addKeyValue("attach", "tracepoint")
                    .addKeyValue("programs", "syscalls/sys_exit_execve,syscalls/sys_exit_execveat").log();
        } else if (how == FailureCapture.SYS_EXIT) {
            log.atInfo().setMessage("Counting failed execs on the exit of every system call: the classic syscall "
                    + "tracepoints did not attach (tracefs not mounted or not readable)")
                    .addKeyValue("attach", "tp_btf/sys_exit").log();
        } else {
            log.atWarn().setMessage("Failed execs are not counted: no failure program attached")
                    .addKeyValue("err", ErrorLine.render(String.valueOf(capture.failuresNotAttachedReason()))).log();
        }
    }

    private static String labelList(DaemonConfig config) {
        return String.join(",", config.metrics().labels().stream().map(AttributionLabel::labelName).toList());
    }

    /** A runtime failure at start: one line on stderr, the same for `systemctl status`, exit 1. */
    private int fail(SystemdNotify systemd, String message) {
        err.println(ErrorLine.of(NAME, message));
        systemd.status("Failed to start: " + message);
        return ExitCodes.FAILURE;
    }

    private static String describeFiles(Settings settings) {
        String config = settings.flags().configFile.value() == null ? "no config file (built-in defaults)"
                : "config file " + settings.flags().configFile.value();
        return settings.web().file() == null ? config : config + " and web config file " + settings.web().file();
    }

    /** What the web config adds: one line, when there is a web config file. */
    private static void logWebConfig(LiveWebConfig live) {
        if (live.file() == null) {
            return;
        }
        WebConfig web = live.current();
        var line = log.atInfo().setMessage("Serving with the web config file").addKeyValue("file", live.file());
        if (web.tlsEnabled()) {
            line = line.addKeyValue("tls_versions", String.join(",", web.tls().protocols()))
                    .addKeyValue("client_auth_type", web.tls().clientAuth().configName);
        }
        line.addKeyValue("basic_auth_users", web.basicAuthUsers().size())
                .addKeyValue("rate_limit", web.rateLimit().enabled()).log();
    }

    private static void dropCapabilities() {
        try {
            int holding = Privileges.dropCapabilities();
            if (holding > 0) {
                log.atWarn().setMessage("Threads kept capabilities").addKeyValue("threads", holding).log();
            } else {
                log.atInfo().setMessage("Dropped every capability: the probe is attached and needs none any more")
                        .addKeyValue("bounding_set", Privileges.boundingSetLeft()).log();
            }
        } catch (CaptureException e) {
            log.atWarn().setMessage("Failed to drop capabilities").addKeyValue("err", ErrorLine.render(e.getMessage()))
                    .log();
        }
    }

    /** --help or --version was served: exit 0 without running. */
    static final class Finished extends Exception {
        Finished() {
            super(null, null, false, false);
        }
    }
}
