package org.execexporter.trace;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.execexporter.base.NameEscaper;
import org.execexporter.capture.ExecRecord;

/**
 * The classic execsnoop line, {@code "%-8s %-5s %-7d %-16s %s"}: local time, EXEC, pid, comm,
 * filename. comm and filename are escaped (NameEscaper), never written raw, their spaces included
 * ({@code \x20}): a line always splits on whitespace into the same five columns.
 */
final class TextFormat implements TraceFormat {
    static final String HEADER = "TIME     EVENT PID     COMM             FILENAME";

    private final ZoneId zone;

    TextFormat(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public String header() {
        return HEADER;
    }

    @Override
    public void format(ExecRecord record, long wallNanos, StringBuilder out) {
        LocalTime time = LocalTime.ofInstant(Instant.ofEpochSecond(0, wallNanos), zone);
        twoDigits(out, time.getHour()).append(':');
        twoDigits(out, time.getMinute()).append(':');
        twoDigits(out, time.getSecond()).append(' ');
        out.append("EXEC  ");
        int pidStart = out.length();
        out.append(record.pid());
        pad(out, pidStart, 7).append(' ');
        int commStart = out.length();
        out.append(NameEscaper.escapeColumn(record.comm()));
        pad(out, commStart, 16).append(' ');
        out.append(NameEscaper.escapeColumn(record.filename()));
        if (record.filenameTruncated()) {
            out.append("...");
        }
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
