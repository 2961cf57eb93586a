package org.execexporter.capture;

/**
 * Counters of a capture since it started; all monotonic. A value of -1 means "not known here"
 * (e.g. program run time while kernel.bpf_stats_enabled is off reads 0, not -1).
 *
 * @param delivered       records handed to the sink
 * @param lost            samples the kernel could not write because a ring was full
 * @param overflow        records that did not fit a batch buffer (a bug if ever non-zero)
 * @param malformed       records that failed to decode (a bug if ever non-zero)
 * @param kernelSeen      execs the BPF program ran for
 * @param kernelOutputErrors perf output failures in the BPF program
 * @param progRunCount    the kernel's run_cnt of the program (needs kernel.bpf_stats_enabled)
 * @param progRunTimeNanos the kernel's run_time_ns of the program
 * @param kernelExitsSeen ended processes that had exec'd, seen by the exit program (0 when it is off)
 * @param kernelFailsSeen failed execve/execveat calls seen by a failure program (0 when none runs)
 */
public record CaptureStats(long delivered, long lost, long overflow, long malformed,
                           long kernelSeen, long kernelOutputErrors, long progRunCount, long progRunTimeNanos,
                           long kernelExitsSeen, long kernelFailsSeen) {

    public static final CaptureStats EMPTY = new CaptureStats(0, 0, 0, 0, -1, -1, -1, -1, -1, -1);

    /** Without a failure program. */
    public CaptureStats(long delivered, long lost, long overflow, long malformed, long kernelSeen,
                        long kernelOutputErrors, long progRunCount, long progRunTimeNanos, long kernelExitsSeen) {
        this(delivered, lost, overflow, malformed, kernelSeen, kernelOutputErrors, progRunCount, progRunTimeNanos,
                kernelExitsSeen, 0);
    }
}
