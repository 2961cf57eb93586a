package org.execexporter.capture;

/**
 * Receives execs on the poller threads, several at once (one per CPU ring): implementations
 * must be thread-safe, must not block, and must copy what they keep out of the record.
 */
@FunctionalInterface
public interface ExecEventSink {
    void onExec(ExecRecord record);
}
