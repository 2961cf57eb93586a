package org.execexporter.config;

import java.time.Duration;
import org.execexporter.base.FlagSet;
import org.execexporter.base.UsageException;
import org.execexporter.capture.AttachMode;
import org.execexporter.capture.ProbeOptions;

/** The --bpf.* flags, shared by every command that loads the probe. */
public final class ProbeFlags {
    private final FlagSet.Flag<AttachMode> attach;
    private final FlagSet.Flag<Integer> ringPages;
    private final FlagSet.Flag<Integer> wakeupEvents;
    private final FlagSet.Flag<Duration> pollTimeout;
    private final FlagSet.Flag<Boolean> dropCapabilities;

    public ProbeFlags(FlagSet flags) {
        attach = flags.custom("bpf.attach", AttachMode.AUTO, "auto",
                "How to attach to sched_process_exec: auto, tp_btf (no tracefs needed) or tracepoint", v -> {
                    AttachMode mode = AttachMode.parse(v);
                    if (mode == null) {
                        throw new IllegalArgumentException("must be auto, tp_btf or tracepoint");
                    }
                    return mode;
                });
        ringPages = flags.integer("bpf.ring-pages", ProbeOptions.DEFAULT_RING_PAGES, 1, 1 << 16,
                "Pages of each per-CPU perf ring, a power of two");
        wakeupEvents = flags.integer("bpf.wakeup-events", ProbeOptions.DEFAULT_WAKEUP_EVENTS, 1, 1_000_000,
                "Wake a ring's reader once per this many execs (1: every exec, costly)");
        pollTimeout = flags.duration("bpf.poll-timeout", ProbeOptions.DEFAULT_POLL_TIMEOUT,
                "Longest an exec waits in a ring before it is read");
        dropCapabilities = flags.bool("capabilities.drop", true,
                "Drop every capability once the probe is attached (--no-capabilities.drop keeps them, for debugging)");
    }

    public boolean dropCapabilities() {
        return dropCapabilities.value();
    }

    public ProbeOptions options(boolean captureFilename) throws UsageException {
        return overlay(ProbeOptions.defaults().withCaptureFilename(captureFilename)); // flag defaults = these
    }

    /** {@code base} (e.g. from a config file) with the flags given on the command line applied over it. */
    public ProbeOptions overlay(ProbeOptions base) throws UsageException {
        try {
            return new ProbeOptions(attach.isSet() ? attach.value() : base.attach(), base.captureFilename(),
                    ringPages.isSet() ? ringPages.value() : base.ringPages(),
                    wakeupEvents.isSet() ? wakeupEvents.value() : base.wakeupEvents(),
                    pollTimeout.isSet() ? pollTimeout.value() : base.pollTimeout());
        } catch (IllegalArgumentException e) {
            String flag = e.getMessage().startsWith("ring pages") ? ringPages.name()
                    : e.getMessage().startsWith("poll timeout") ? pollTimeout.name()
                    : e.getMessage().startsWith("wakeup") ? wakeupEvents.name() : attach.name();
            throw new UsageException("invalid value for flag " + flag + ": " + e.getMessage());
        }
    }
}
