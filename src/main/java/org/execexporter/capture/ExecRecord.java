package org.execexporter.capture;

import java.lang.annotation.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A view of one struct exec_event (bpf/exec_event.h) inside a ring's batch buffer. Reused for
 * every record a poller decodes, so reading it allocates nothing; valid only during
 * {@link ExecEventSink#onExec}: copy what must outlive the call.
 */
public final class ExecRecord {
    // Offsets and sizes of struct exec_event (bpf/exec_event.h). @Native: javac -h writes them to
    // a header, and jni/exec_probe_jni.c asserts each against the struct, so the build fails when
    // C and Java disagree.
    @Native static final int KTIME_OFFSET = 0;
    @Native static final int PID_OFFSET = 8;
    @Native static final int PPID_OFFSET = 12;
    @Native static final int UID_OFFSET = 16;
    @Native static final int FILENAME_LEN_OFFSET = 20;
    /** Where every record kind keeps its kind byte (bpf/exec_event.h: the kinds share a prefix). */
    @Native static final int KIND_OFFSET = 22;
    @Native static final int KIND_EXEC = 1;
    @Native static final int KIND_EXIT = 2;
    @Native static final int KIND_FAIL = 3;
    @Native static final int KIND_CGROUP = 4;
    @Native static final int FLAG_CGROUP_UNRESOLVED = 0x1;
    @Native static final int FLAGS_OFFSET = 23;
    @Native static final int COMM_OFFSET = 24;
    /** Where every record kind keeps the cgroup v2 id. */
    @Native static final int CGROUP_ID_OFFSET = 40;
    @Native static final int HEADER_SIZE = 48;
    @Native static final int FLAG_FILENAME_TRUNCATED = 0x1;

    /** TASK_COMM_LEN: a comm holds at most 15 bytes before its NUL. */
    @Native public static final int COMM_LEN = 16;
    /** Filenames longer than this, less one, are truncated and flagged. */
    @Native public static final int FILENAME_MAX = 4096;

    private ByteBuffer buffer;
    private int offset;
    private int commLength;
    private int filenameLength;

    /**
     * Points this view at the record of {@code size} bytes at {@code offset}. Returns false, and
     * leaves the view unusable, if the bytes cannot be a record (too short, lengths out of range).
     */
    public boolean wrap(ByteBuffer buffer, int offset, int size) {
        this.buffer = null;
        if (!isKind(buffer, offset, size, HEADER_SIZE, KIND_EXEC)) {
            return false;
        }
        int nameLength = Short.toUnsignedInt(buffer.getShort(offset + FILENAME_LEN_OFFSET));
        if (nameLength >= FILENAME_MAX || HEADER_SIZE + nameLength > size) {
            return false;
        }
        this.buffer = buffer;
        this.offset = offset;
        this.commLength = commLength(buffer, offset);
        this.filenameLength = nameLength;
        return true;
    }

    /** CLOCK_MONOTONIC nanoseconds at the exec (bpf_ktime_get_ns). */
    public long ktimeNanos() {
        return buffer.getLong(offset + KTIME_OFFSET);
    }

    public int pid() {
        return buffer.getInt(offset + PID_OFFSET);
    }

    public int ppid() {
        return buffer.getInt(offset + PPID_OFFSET);
    }

    /** The real uid, unsigned. */
    public long uid() {
        return Integer.toUnsignedLong(buffer.getInt(offset + UID_OFFSET));
    }

    /**
     * The exec's cgroup v2 id (bpf_get_current_cgroup_id): the inode number of the cgroup's
     * directory under the cgroup2 mount. Ids are never reused while the host runs.
     */
    public long cgroupId() {
        return buffer.getLong(offset + CGROUP_ID_OFFSET);
    }

    public boolean filenameTruncated() {
        return (buffer.get(offset + FLAGS_OFFSET) & FLAG_FILENAME_TRUNCATED) != 0;
    }

    /** Bytes of comm before its NUL: 0 to 15. */
    public int commLength() {
        return commLength;
    }

    public byte commByte(int index) {
        if (index < 0 || index >= commLength) {
            throw new IndexOutOfBoundsException(index);
        }
        return buffer.get(offset + COMM_OFFSET + index);
    }

    /**
     * The comm's 16 bytes as two little-endian longs (word 0: bytes 0-7), zero after the comm's
     * end: a key that identifies the comm exactly without allocating.
     */
    public long commWord(int word) {
        return commWord(buffer, offset, commLength, word);
    }

    /**
     * Whether the {@code size} bytes at {@code offset} lie within the buffer, are at least
     * {@code minSize} and carry {@code kind} in the kind byte every record kind shares: the framing
     * check of every record view. The buffer must be little-endian, as the records are.
     */
    static boolean isKind(ByteBuffer buffer, int offset, int size, int minSize, int kind) {
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("record buffers are little-endian");
        }
        return size >= minSize && offset >= 0 && offset + size <= buffer.limit()
                && buffer.get(offset + KIND_OFFSET) == kind;
    }

    /** Bytes before the NUL of the comm of the record at {@code offset}: 0 to 15 (any kind). */
    static int commLength(ByteBuffer buffer, int offset) {
        int comm = 0;
        while (comm < COMM_LEN - 1 && buffer.get(offset + COMM_OFFSET + comm) != 0) {
            comm++;
        }
        return comm;
    }

    /** {@link #commWord(int)} of the record at {@code offset} (any kind). */
    static long commWord(ByteBuffer buffer, int offset, int commLength, int word) {
        if (word < 0 || word > 1) {
            throw new IndexOutOfBoundsException(word);
        }
        long value = buffer.getLong(offset + COMM_OFFSET + 8 * word);
        int keep = Math.max(0, Math.min(8, commLength - 8 * word));
        return keep == 8 ? value : value & ((1L << (8 * keep)) - 1);
    }

    public byte[] comm() {
        byte[] comm = new byte[commLength];
        buffer.get(offset + COMM_OFFSET, comm);
        return comm;
    }

    public int filenameLength() {
        return filenameLength;
    }

    public byte[] filename() {
        byte[] name = new byte[filenameLength];
        buffer.get(offset + HEADER_SIZE, name);
        return name;
    }
}
