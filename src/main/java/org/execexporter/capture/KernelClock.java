package org.execexporter.capture;

/** The kernel's clocks as the records' timestamps need them: a record's ktime is CLOCK_MONOTONIC. */
public final class KernelClock {
    private KernelClock() {}

    /** CLOCK_REALTIME minus CLOCK_MONOTONIC now: add it to a record's ktime for wall-clock time. */
    public static long realtimeOffsetNanos() {
        return ExecProbeNative.clockOffsetNanos0();
    }
}
