package org.execexporter.trace;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.execexporter.attribution.Cgroup;
import org.execexporter.base.NameEscaper;
import org.execexporter.capture.Errno;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.ExitRecord;
import org.execexporter.capture.ExitStatus;
import org.execexporter.capture.FailRecord;

/**
 * One JSON object per line: event (exec, exit, fail), time (RFC 3339, UTC, milliseconds), pid,
 * uid, comm, the cgroup (its path, unit and container id, empty when unknown), and by event: ppid,
 * filename, filename_truncated (exec); status, lifetime_seconds (exit); ppid, errno, execveat
 * (fail). Names are the NameEscaper form (so a raw byte 0xff reads as the four characters \xff),
 * which keeps the output valid UTF-8 and lossless.
 */
final class JsonFormat implements TraceFormat {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Override
    public boolean showsCgroups() {
        return true;
    }

    @Override
    public String header() {
        return null;
    }

    @Override
    public void format(ExecRecord record, long wallNanos, Cgroup cgroup, StringBuilder out) {
        start(out, "exec", wallNanos, record.pid(), record.uid(), record.comm(), cgroup);
        out.append(",\"ppid\":").append(record.ppid()).append(",\"filename\":");
        string(out, NameEscaper.escape(record.filename()));
        out.append(",\"filename_truncated\":").append(record.filenameTruncated()).append('}');
    }

    @Override
    public void formatExit(ExitRecord record, long wallNanos, Cgroup cgroup, StringBuilder out) {
        start(out, "exit", wallNanos, record.pid(), record.uid(), record.comm(), cgroup);
        out.append(",\"status\":");
        string(out, ExitStatus.label(record.status()));
        out.append(",\"lifetime_seconds\":").append(TextFormat.seconds(record.lifetimeNanos())).append('}');
    }

    @Override
    public void formatFailure(FailRecord record, long wallNanos, Cgroup cgroup, StringBuilder out) {
        start(out, "fail", wallNanos, record.pid(), record.uid(), record.comm(), cgroup);
        out.append(",\"ppid\":").append(record.ppid()).append(",\"errno\":");
        string(out, Errno.name(record.error()));
        out.append(",\"execveat\":").append(record.execveat()).append('}');
    }

    private static void start(StringBuilder out, String event, long wallNanos, int pid, long uid, byte[] comm,
                              Cgroup cgroup) {
        out.append("{\"event\":\"").append(event).append("\",\"time\":\"");
        TIME.formatTo(Instant.ofEpochSecond(0, wallNanos), out);
        out.append("\",\"pid\":").append(pid)
                .append(",\"uid\":").append(uid)
                .append(",\"comm\":");
        string(out, NameEscaper.escape(comm));
        out.append(",\"cgroup\":");
        string(out, cgroup.path());
        out.append(",\"unit\":");
        string(out, cgroup.labels().unit());
        out.append(",\"container\":");
        string(out, cgroup.labels().container());
    }

    static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
