package org.execexporter.capture;

import java.time.Duration;

/**
 * Tunables of the BPF probe and its perf buffer, validated on construction.
 *
 * @param attach           how to attach to sched_process_exec
 * @param captureFilename  send the exec'd filename (trace needs it; counting by comm does not)
 * @param ringPages        pages per CPU ring, a power of two
 * @param wakeupEvents     wake a ring's reader once per this many samples (1 = every sample)
 * @param pollTimeout      the longest a sample waits for a reader when its batch is not full
 */
public record ProbeOptions(AttachMode attach, boolean captureFilename, int ringPages, int wakeupEvents,
                           Duration pollTimeout) {
    public static final int DEFAULT_RING_PAGES = 64;
    public static final int DEFAULT_WAKEUP_EVENTS = 64;
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    static final int MAX_RING_PAGES = 1 << 16;
    static final Duration MIN_POLL_TIMEOUT = Duration.ofMillis(1);
    static final Duration MAX_POLL_TIMEOUT = Duration.ofSeconds(10);

    public ProbeOptions {
        if (attach == null) {
            throw new IllegalArgumentException("attach mode must be one of auto, tp_btf, tracepoint");
        }
        if (ringPages < 1 || ringPages > MAX_RING_PAGES || Integer.bitCount(ringPages) != 1) {
            throw new IllegalArgumentException("ring pages must be a power of two from 1 to " + MAX_RING_PAGES
                    + ", not " + ringPages);
        }
        if (wakeupEvents < 1 || wakeupEvents > 1_000_000) {
            throw new IllegalArgumentException("wakeup events must be from 1 to 1000000, not " + wakeupEvents);
        }
        if (pollTimeout == null || pollTimeout.compareTo(MIN_POLL_TIMEOUT) < 0
                || pollTimeout.compareTo(MAX_POLL_TIMEOUT) > 0) {
            throw new IllegalArgumentException("poll timeout must be from 1ms to 10s, not " + pollTimeout);
        }
    }

    public static ProbeOptions defaults() {
        return new ProbeOptions(AttachMode.AUTO, true, DEFAULT_RING_PAGES, DEFAULT_WAKEUP_EVENTS,
                DEFAULT_POLL_TIMEOUT);
    }

    public ProbeOptions withCaptureFilename(boolean capture) {
        return new ProbeOptions(attach, capture, ringPages, wakeupEvents, pollTimeout);
    }
}
