package org.execexporter.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NameEscaperTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("626173680a", "bash\\x0a"),              // newline
                Arguments.of("612262", "a\"b"),                       // quote kept: printable
                Arguments.of("615c62", "a\\\\b"),                     // backslash doubled
                Arguments.of("7b613d312c627d", "{a=1,b}"),
                Arguments.of("6120622009", "a b \\x09"),              // space kept, tab escaped
                Arguments.of("ff", "\\xff"),                          // never valid in UTF-8
                Arguments.of("c3a9", "\u00e9"),                       // é
                Arguments.of("e282", "\\xe2\\x82"),                   // € cut after two bytes
                Arguments.of("e282ac", "\u20ac"),                     // € whole
                Arguments.of("c080", "\\xc0\\x80"),                   // overlong NUL
                Arguments.of("eda080", "\\xed\\xa0\\x80"),            // surrogate
                Arguments.of("f09f9880", "\uD83D\uDE00"),             // 😀
                Arguments.of("e280ae", "\\xe2\\x80\\xae"),            // RIGHT-TO-LEFT OVERRIDE: invisible
                Arguments.of("7f", "\\x7f"),
                Arguments.of("c285", "\\xc2\\x85"),                   // C1 control NEL
                Arguments.of("", ""));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void escapes(String hex, String expected) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThat(NameEscaper.escape(bytes)).isEqualTo(expected);
        assertThat(NameEscaper.unescape(expected)).isEqualTo(bytes);
    }

    @Test
    void outputIsAlwaysPrintableUtf8AndLossless() {
        Random random = new Random(42);
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(15)];
            random.nextBytes(bytes);
            String escaped = NameEscaper.escape(bytes);
            byte[] utf8 = escaped.getBytes(StandardCharsets.UTF_8);
            assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(escaped);
            assertThat(escaped.chars()).noneMatch(c -> c < 0x20 || c == 0x7f);
            assertThat(NameEscaper.unescape(escaped)).isEqualTo(bytes);
            String hex = HexFormat.of().formatHex(bytes);
            String previous = seen.put(escaped, hex);
            assertThat(previous == null || previous.equals(hex)).as("%s and %s both give %s", previous, hex, escaped)
                    .isTrue();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            6120622009     | a\\x20b\\x20\\x09
            c2a0           | \\xc2\\xa0
            e2808a         | \\xe2\\x80\\x8a
            e3808078       | \\xe3\\x80\\x80x
            5c20           | \\\\\\x20
            """)
    void aColumnEscapesSpacesTooAndStaysLossless(String hex, String expected) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThat(NameEscaper.escapeColumn(bytes)).isEqualTo(expected);
        assertThat(NameEscaper.unescape(expected)).isEqualTo(bytes);
    }

    @Test
    void aColumnNeverHoldsWhitespace() {
        Random random = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(15)];
            random.nextBytes(bytes);
            String escaped = NameEscaper.escapeColumn(bytes);
            assertThat(escaped).doesNotContainPattern("[\\s\\p{Z}]");
            assertThat(NameEscaper.unescape(escaped)).isEqualTo(bytes);
        }
    }

    @Test
    void anEscapedCommOfMoreThanFifteenCharactersHoldsABackslash() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[15];
            random.nextBytes(bytes);
            for (int k = 0; k < bytes.length; k++) {
                if (bytes[k] == 0) {
                    bytes[k] = 1;
                }
            }
            String escaped = NameEscaper.escape(bytes);
            if (escaped.length() > 15) {
                assertThat(escaped).contains("\\");
            }
        }
    }
}
