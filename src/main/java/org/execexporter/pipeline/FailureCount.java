package org.execexporter.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.execexporter.capture.Errno;

/** The failed execs of one series with one errno: written by the aggregator, read by scrapes. */
public final class FailureCount {
    private static final VarHandle TOTAL;

    static {
        try {
            TOTAL = MethodHandles.lookup().findVarHandle(FailureCount.class, "total", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int errno;
    @SuppressWarnings("unused") // accessed through TOTAL
    private long total;
    private long localTotal;

    FailureCount(int errno) {
        this.errno = errno;
    }

    /** The errno label value: "ENOENT", ... ({@link Errno#name}). */
    public String label() {
        return Errno.name(errno);
    }

    /** Failures counted; any thread. */
    public long total() {
        return (long) TOTAL.getOpaque(this);
    }

    void increment() {
        localTotal++;
        TOTAL.setOpaque(this, localTotal);
    }
}
