package org.execexporter.capture;

import java.lang.annotation.Native;
import java.nio.ByteBuffer;

/**
 * A view of one struct exit_event (bpf/exec_event.h): a process that had exec'd ended. Reused like
 * {@link ExecRecord}; valid only during {@link ExecEventSink#onExit}.
 */
public final class ExitRecord {
    // Offsets of struct exit_event; pid, uid, kind, flags, comm and cgroup_id are where ExecRecord
    // has them.
    // @Native: asserted against the struct in jni/exec_probe_jni.c.
    @Native static final int LIFETIME_OFFSET = 0;
    @Native static final int STATUS_OFFSET = 12;
    @Native static final int SIZE = 48;

    private ByteBuffer buffer;
    private int offset;
    private int commLength;

    /** Points this view at the record of {@code size} bytes at {@code offset}; false if it cannot be one. */
    public boolean wrap(ByteBuffer buffer, int offset, int size) {
        this.buffer = null;
        if (!ExecRecord.isKind(buffer, offset, size, SIZE, ExecRecord.KIND_EXIT)) {
            return false;
        }
        this.buffer = buffer;
        this.offset = offset;
        this.commLength = ExecRecord.commLength(buffer, offset);
        return true;
    }

    /** From the process's start (fork, CLOCK_MONOTONIC) to its end, in nanoseconds. */
    public long lifetimeNanos() {
        return buffer.getLong(offset + LIFETIME_OFFSET);
    }

    public int pid() {
        return buffer.getInt(offset + ExecRecord.PID_OFFSET);
    }

    /** The real uid of the process's last thread, unsigned. */
    public long uid() {
        return Integer.toUnsignedLong(buffer.getInt(offset + ExecRecord.UID_OFFSET));
    }

    /** The cgroup v2 id of the process's last thread, as {@link ExecRecord#cgroupId}. */
    public long cgroupId() {
        return buffer.getLong(offset + ExecRecord.CGROUP_ID_OFFSET);
    }

    /** The wait status, as waitpid() reports it: see {@link ExitStatus}. */
    public int status() {
        return buffer.getInt(offset + STATUS_OFFSET);
    }

    /** The group leader's comm, as {@link ExecRecord#commWord}. */
    public long commWord(int word) {
        return ExecRecord.commWord(buffer, offset, commLength, word);
    }

    public byte[] comm() {
        byte[] comm = new byte[commLength];
        buffer.get(offset + ExecRecord.COMM_OFFSET, comm);
        return comm;
    }
}
