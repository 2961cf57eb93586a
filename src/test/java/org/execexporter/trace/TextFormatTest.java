package org.execexporter.trace;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.TestRecords;
import java.util.List;
import org.execexporter.attribution.Cgroup;
import org.junit.jupiter.api.Test;

class TextFormatTest {
    private static final long WALL = LocalDateTime.of(2026, 11, 25, 20, 3, 3).toEpochSecond(ZoneOffset.UTC)
            * 1_000_000_000L + 999_000_000L;
    private final TextFormat format = new TextFormat(ZoneOffset.UTC);

    private String line(ExecRecord record) {
        StringBuilder out = new StringBuilder();
        format.format(record, WALL, out);
        return out.toString();
    }

    @Test
    void exitsAndFailuresKeepFiveColumnsWithTheCommFourth() {
        StringBuilder exit = new StringBuilder();
        format.formatExit(TestRecords.exit(12_345_678, 4242, 3 << 8, "cron job".getBytes(US_ASCII)), WALL,
                Cgroup.UNKNOWN, exit);
        assertThat(exit.toString()).isEqualTo("20:03:03 EXIT  4242    cron\\x20job      status=3,lifetime=0.012s");
        StringBuilder killed = new StringBuilder();
        format.formatExit(TestRecords.exit(2_500_000_000L, 7, 9, "sh".getBytes(US_ASCII)), WALL, Cgroup.UNKNOWN,
                killed);
        assertThat(killed.toString()).isEqualTo("20:03:03 EXIT  7       sh               status=SIGKILL,lifetime=2.500s");
        StringBuilder fail = new StringBuilder();
        format.formatFailure(TestRecords.failure(2, 99, 1, 0, false, "env".getBytes(US_ASCII), 0), WALL,
                Cgroup.UNKNOWN, fail);
        assertThat(fail.toString()).isEqualTo("20:03:03 FAIL  99      env              errno=ENOENT");
        for (String line : List.of(exit.toString(), killed.toString(), fail.toString())) {
            assertThat(line.split("\\s+")).hasSize(5);
        }
    }

    @Test
    void headerIsTheClassicOne() {
        assertThat(format.header()).isEqualTo("TIME     EVENT PID     COMM             FILENAME");
    }

    @Test
    void lineHasTheClassicColumns() {
        ExecRecord r = TestRecords.record(1, 93759, 1, 0, "sh".getBytes(US_ASCII), "/bin/sh".getBytes(US_ASCII), false);
        assertThat(line(r)).isEqualTo("20:03:03 EXEC  93759   sh               /bin/sh");
        // columns line up with the header
        assertThat(line(r).indexOf("sh ")).isEqualTo(format.header().indexOf("COMM"));
        assertThat(line(r).indexOf("/bin/sh")).isEqualTo(format.header().indexOf("FILENAME"));
    }

    @Test
    void longValuesPushColumnsButKeepOneSpace() {
        ExecRecord r = TestRecords.record(1, 123456789, 1, 0, "abcdefghijklmno".getBytes(US_ASCII),
                "/x".getBytes(US_ASCII), false);
        assertThat(line(r)).isEqualTo("20:03:03 EXEC  123456789 abcdefghijklmno  /x");
    }

    @Test
    void nonPrintableBytesAreEscapedNeverRaw() {
        ExecRecord r = TestRecords.record(1, 7, 1, 0, new byte[] {'a', '\n', 'b', (byte) 0xff},
                new byte[] {'/', 't', 0x1b, '[', '2', 'J'}, false);
        String line = line(r);
        assertThat(line).isEqualTo("20:03:03 EXEC  7       a\\x0ab\\xff       /t\\x1b[2J");
        assertThat(line.chars()).noneMatch(c -> c < 0x20);
    }

    /** Whitespace in a name would split its column (awk, cut -d' ', Python's str.split): spaces are escaped too. */
    @Test
    void spacesInNamesAreEscapedSoALineAlwaysHasFiveColumns() {
        byte[] comm = "a b\u00a0c\u3000".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] filename = "/x y/ z".getBytes(US_ASCII);
        String line = line(TestRecords.record(1, 7, 1, 0, comm, filename, false));
        assertThat(line).isEqualTo("20:03:03 EXEC  7       a\\x20b\\xc2\\xa0c\\xe3\\x80\\x80 /x\\x20y/\\x20z");
        assertThat(line.split(" +")).hasSize(5);
        assertThat(line.split("[\\s\\p{Z}]+")).hasSize(5);
        assertThat(org.execexporter.base.NameEscaper.unescape(line.split(" +")[4])).isEqualTo(filename);
    }

    @Test
    void truncatedFilenameEndsWithAnEllipsis() {
        ExecRecord r = TestRecords.record(1, 7, 1, 0, "a".getBytes(US_ASCII), "/very/long".getBytes(US_ASCII), true);
        assertThat(line(r)).endsWith("/very/long...");
    }
}
