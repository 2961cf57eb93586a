package org.execexporter.config;

import java.util.Locale;

/** --log.level: the least severe level logged. */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR;

    public static LogLevel parse(String text) {
        for (LogLevel level : values()) {
            if (level.name().toLowerCase(Locale.ROOT).equals(text)) {
                return level;
            }
        }
        throw new IllegalArgumentException("must be one of debug, info, warn, error");
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
