package org.execexporter.config;

import java.util.Locale;

/** --log.format: logfmt-like lines (the default) or one JSON object per line. */
public enum LogFormat {
    LOGFMT, JSON;

    public static LogFormat parse(String text) {
        for (LogFormat format : values()) {
            if (format.name().toLowerCase(Locale.ROOT).equals(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException("must be logfmt or json");
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
