package org.execexporter.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The events of one series with one code: its exits with one wait status, or its failed execs
 * with one errno. Written by the aggregator, read by scrapes.
 */
public final class CodeCount {
    private static final VarHandle TOTAL;

    static {
        try {
            TOTAL = MethodHandles.lookup().findVarHandle(CodeCount.class, "total", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int code;
    private final String label;
    @SuppressWarnings("unused") // accessed through TOTAL
    private long total;
    private long localTotal;

    CodeCount(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The label value of the code: "3", "SIGKILL" (a status), "ENOENT" (an errno). */
    public String label() {
        return label;
    }

    /** Events counted; any thread. */
    public long total() {
        return (long) TOTAL.getOpaque(this);
    }

    void increment() {
        localTotal++;
        TOTAL.setOpaque(this, localTotal);
    }

    /** The count of {@code code} in {@code counts}, or null: a handful per series, looked through in order. */
    static CodeCount find(CodeCount[] counts, int code) {
        for (CodeCount c : counts) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }

    /** {@code counts} with a new count of {@code code} at the end, labelled by {@code label}. */
    static CodeCount[] grow(CodeCount[] counts, int code, IntFunction<String> label) {
        CodeCount[] grown = Arrays.copyOf(counts, counts.length + 1);
        grown[counts.length] = new CodeCount(code, label.apply(code));
        return grown;
    }
}
