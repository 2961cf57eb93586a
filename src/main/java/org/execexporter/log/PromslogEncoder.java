package org.execexporter.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * Log lines as Prometheus' own tools write them (promslog over Go's log/slog), one per event:
 * <pre>
 * time=2026-11-25T10:15:30.123Z level=INFO source=DaemonCommand.java:92 msg="Listening on" address=[::]:10135
 * {"time":"2026-11-25T10:15:30.123Z","level":"INFO","source":"DaemonCommand.java:92","msg":"Listening on","address":"[::]:10135"}
 * </pre>
 * The values of a message are its SLF4J key-value pairs ({@code log.atInfo().addKeyValue(...)}),
 * written after {@code msg} in the order given; an exception is the last field, {@code err}, on the
 * same line. The format can change while the process runs ({@link #setFormat}), for a reload.
 */
public final class PromslogEncoder extends EncoderBase<ILoggingEvent> {
    public static final String LOGFMT = "logfmt";
    public static final String JSON = "json";
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private volatile boolean json;

    /** {@value #LOGFMT} or {@value #JSON}; also the {@code <format>} element of a logback.xml. */
    public void setFormat(String format) {
        switch (format) {
            case LOGFMT -> json = false;
            case JSON -> json = true;
            default -> throw new IllegalArgumentException("log format must be logfmt or json, not " + format);
        }
    }

    public String getFormat() {
        return json ? JSON : LOGFMT;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Line line = json ? new JsonLine() : new LogfmtLine();
        line.field("time", TIME.format(Instant.ofEpochMilli(event.getTimeStamp())));
        line.field("level", level(event.getLevel()));
        StackTraceElement[] caller = event.getCallerData();
        if (caller != null && caller.length > 0 && caller[0].getFileName() != null) {
            line.field("source", caller[0].getFileName() + ":" + caller[0].getLineNumber());
        }
        line.field("msg", event.getFormattedMessage());
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                line.value(pair.key, pair.value);
            }
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.field("err", thrown.getMessage() == null ? thrown.getClassName()
                    : thrown.getClassName() + ": " + thrown.getMessage());
        }
        return line.end().getBytes(StandardCharsets.UTF_8);
    }

    /** slog's level names. */
    static String level(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "ERROR";
            case Level.WARN_INT -> "WARN";
            case Level.INFO_INT -> "INFO";
            default -> "DEBUG";
        };
    }

    private abstract static class Line {
        final StringBuilder out = new StringBuilder(160);

        abstract void field(String key, String value);

        abstract void value(String key, Object value);

        abstract String end();
    }

    private static final class LogfmtLine extends Line {
        @Override
        void field(String key, String value) {
            if (out.length() > 0) {
                out.append(' ');
            }
            Logfmt.append(out, key);
            out.append('=');
            Logfmt.append(out, value);
        }

        @Override
        void value(String key, Object value) {
            field(key, value == null ? "<nil>" : value.toString());
        }

        @Override
        String end() {
            return out.append('\n').toString();
        }
    }

    private static final class JsonLine extends Line {
        private void key(String key) {
            out.append(out.length() == 0 ? '{' : ',');
            JsonText.append(out, key);
            out.append(':');
        }

        @Override
        void field(String key, String value) {
            key(key);
            JsonText.append(out, value);
        }

        @Override
        void value(String key, Object value) {
            if (value == null) {
                key(key);
                out.append("null");
            } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
                    || value instanceof Short || value instanceof Byte) {
                key(key);
                out.append(value);
            } else if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
                key(key);
                out.append(n.doubleValue());
            } else {
                field(key, value.toString());
            }
        }

        @Override
        String end() {
            return out.append("}\n").toString();
        }
    }
}
