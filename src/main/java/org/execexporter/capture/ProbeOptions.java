package org.execexporter.capture;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the BPF probe and its perf buffer. Their limits are checked where they are read,
 * config file and flags alike (config.ConfigRules), before they get here.
 *
 * @param attach           how to attach to sched_process_exec
 * @param captureFilename  send the exec'd filename (trace needs it; counting by comm does not)
 * @param ringPages        pages per CPU ring, a power of two
 * @param wakeupEvents     wake a ring's reader once per this many samples (1 = every sample)
 * @param pollTimeout      the longest a sample waits for a reader when its batch is not full
 * @param exits            also one record per ended process that had exec'd (tp_btf only)
 * @param failures         also one record per failed execve/execveat, seen as this says
 * @param cgroupRootId     the cgroup v2 id (inode number) of the cgroup2 mount's directory: each
 *                         CPU sends a cgroup's path below it ahead of its first record of that
 *                         cgroup ({@link CgroupRecord}); 0: no cgroup records
 */
public record ProbeOptions(AttachMode attach, boolean captureFilename, int ringPages, int wakeupEvents,
                           Duration pollTimeout, boolean exits, FailureCapture failures, long cgroupRootId) {
    public static final int DEFAULT_RING_PAGES = 64;
    public static final int DEFAULT_WAKEUP_EVENTS = 64;
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);

    public ProbeOptions {
        Objects.requireNonNull(attach, "attach");
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        Objects.requireNonNull(failures, "failures");
    }

    /** Failures off. */
    public ProbeOptions(AttachMode attach, boolean captureFilename, int ringPages, int wakeupEvents,
                        Duration pollTimeout, boolean exits) {
        this(attach, captureFilename, ringPages, wakeupEvents, pollTimeout, exits, FailureCapture.OFF, 0);
    }

    /** Exits on: the default of collector.exits. */
    public ProbeOptions(AttachMode attach, boolean captureFilename, int ringPages, int wakeupEvents,
                        Duration pollTimeout) {
        this(attach, captureFilename, ringPages, wakeupEvents, pollTimeout, true);
    }

    public static ProbeOptions defaults() {
        return new ProbeOptions(AttachMode.AUTO, true, DEFAULT_RING_PAGES, DEFAULT_WAKEUP_EVENTS,
                DEFAULT_POLL_TIMEOUT);
    }

    public ProbeOptions withCaptureFilename(boolean capture) {
        return new ProbeOptions(attach, capture, ringPages, wakeupEvents, pollTimeout, exits, failures, cgroupRootId);
    }

    public ProbeOptions withExits(boolean on) {
        return new ProbeOptions(attach, captureFilename, ringPages, wakeupEvents, pollTimeout, on, failures, cgroupRootId);
    }

    public ProbeOptions withCgroupRoot(long id) {
        return new ProbeOptions(attach, captureFilename, ringPages, wakeupEvents, pollTimeout, exits, failures, id);
    }

    public ProbeOptions withFailures(FailureCapture how) {
        return new ProbeOptions(attach, captureFilename, ringPages, wakeupEvents, pollTimeout, exits, how, cgroupRootId);
    }
}
