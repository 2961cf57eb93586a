package org.execexporter.base;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Prometheus writes them: 250ms, 30s, 5m, 1h30m, 2d. Every parsed duration fits in a
 * long of nanoseconds (at most {@link #MAX}, about 292 years), so that no later conversion can
 * overflow; each setting bounds its own further.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
    public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

    private Durations() {}

    /** Parses {@code text}; throws IllegalArgumentException with a message that quotes it. */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        try {
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> Duration.ofDays(Math.multiplyExact(7, n));
                });
                end = m.end();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw outOfRange(text);
        }
        if (end != text.length()) {
            throw new IllegalArgumentException("not a duration (like 250ms, 30s, 5m, 1h): \"" + text + "\"");
        }
        if (total.compareTo(MAX) > 0) {
            throw outOfRange(text);
        }
        return total;
    }

    private static IllegalArgumentException outOfRange(String text) {
        return new IllegalArgumentException("duration out of range (at most " + MAX.toDays() + "d): \"" + text + "\"");
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
