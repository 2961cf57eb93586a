package org.execexporter.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds struct exec_event rows by hand, as the BPF program lays them out. */
public final class TestRecords {
    private TestRecords() {}

    /** The bytes of one record: header, then the filename, then {@code padding} zero bytes. */
    public static byte[] row(long ktime, int pid, int ppid, int uid, byte[] comm, byte[] filename, boolean truncated,
                             int padding) {
        ByteBuffer b = ByteBuffer.allocate(ExecRecord.HEADER_SIZE + filename.length + padding)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(ktime).putInt(pid).putInt(ppid).putInt(uid);
        b.putShort((short) filename.length);
        b.put((byte) ExecRecord.KIND_EXEC);
        b.put((byte) (truncated ? ExecRecord.FLAG_FILENAME_TRUNCATED : 0));
        byte[] commField = new byte[ExecRecord.COMM_LEN];
        System.arraycopy(comm, 0, commField, 0, Math.min(comm.length, ExecRecord.COMM_LEN));
        b.put(commField);
        b.putLong(0); // cgroup_id
        b.put(filename);
        return b.array();
    }

    /** The bytes of one exit record (struct exit_event). */
    public static byte[] exitRow(long lifetimeNanos, int pid, int status, byte[] comm) {
        ByteBuffer b = ByteBuffer.allocate(ExitRecord.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(lifetimeNanos).putInt(pid).putInt(status).putInt(0).putShort((short) 0);
        b.put((byte) ExecRecord.KIND_EXIT);
        b.put((byte) 0);
        byte[] commField = new byte[ExecRecord.COMM_LEN];
        System.arraycopy(comm, 0, commField, 0, Math.min(comm.length, ExecRecord.COMM_LEN));
        b.put(commField);
        b.putLong(0); // cgroup_id
        return b.array();
    }

    /** The bytes of one failure record (struct fail_event). */
    public static byte[] failRow(int errno, int pid, int ppid, int uid, boolean execveat, byte[] comm, long cgroupId) {
        ByteBuffer b = ByteBuffer.allocate(FailRecord.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(errno).putInt(0).putInt(pid).putInt(ppid).putInt(uid).putShort((short) 0);
        b.put((byte) ExecRecord.KIND_FAIL);
        b.put((byte) (execveat ? FailRecord.FLAG_EXECVEAT : 0));
        byte[] commField = new byte[ExecRecord.COMM_LEN];
        System.arraycopy(comm, 0, commField, 0, Math.min(comm.length, ExecRecord.COMM_LEN));
        b.put(commField);
        b.putLong(cgroupId);
        return b.array();
    }

    /** An exit view over one row. */
    public static ExitRecord exit(long lifetimeNanos, int pid, int status, byte[] comm) {
        byte[] row = exitRow(lifetimeNanos, pid, status, comm);
        ExitRecord record = new ExitRecord();
        if (!record.wrap(ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN), 0, row.length)) {
            throw new IllegalArgumentException("not a valid exit record");
        }
        return record;
    }

    /** A failure view over one row. */
    public static FailRecord failure(int errno, int pid, int ppid, int uid, boolean execveat, byte[] comm,
                                     long cgroupId) {
        byte[] row = failRow(errno, pid, ppid, uid, execveat, comm, cgroupId);
        FailRecord record = new FailRecord();
        if (!record.wrap(ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN), 0, row.length)) {
            throw new IllegalArgumentException("not a valid failure record");
        }
        return record;
    }

    /** A record view over one row, for tests of what reads records. */
    public static ExecRecord record(long ktime, int pid, int ppid, int uid, byte[] comm, byte[] filename,
                                    boolean truncated) {
        byte[] row = row(ktime, pid, ppid, uid, comm, filename, truncated, 0);
        ExecRecord record = new ExecRecord();
        if (!record.wrap(ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN), 0, row.length)) {
            throw new IllegalArgumentException("not a valid record");
        }
        return record;
    }

    /** Rows framed as jni/probe.c frames a batch: [u32 size][row]... */
    public static ByteBuffer batch(byte[]... rows) {
        int size = 0;
        for (byte[] row : rows) {
            size += 4 + row.length;
        }
        ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] row : rows) {
            b.putInt(row.length).put(row);
        }
        return b.clear();
    }
}
