package org.execexporter.trace;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.execexporter.base.NameEscaper;
import org.execexporter.capture.ExecRecord;

/**
 * One JSON object per line: time (RFC 3339, UTC, milliseconds), pid, ppid, uid, comm, filename,
 * filename_truncated. comm and filename are the NameEscaper form (so a raw byte 0xff reads as the
 * four characters \xff), which keeps the output valid UTF-8 and lossless.
 */
final class JsonFormat implements TraceFormat {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Override
    public String header() {
        return null;
    }

    @Override
    public void format(ExecRecord record, long wallNanos, StringBuilder out) {
        out.append("{\"time\":\"");
        TIME.formatTo(Instant.ofEpochSecond(0, wallNanos), out);
        out.append("\",\"pid\":").append(record.pid())
                .append(",\"ppid\":").append(record.ppid())
                .append(",\"uid\":").append(record.uid())
                .append(",\"comm\":");
        string(out, NameEscaper.escape(record.comm()));
        out.append(",\"filename\":");
        string(out, NameEscaper.escape(record.filename()));
        out.append(",\"filename_truncated\":").append(record.filenameTruncated()).append('}');
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
