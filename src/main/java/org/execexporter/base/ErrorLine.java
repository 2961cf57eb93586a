package org.execexporter.base;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The one line an error is on stderr (or in a log): whatever a flag, a config key or a file held
 * is rendered as names are ({@code \xNN} for control bytes such as newline or escape, see
 * {@link NameEscaper}), so that it stays one line and never drives the terminal; and the names of
 * Java exception classes, which some JDK messages carry ("java.io.IOException: Empty input"), are
 * left out: they say nothing to the reader.
 */
public final class ErrorLine {
    private static final Pattern EXCEPTION_CLASS = Pattern.compile(
            "\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)(?::\\s*|\\b)");

    private ErrorLine() {}

    /** {@code "exec-exporter: <message>"}, rendered. */
    public static String of(String command, String message) {
        return command + ": " + render(message);
    }

    /** The message, rendered to one line without class names. */
    public static String render(String message) {
        if (message == null || message.isBlank()) {
            return "unknown error";
        }
        String plain = EXCEPTION_CLASS.matcher(message).replaceAll("");
        return NameEscaper.escape(plain.getBytes(StandardCharsets.UTF_8));
    }
}
