package org.execexporter.daemon;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.execexporter.capture.CaptureStats;
import org.execexporter.capture.ExecEventSink;
import org.execexporter.capture.ExecEventSource;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.ExitRecord;
import org.execexporter.capture.FailRecord;

/** An exec source for tests: execs are emitted by hand, on the caller's thread. */
final class FakeExecSource implements ExecEventSource {
    // struct exec_event and exit_event (bpf/exec_event.h): ktime (lifetime) at 0, status at 12,
    // kind at 22, comm at 24, cgroup_id at 40, 48 bytes before the filename.
    private static final int STATUS_OFFSET = 12;
    private static final int KIND_OFFSET = 22;
    private static final int COMM_OFFSET = 24;
    private static final int HEADER = 48;

    private final ByteBuffer buffer = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final ExecRecord record = new ExecRecord();
    private final ExitRecord exit = new ExitRecord();
    private final FailRecord failure = new FailRecord();
    private ExecEventSink sink;
    volatile CaptureStats stats = new CaptureStats(0, 0, 0, 0, 0, 0, -1, -1, 0);
    volatile boolean closed;

    @Override
    public void start(ExecEventSink sink) {
        this.sink = sink;
    }

    /** Delivers one exec of {@code comm} (at most 15 bytes, no NUL) at kernel time {@code ktimeNanos}. */
    void emit(byte[] comm, long ktimeNanos) {
        if (comm.length > 15) {
            throw new IllegalArgumentException("a comm is at most 15 bytes");
        }
        buffer.clear();
        buffer.put(new byte[HEADER]);
        buffer.putLong(0, ktimeNanos);
        buffer.put(KIND_OFFSET, (byte) 1);
        buffer.put(COMM_OFFSET, comm);
        if (!record.wrap(buffer, 0, HEADER)) {
            throw new IllegalStateException("the fake record does not decode");
        }
        sink.onExec(record);
    }

    /** Delivers one exit of {@code comm} with wait status {@code status}, {@code lifetimeNanos} after its start. */
    void emitExit(byte[] comm, int status, long lifetimeNanos) {
        buffer.clear();
        buffer.put(new byte[HEADER]);
        buffer.putLong(0, lifetimeNanos);
        buffer.putInt(STATUS_OFFSET, status);
        buffer.put(KIND_OFFSET, (byte) 2);
        buffer.put(COMM_OFFSET, comm);
        if (!exit.wrap(buffer, 0, HEADER)) {
            throw new IllegalStateException("the fake exit record does not decode");
        }
        sink.onExit(exit);
    }

    /** Delivers one failed execve of the caller {@code comm}, with {@code errno} (positive). */
    void emitFailure(byte[] comm, int errno) {
        buffer.clear();
        buffer.put(new byte[HEADER]);
        buffer.putInt(0, errno);
        buffer.put(KIND_OFFSET, (byte) 3);
        buffer.put(COMM_OFFSET, comm);
        if (!failure.wrap(buffer, 0, HEADER)) {
            throw new IllegalStateException("the fake failure record does not decode");
        }
        sink.onFailure(failure);
    }

    @Override
    public CaptureStats stats() {
        return stats;
    }

    @Override
    public void close() {
        closed = true;
    }
}
