package org.execexporter.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.execexporter.capture.ExitStatus;

/** The exits of one comm series with one wait status: written by the aggregator, read by scrapes. */
public final class ExitCount {
    private static final VarHandle TOTAL;

    static {
        try {
            TOTAL = MethodHandles.lookup().findVarHandle(ExitCount.class, "total", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int status;
    @SuppressWarnings("unused") // accessed through TOTAL
    private long total;
    private long localTotal;

    ExitCount(int status) {
        this.status = status;
    }

    /** The status label value: "3", "SIGKILL", ... ({@link ExitStatus#label}). */
    public String label() {
        return ExitStatus.label(status);
    }

    /** Exits counted; any thread. */
    public long total() {
        return (long) TOTAL.getOpaque(this);
    }

    void increment() {
        localTotal++;
        TOTAL.setOpaque(this, localTotal);
    }
}
