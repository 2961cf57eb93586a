package org.execexporter.trace;

import org.execexporter.attribution.Cgroup;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.ExitRecord;
import org.execexporter.capture.FailRecord;

/**
 * One event as one line of text, in a trace output format. {@code wallNanos}: epoch nanoseconds
 * (an exec's kernel time; for exits and failed execs, which carry none, when the line is made).
 * {@code cgroup}: the event's cgroup, {@link Cgroup#UNKNOWN} when not resolved.
 */
interface TraceFormat {
    /** The line before the first event, or null for none. */
    String header();

    /** Whether the lines name the cgroup (so that it is worth resolving). */
    boolean showsCgroups();

    /** Appends the exec's line, without the newline. */
    void format(ExecRecord record, long wallNanos, Cgroup cgroup, StringBuilder out);

    /** Appends the exit's line, without the newline. */
    void formatExit(ExitRecord record, long wallNanos, Cgroup cgroup, StringBuilder out);

    /** Appends the failed exec's line, without the newline. */
    void formatFailure(FailRecord record, long wallNanos, Cgroup cgroup, StringBuilder out);

    /** The exec's line without its cgroup (tests, and hosts without cgroup v2). */
    default void format(ExecRecord record, long wallNanos, StringBuilder out) {
        format(record, wallNanos, Cgroup.UNKNOWN, out);
    }
}
