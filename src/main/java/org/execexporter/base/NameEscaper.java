package org.execexporter.base;

/**
 * Renders the raw bytes of a comm or filename as printable, valid UTF-8 text, losslessly:
 * <ul>
 *   <li>a valid UTF-8 sequence of a printable character is kept as that character;</li>
 *   <li>a backslash becomes {@code \\};</li>
 *   <li>every other byte (control bytes, invalid or cut UTF-8, invisible format characters)
 *       becomes {@code \xNN}, two lowercase hex digits.</li>
 * </ul>
 * Distinct byte strings always render distinctly, and {@link #unescape} gives the bytes back.
 */
public final class NameEscaper {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private NameEscaper() {}

    public static String escape(byte[] bytes) {
        return escape(bytes, 0, bytes.length);
    }

    public static String escape(byte[] bytes, int offset, int length) {
        return escape(bytes, offset, length, false);
    }

    /**
     * As {@link #escape}, and every space character too (U+0020, the no-break and the other
     * Unicode spaces) as {@code \xNN}, for a column of whitespace-separated text: a line then always
     * splits into the same columns, whatever the names hold. {@link #unescape} still gives the bytes back.
     */
    public static String escapeColumn(byte[] bytes) {
        return escape(bytes, 0, bytes.length, true);
    }

    private static String escape(byte[] bytes, int offset, int length, boolean spaces) {
        StringBuilder out = new StringBuilder(length + 8);
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = bytes[i] & 0xff;
            if (b == '\\') {
                out.append("\\\\");
                i++;
                continue;
            }
            int sequence = sequenceLength(bytes, i, end);
            if (sequence > 0) {
                int codePoint = decode(bytes, i, sequence);
                if (isPrintable(codePoint) && !(spaces && isSpace(codePoint))) {
                    out.appendCodePoint(codePoint);
                    i += sequence;
                    continue;
                }
                for (int k = 0; k < sequence; k++) {
                    appendHex(out, bytes[i + k] & 0xff);
                }
                i += sequence;
                continue;
            }
            appendHex(out, b);
            i++;
        }
        return out.toString();
    }

    /** The inverse of {@link #escape}; throws IllegalArgumentException on text it cannot produce. */
    public static byte[] unescape(String text) {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            if (utf8[i] != '\\') {
                out.write(utf8[i]);
            } else if (i + 1 < utf8.length && utf8[i + 1] == '\\') {
                out.write('\\');
                i++;
            } else if (i + 3 < utf8.length && utf8[i + 1] == 'x') {
                out.write(Integer.parseInt(new String(utf8, i + 2, 2, java.nio.charset.StandardCharsets.US_ASCII), 16));
                i += 3;
            } else {
                throw new IllegalArgumentException("bad escape at byte " + i + " of " + text);
            }
        }
        return out.toByteArray();
    }

    private static void appendHex(StringBuilder out, int b) {
        out.append('\\').append('x').append(HEX[b >> 4]).append(HEX[b & 0xf]);
    }

    /** Length of the well-formed UTF-8 sequence at i (RFC 3629), or 0 if it is not one. */
    private static int sequenceLength(byte[] bytes, int i, int end) {
        int b = bytes[i] & 0xff;
        if (b < 0x80) {
            return 1;
        }
        int length;
        int min;
        int max = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) {
            length = 2;
            min = 0x80;
        } else if (b >= 0xe0 && b <= 0xef) {
            length = 3;
            min = b == 0xe0 ? 0xa0 : 0x80;      // no overlongs
            max = b == 0xed ? 0x9f : 0xbf;      // no surrogates
        } else if (b >= 0xf0 && b <= 0xf4) {
            length = 4;
            min = b == 0xf0 ? 0x90 : 0x80;
            max = b == 0xf4 ? 0x8f : 0xbf;      // nothing above U+10FFFF
        } else {
            return 0;
        }
        if (i + length > end) {
            return 0;
        }
        int second = bytes[i + 1] & 0xff;
        if (second < min || second > max) {
            return 0;
        }
        for (int k = 2; k < length; k++) {
            int next = bytes[i + k] & 0xff;
            if (next < 0x80 || next > 0xbf) {
                return 0;
            }
        }
        return length;
    }

    private static int decode(byte[] bytes, int i, int length) {
        int b = bytes[i] & 0xff;
        if (length == 1) {
            return b;
        }
        int codePoint = b & (0xff >> (length + 1));
        for (int k = 1; k < length; k++) {
            codePoint = (codePoint << 6) | (bytes[i + k] & 0x3f);
        }
        return codePoint;
    }

    private static boolean isSpace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
    }

    private static boolean isPrintable(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:              // bidi overrides, zero-width joiners: invisible
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return false;
            default:
                return true;
        }
    }
}
