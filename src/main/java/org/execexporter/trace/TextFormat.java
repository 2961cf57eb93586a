package org.execexporter.trace;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.execexporter.attribution.Cgroup;
import org.execexporter.base.NameEscaper;
import org.execexporter.capture.Errno;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.ExitRecord;
import org.execexporter.capture.ExitStatus;
import org.execexporter.capture.FailRecord;

/**
 * The classic execsnoop line, {@code "%-8s %-5s %-7d %-16s %s"}: local time, EXEC, pid, comm,
 * filename. comm and filename are escaped (NameEscaper), never written raw, their spaces included
 * ({@code \x20}): a line always splits on whitespace into the same five columns. An exit's line
 * has EXIT and {@code status=3,lifetime=0.012s} in the last column, a failed exec's FAIL and
 * {@code errno=ENOENT}: five columns too, the comm always the fourth.
 */
final class TextFormat implements TraceFormat {
    static final String HEADER = "TIME     EVENT PID     COMM             FILENAME";

    private final ZoneId zone;

    TextFormat(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public boolean showsCgroups() {
        return false;
    }

    @Override
    public String header() {
        return HEADER;
    }

    @Override
    public void format(ExecRecord record, long wallNanos, Cgroup cgroup, StringBuilder out) {
        start(out, wallNanos, "EXEC  ", record.pid(), record.comm());
        out.append(NameEscaper.escapeColumn(record.filename()));
        if (record.filenameTruncated()) {
            out.append("...");
        }
    }

    @Override
    public void formatExit(ExitRecord record, long wallNanos, Cgroup cgroup, StringBuilder out) {
        start(out, wallNanos, "EXIT  ", record.pid(), record.comm());
        out.append("status=").append(ExitStatus.label(record.status()))
                .append(",lifetime=").append(seconds(record.lifetimeNanos())).append('s');
    }

    @Override
    public void formatFailure(FailRecord record, long wallNanos, Cgroup cgroup, StringBuilder out) {
        start(out, wallNanos, "FAIL  ", record.pid(), record.comm());
        out.append("errno=").append(Errno.name(record.error()));
    }

    /** Seconds with millisecond precision: 0.012, 2.500. */
    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
    }

    private void start(StringBuilder out, long wallNanos, String event, int pid, byte[] comm) {
        LocalTime time = LocalTime.ofInstant(Instant.ofEpochSecond(0, wallNanos), zone);
        twoDigits(out, time.getHour()).append(':');
        twoDigits(out, time.getMinute()).append(':');
        twoDigits(out, time.getSecond()).append(' ');
        out.append(event);
        int pidStart = out.length();
        out.append(pid);
        pad(out, pidStart, 7).append(' ');
        int commStart = out.length();
        out.append(NameEscaper.escapeColumn(comm));
        pad(out, commStart, 16).append(' ');
    }

    private static StringBuilder twoDigits(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** Pads the column that started at {@code start} with spaces to {@code width} characters. */
    private static StringBuilder pad(StringBuilder out, int start, int width) {
        for (int n = out.length() - start; n < width; n++) {
            out.append(' ');
        }
        return out;
    }
}
