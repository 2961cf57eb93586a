package org.execexporter.trace;

import org.execexporter.capture.ExecRecord;

/** One exec as one line of text, in a trace output format. */
interface TraceFormat {
    /** The line before the first event, or null for none. */
    String header();

    /** Appends the event's line, without the newline. {@code wallNanos}: epoch nanoseconds. */
    void format(ExecRecord record, long wallNanos, StringBuilder out);
}
