package org.execexporter.capture;

import java.nio.ByteBuffer;

/**
 * A view of one cgroup record (bpf/exec_event.h, kind 4, the layout of struct exec_event): the
 * path of a cgroup, sent on a CPU ahead of that CPU's first record of it, so that its reader knows
 * the cgroup even when it is gone by the time its records are read. Reused like {@link ExecRecord};
 * valid only during {@link ExecEventSink#onCgroup}.
 */
public final class CgroupRecord {
    private ByteBuffer buffer;
    private int offset;
    private int pathLength;

    /** Points this view at the record of {@code size} bytes at {@code offset}; false if it cannot be one. */
    public boolean wrap(ByteBuffer buffer, int offset, int size) {
        this.buffer = null;
        if (!ExecRecord.isKind(buffer, offset, size, ExecRecord.HEADER_SIZE, ExecRecord.KIND_CGROUP)) {
            return false;
        }
        int length = Short.toUnsignedInt(buffer.getShort(offset + ExecRecord.FILENAME_LEN_OFFSET));
        if (ExecRecord.HEADER_SIZE + length > size || (length > 0 && buffer.get(offset + ExecRecord.HEADER_SIZE) != '/')) {
            return false;
        }
        this.buffer = buffer;
        this.offset = offset;
        this.pathLength = length;
        return true;
    }

    public long cgroupId() {
        return buffer.getLong(offset + ExecRecord.CGROUP_ID_OFFSET);
    }

    /**
     * False when the kernel could not say the path: the cgroup is not below the cgroup2 mount the
     * probe was given (another cgroup namespace), or deeper than the program walks.
     */
    public boolean resolved() {
        return (buffer.get(offset + ExecRecord.FLAGS_OFFSET) & ExecRecord.FLAG_CGROUP_UNRESOLVED) == 0;
    }

    /** The path below the cgroup2 mount, {@code /system.slice/cron.service}; empty when not resolved. */
    public byte[] path() {
        byte[] path = new byte[pathLength];
        buffer.get(offset + ExecRecord.HEADER_SIZE, path);
        return path;
    }
}
