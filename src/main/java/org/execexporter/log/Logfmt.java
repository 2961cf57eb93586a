package org.execexporter.log;

/**
 * Keys and values as Go's log/slog TextHandler writes them, which promslog uses: a value is
 * written bare unless it is empty or holds a space, '=', '"', a control character or a character
 * that is not printable; then it is quoted as Go's strconv.Quote does. A backslash alone needs no
 * quotes.
 */
final class Logfmt {
    private Logfmt() {}

    static void append(StringBuilder out, String s) {
        if (needsQuoting(s)) {
            quote(out, s);
        } else {
            out.append(s);
        }
    }

    static boolean needsQuoting(String s) {
        if (s.isEmpty()) {
            return true;
        }
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (c < 0x80) {
                if (c <= ' ' || c == '=' || c == '"' || c == 0x7f) {
                    return true;
                }
            } else if (!printable(c) || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return true;
            }
            i += Character.charCount(c);
        }
        return false;
    }

    /** Go's strconv.Quote: printable characters as they are, the rest as escapes. */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        out.append(String.format("\\x%02x", c));
                    } else if (c == ' ' || printable(c)) {
                        out.appendCodePoint(c);
                    } else if (c < 0x10000) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append(String.format("\\U%08x", c));
                    }
                }
            }
        }
        out.append('"');
    }

    /** Go's unicode.IsPrint, near enough: letters, marks, numbers, punctuation, symbols. */
    static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.SURROGATE,
                    Character.PRIVATE_USE, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
