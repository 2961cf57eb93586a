package org.execexporter.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.execexporter.capture.Errno;
import org.execexporter.capture.ExitStatus;

/**
 * One label combination's series (a comm's, with the default labels): its exec total (written by
 * the aggregator, read by scrapes), its counts in the two open rate windows, and its exits by
 * status. Only the aggregator thread writes; no per-exec atomics.
 */
public final class Series {
    private static final VarHandle TOTAL;

    static {
        try {
            TOTAL = MethodHandles.lookup().findVarHandle(Series.class, "total", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String[] labelValues;
    @SuppressWarnings("unused") // accessed through TOTAL
    private long total;
    private long localTotal;
    private final long[] windowCounts = new long[2];
    private long lastExecNanos;
    /** One counter per wait status seen, in order of first sight: a handful per comm (bounded: 256 codes, 64 signals). */
    private CodeCount[] exits = new CodeCount[0];
    /** One counter per errno seen, in order of first sight (bounded: the kernel's errnos, ~133). */
    private CodeCount[] failures = new CodeCount[0];
    /** A pinned series never expires and is never removed to fit the budget. */
    boolean pinned;
    /** Removed from the table (idle, excluded, over the budget): lookups that still point here look again. */
    boolean removed;
    ExecMeters.SeriesMeters meters;

    Series(String[] labelValues, long nowNanos) {
        this.labelValues = labelValues;
        this.lastExecNanos = nowNanos;
    }

    /**
     * The label values, in the order of the chosen labels: each rendered as names are
     * (NameEscaper), empty where a label does not apply, or the overflow series' name. Shared: do
     * not modify.
     */
    public String[] labelValues() {
        return labelValues;
    }

    /** The label values joined by commas, for logs and tests: the comm alone with the default labels. */
    public String label() {
        return String.join(",", labelValues);
    }

    /** Execs counted since the series was made; any thread. */
    public long total() {
        return (long) TOTAL.getOpaque(this);
    }

    void count(int window, long ktimeNanos) {
        localTotal++;
        TOTAL.setOpaque(this, localTotal); // a plain store on x86, yet never torn or hoisted
        windowCounts[window]++;
        lastExecNanos = ktimeNanos;
    }

    /**
     * Counts an exit. Its first exit with a status registers that status's counter. An exit keeps
     * the series alive like an exec: a daemon that runs for a day has its exit counted under its comm.
     */
    void countExit(int status, long lifetimeNanos, long nowNanos) {
        CodeCount count = CodeCount.find(exits, status);
        if (count == null) {
            exits = CodeCount.grow(exits, status, ExitStatus::label);
            count = exits[exits.length - 1];
            meters.registerExit(count);
        }
        count.increment();
        meters.observeLifetime(lifetimeNanos);
        lastExecNanos = Math.max(lastExecNanos, nowNanos);
    }

    /**
     * Counts a failed execve/execveat of the series' caller. Its first failure with an errno
     * registers that errno's counter. Keeps the series alive like an exec.
     */
    void countFailure(int errno, long nowNanos) {
        CodeCount count = CodeCount.find(failures, errno);
        if (count == null) {
            failures = CodeCount.grow(failures, errno, Errno::name);
            count = failures[failures.length - 1];
            meters.registerFailure(count);
        }
        count.increment();
        lastExecNanos = Math.max(lastExecNanos, nowNanos);
    }

    /** Closes the oldest open window: reports its count if any, and shifts. */
    void closeWindow() {
        if (windowCounts[0] > 0) {
            meters.observeWindow(windowCounts[0]);
        }
        windowCounts[0] = windowCounts[1];
        windowCounts[1] = 0;
    }

    long lastExecNanos() {
        return lastExecNanos;
    }

    boolean idleSince(long cutoffNanos) {
        return !pinned && lastExecNanos < cutoffNanos && windowCounts[0] == 0 && windowCounts[1] == 0;
    }
}
