package org.execexporter.capture;

/**
 * Where execs come from: the BPF capture for real, a fake in tests of the layers above it.
 * Life: start once, read stats any time, close (idempotent).
 */
public interface ExecEventSource extends AutoCloseable {
    /** Starts delivering execs to {@code sink}, on threads of the source's own. */
    void start(ExecEventSink sink);

    CaptureStats stats();

    @Override
    void close();
}
