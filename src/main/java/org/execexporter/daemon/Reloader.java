package org.execexporter.daemon;

import org.execexporter.base.UsageException;
import org.execexporter.config.ConfigException;
import org.execexporter.config.DaemonConfig;
import org.execexporter.systemd.SystemdNotify;
import org.execexporter.config.LiveWebConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reload (SIGHUP, `systemctl reload`): reads the config file and the web config file again and
 * swaps what they say into the running parts, from this one place: the comm settings into the
 * aggregator, the log level and format into logback, the web config into the HTTP server. The BPF
 * program stays attached and no count restarts. All or nothing: a file that cannot be used changes
 * nothing (one log line naming the key, exec_exporter_config_last_reload_successful 0); a change
 * that cannot apply live (where it listens, ring and queue sizes) is one line naming the keys.
 */
final class Reloader {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);

    private final DaemonFlags flags;
    private final Daemon daemon;
    private final LiveWebConfig web;
    private final SystemdNotify systemd;
    private final String runningStatus;
    private DaemonConfig running;

    /** @param runningStatus the STATUS= systemd shows while the exporter runs normally */
    Reloader(DaemonFlags flags, DaemonConfig running, Daemon daemon, LiveWebConfig web, SystemdNotify systemd,
             String runningStatus) {
        this.flags = flags;
        this.running = running;
        this.daemon = daemon;
        this.web = web;
        this.systemd = systemd;
        this.runningStatus = runningStatus;
    }

    /** Returns whether the files could be used; the exporter runs on either way. */
    synchronized boolean reload() {
        systemd.reloading("Reloading the configuration");
        DaemonConfig next;
        try {
            next = flags.read();
            web.reload(next.web().configFile()); // last: it swaps the web config in when it works
        } catch (UsageException | ConfigException e) {
            daemon.reloads().reloaded(false);
            log.atError().setMessage("Failed to reload the configuration; running on with the previous one")
                    .addKeyValue("err", e.getMessage()).log();
            systemd.ready("Reload failed, running with the previous configuration: " + e.getMessage());
            return false;
        }
        ConfigChanges changes = ConfigChanges.between(running, next);
        if (!changes.needRestart().isEmpty()) {
            log.atWarn().setMessage("Changes that need a restart to take effect; running on without them")
                    .addKeyValue("keys", String.join(",", changes.needRestart())).log();
        }
        DaemonConfig effective = changes.effective();
        daemon.reconfigure(effective.metrics());
        LogSetup.apply(effective.log().level(), effective.log().format());
        running = effective;
        daemon.reloads().reloaded(true);
        log.atInfo().setMessage("Reloaded the configuration")
                .addKeyValue("changed", changes.live().isEmpty() ? "nothing" : String.join(",", changes.live()))
                .log();
        systemd.ready(runningStatus);
        return true;
    }
}
