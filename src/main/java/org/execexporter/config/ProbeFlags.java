package org.execexporter.config;

import static org.execexporter.base.FlagSet.pick;

import java.time.Duration;
import org.execexporter.base.Durations;
import org.execexporter.base.FlagSet;
import org.execexporter.capture.AttachMode;
import org.execexporter.capture.ProbeOptions;

/** The --bpf.* flags, shared by every command that loads the probe; values pass {@link ConfigRules}. */
public final class ProbeFlags {
    private final FlagSet.Flag<AttachMode> attach;
    private final FlagSet.Flag<Integer> ringPages;
    private final FlagSet.Flag<Integer> wakeupEvents;
    private final FlagSet.Flag<Duration> pollTimeout;
    private final FlagSet.Flag<Boolean> dropCapabilities;

    public ProbeFlags(FlagSet flags) {
        ProbeOptions d = ProbeOptions.defaults();
        attach = flags.custom("bpf.attach", d.attach(), d.attach().flagValue(),
                "How to attach to sched_process_exec: auto, tp_btf (no tracefs needed) or tracepoint",
                ConfigRules::attachMode);
        ringPages = flags.custom("bpf.ring-pages", d.ringPages(), String.valueOf(d.ringPages()),
                "Pages of each per-CPU perf ring, a power of two", v -> ConfigRules.ringPages(FlagSet.parseWhole(v)));
        wakeupEvents = flags.custom("bpf.wakeup-events", d.wakeupEvents(), String.valueOf(d.wakeupEvents()),
                "Wake a ring's reader once per this many execs (1: every exec, costly)",
                v -> ConfigRules.wakeupEvents(FlagSet.parseWhole(v)));
        pollTimeout = flags.custom("bpf.poll-timeout", d.pollTimeout(), Durations.format(d.pollTimeout()),
                "Longest an exec waits in a ring before it is read", v -> ConfigRules.pollTimeout(Durations.parse(v)));
        dropCapabilities = flags.bool("capabilities.drop", true,
                "Drop every capability once the probe is attached (--no-capabilities.drop keeps them, for debugging)");
    }

    public boolean dropCapabilities() {
        return dropCapabilities.value();
    }

    public ProbeOptions options(boolean captureFilename) {
        return overlay(ProbeOptions.defaults().withCaptureFilename(captureFilename)); // flag defaults = these
    }

    /** {@code base} (e.g. from a config file) with the flags given on the command line applied over it. */
    public ProbeOptions overlay(ProbeOptions base) {
        return new ProbeOptions(pick(attach, base.attach()), base.captureFilename(), pick(ringPages, base.ringPages()),
                pick(wakeupEvents, base.wakeupEvents()), pick(pollTimeout, base.pollTimeout()));
    }
}
