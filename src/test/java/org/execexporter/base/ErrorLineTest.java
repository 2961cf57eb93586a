package org.execexporter.base;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorLineTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            plain words: "value"                                       | plain words: "value"
            unknown key /a\\nb\\u001b[31m                                | unknown key /a\\x0ab\\x1b[31m
            cert: Could not parse certificate: java.io.IOException: Empty input | cert: Could not parse certificate: Empty input
            a java.lang.IllegalStateException: x and org.foo.BarError: y | a x and y
            path C:\\\\dir and a tab\\t                                   | path C:\\\\dir and a tab\\x09
            bidi \\u202eevil                                            | bidi \\xe2\\x80\\xaeevil
            version 1.2.3 of java.base and file a.b.C                  | version 1.2.3 of java.base and file a.b.C
            """)
    void rendersOneLineWithoutClassNames(String message, String rendered) {
        assertThat(ErrorLine.render(unescape(message))).isEqualTo(rendered);
    }

    /** The table's \n, \t, backslash pairs and \\uXXXX as the characters they name. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }

    @org.junit.jupiter.api.Test
    void anEmptyMessageStillSaysSomething() {
        assertThat(ErrorLine.of("exec-exporter", null)).isEqualTo("exec-exporter: unknown error");
    }
}
