package org.execexporter.capture;

import java.lang.annotation.Native;
import java.nio.ByteBuffer;

/**
 * A view of one struct fail_event (bpf/exec_event.h): an execve or execveat call that failed.
 * Reused like {@link ExecRecord}; valid only during {@link ExecEventSink#onFailure}.
 */
public final class FailRecord {
    // Offsets of struct fail_event; pid, uid, kind, flags, comm and cgroup_id are where ExecRecord
    // has them. @Native: asserted against the struct in jni/exec_probe_jni.c.
    @Native static final int ERROR_OFFSET = 0;
    @Native static final int PPID_OFFSET = 12;
    @Native static final int SIZE = 48;
    @Native static final int FLAG_EXECVEAT = 0x1;

    private ByteBuffer buffer;
    private int offset;
    private int commLength;

    /** Points this view at the record of {@code size} bytes at {@code offset}; false if it cannot be one. */
    public boolean wrap(ByteBuffer buffer, int offset, int size) {
        this.buffer = null;
        if (!ExecRecord.isKind(buffer, offset, size, SIZE, ExecRecord.KIND_FAIL)
                || buffer.getInt(offset + ERROR_OFFSET) <= 0) {
            return false;
        }
        this.buffer = buffer;
        this.offset = offset;
        this.commLength = ExecRecord.commLength(buffer, offset);
        return true;
    }

    /** The errno the call returned, positive (ENOENT is 2): see {@link Errno}. */
    public int error() {
        return buffer.getInt(offset + ERROR_OFFSET);
    }

    /** The call was execveat, not execve. */
    public boolean execveat() {
        return (buffer.get(offset + ExecRecord.FLAGS_OFFSET) & FLAG_EXECVEAT) != 0;
    }

    /** The caller's tgid. */
    public int pid() {
        return buffer.getInt(offset + ExecRecord.PID_OFFSET);
    }

    public int ppid() {
        return buffer.getInt(offset + PPID_OFFSET);
    }

    /** The caller's real uid, unsigned. */
    public long uid() {
        return Integer.toUnsignedLong(buffer.getInt(offset + ExecRecord.UID_OFFSET));
    }

    /** The caller's cgroup v2 id, as {@link ExecRecord#cgroupId}. */
    public long cgroupId() {
        return buffer.getLong(offset + ExecRecord.CGROUP_ID_OFFSET);
    }

    /** The caller's comm (the exec failed, so it is the one it had before), as {@link ExecRecord#commWord}. */
    public long commWord(int word) {
        return ExecRecord.commWord(buffer, offset, commLength, word);
    }

    public byte[] comm() {
        byte[] comm = new byte[commLength];
        buffer.get(offset + ExecRecord.COMM_OFFSET, comm);
        return comm;
    }
}
