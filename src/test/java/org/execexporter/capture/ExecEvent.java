package org.execexporter.capture;

import java.util.Arrays;

/**
 * One exec, copied out of a ring so that it outlives the sink's call. comm and filename are raw
 * bytes: they may hold anything but NUL, and need not be UTF-8.
 */
public record ExecEvent(long ktimeNanos, int pid, int ppid, long uid, byte[] comm, byte[] filename,
                        boolean filenameTruncated) {

    static ExecEvent of(ExecRecord r) {
        return new ExecEvent(r.ktimeNanos(), r.pid(), r.ppid(), r.uid(), r.comm(), r.filename(), r.filenameTruncated());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecEvent e && ktimeNanos == e.ktimeNanos && pid == e.pid && ppid == e.ppid
                && uid == e.uid && filenameTruncated == e.filenameTruncated && Arrays.equals(comm, e.comm)
                && Arrays.equals(filename, e.filename);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(ktimeNanos) + pid) + Arrays.hashCode(comm);
    }

    @Override
    public String toString() {
        return "ExecEvent[pid=" + pid + ", ppid=" + ppid + ", uid=" + uid + ", comm="
                + Arrays.toString(comm) + ", filename=" + filename.length + " bytes"
                + (filenameTruncated ? " (truncated)" : "") + "]";
    }
}
