package org.execexporter.daemon;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.execexporter.base.BuildInfo;
import org.execexporter.base.Durations;
import org.execexporter.base.ErrorLine;
import org.execexporter.base.ExitCodes;
import org.execexporter.base.Shutdown;
import org.execexporter.base.UsageException;
import org.execexporter.capture.CaptureException;
import org.execexporter.capture.ExecCapture;
import org.execexporter.capture.Privileges;
import org.execexporter.config.ConfigException;
import org.execexporter.config.ConfigLoader;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.WebConfig;
import org.execexporter.config.WebConfigLoader;
import org.execexporter.http.MetricsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code exec-exporter [flags]}: flags → config → capture → pipeline → HTTP, one log line per
 * phase, then wait for SIGTERM/SIGINT (see {@link Shutdown}; one during start-up cuts it short)
 * and stop in order. User errors are one line on stderr and exit 2; runtime failures (the probe
 * cannot load, the port is taken) one line and exit 1.
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

    /** What the command line and the config file decided. */
    record Settings(DaemonConfig config, boolean dropCapabilities, WebConfig web) {}

    /** Parses the flags and reads the config file: a usage error, help or version end here. */
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
        DaemonConfig base = flags.configFile.value() == null ? DaemonConfig.defaults()
                : ConfigLoader.load(flags.configFile.value());
        DaemonConfig config = flags.overlay(base);
        WebConfig web = config.web().configFile() == null ? WebConfig.open()
                : WebConfigLoader.load(config.web().configFile());
        return new Settings(config, flags.dropCapabilities(), web);
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
        LogSetup.apply(config.log().level(), config.log().format());
        log.info("starting {} version {} (revision {})", NAME, build.version(), build.revision());
        if (Shutdown.requested()) {
            log.info("stopped before the probe was loaded");
            return ExitCodes.OK;
        }

        ExecCapture capture;
        try {
            capture = ExecCapture.open(config.bpf());
        } catch (CaptureException e) {
            err.println(ErrorLine.of(NAME, e.getMessage()));
            return ExitCodes.FAILURE;
        }
        log.info("BPF program loaded and attached to sched_process_exec ({}), {} perf rings, program id {}",
                capture.attachMode().flagValue(), capture.ringCount(), capture.programId());

        Daemon daemon = new Daemon(config, capture, build, System::nanoTime);
        Shutdown.onExit(daemon::close);
        if (!Shutdown.requested()) { // else stop now: the probe is closed with the daemon
            daemon.startCounting();
            log.info("counting execs: queue capacity {}, at most {} comm series, idle series removed after {}",
                    config.queue().capacity(), config.comm().maxSeries(),
                    Durations.format(config.comm().idleTimeout()));
            MetricsServer server;
            try {
                server = daemon.serve(settings.web());
            } catch (IllegalStateException e) {
                daemon.close();
                err.println(ErrorLine.of(NAME, e.getMessage()));
                return ExitCodes.FAILURE;
            }
            log.info("listening on {} (port {}), metrics at {}{}", config.web().listenAddress(), server.port(),
                    config.web().telemetryPath(), describe(settings.web()));
            if (settings.dropCapabilities()) {
                dropCapabilities(); // last: every thread (pollers, aggregator, HTTP) exists and holds none after
            }
        }

        CountDownLatch stop = new CountDownLatch(1);
        Shutdown.onSignal(stop::countDown);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping");
        daemon.close();
        log.info("stopped");
        return ExitCodes.OK;
    }

    /** What the web config adds, for the "listening" line: ", TLS, basic auth" or nothing. */
    private static String describe(WebConfig web) {
        StringBuilder s = new StringBuilder();
        if (web.tlsEnabled()) {
            s.append(", TLS (").append(String.join(", ", web.tls().protocols())).append("; client certificates: ")
                    .append(web.tls().clientAuth().configName).append(')');
        }
        if (!web.basicAuthUsers().isEmpty()) {
            s.append(", basic auth (").append(web.basicAuthUsers().size()).append(" users)");
        }
        return s.toString();
    }

    private static void dropCapabilities() {
        try {
            int holding = Privileges.dropCapabilities();
            if (holding > 0) {
                log.warn("{} threads kept capabilities", holding);
            } else {
                log.info("dropped every capability: the probe is attached and needs none any more; {}",
                        Privileges.boundingSetLeft());
            }
        } catch (CaptureException e) {
            log.warn(ErrorLine.render(e.getMessage()));
        }
    }

    /** --help or --version was served: exit 0 without running. */
    static final class Finished extends Exception {
        Finished() {
            super(null, null, false, false);
        }
    }
}
