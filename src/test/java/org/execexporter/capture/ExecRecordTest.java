package org.execexporter.capture;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecRecordTest {
    private static ExecRecord wrap(byte[] row) {
        ExecRecord record = new ExecRecord();
        assertThat(record.wrap(ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN), 0, row.length)).isTrue();
        return record;
    }

    @Test
    void decodesEveryField() {
        byte[] row = TestRecords.row(123456789012L, 4242, 1, 1000, "bash".getBytes(US_ASCII),
                "/usr/bin/bash".getBytes(US_ASCII), false, 3);
        ExecRecord r = wrap(row);
        assertThat(r.ktimeNanos()).isEqualTo(123456789012L);
        assertThat(r.pid()).isEqualTo(4242);
        assertThat(r.ppid()).isEqualTo(1);
        assertThat(r.uid()).isEqualTo(1000);
        assertThat(r.comm()).isEqualTo("bash".getBytes(US_ASCII));
        assertThat(r.filename()).isEqualTo("/usr/bin/bash".getBytes(US_ASCII));
        assertThat(r.filenameTruncated()).isFalse();
    }

    @Test
    void uidIsUnsigned() {
        ExecRecord r = wrap(TestRecords.row(1, 2, 3, -2, new byte[] {'x'}, new byte[0], false, 0));
        assertThat(r.uid()).isEqualTo(4294967294L);
    }

    @Test
    void truncatedFilenameIsFlagged() {
        byte[] name = new byte[ExecRecord.FILENAME_MAX - 1];
        java.util.Arrays.fill(name, (byte) 'a');
        ExecRecord r = wrap(TestRecords.row(1, 2, 3, 0, "a".getBytes(US_ASCII), name, true, 0));
        assertThat(r.filenameTruncated()).isTrue();
        assertThat(r.filenameLength()).isEqualTo(ExecRecord.FILENAME_MAX - 1);
    }

    @Test
    void commOfExactlyFifteenBytesIsWhole() {
        byte[] comm = "abcdefghijklmno".getBytes(US_ASCII);
        ExecRecord r = wrap(TestRecords.row(1, 2, 3, 0, comm, new byte[0], false, 0));
        assertThat(r.commLength()).isEqualTo(15);
        assertThat(r.comm()).isEqualTo(comm);
    }

    @Test
    void commWithoutNulStopsAtFifteenBytes() {
        // the kernel always NUL-terminates; a 16th byte must still never be read as comm
        byte[] row = TestRecords.row(1, 2, 3, 0, "abcdefghijklmnop".getBytes(US_ASCII), new byte[0], false, 0);
        assertThat(wrap(row).commLength()).isEqualTo(15);
    }

    @Test
    void nonUtf8BytesPassThroughUntouched() {
        byte[] comm = {(byte) 0xff, (byte) 0xfe, '\n', '"', '\\', (byte) 0xe2, (byte) 0x82};
        byte[] file = {'/', 't', (byte) 0x80, (byte) 0xc3};
        ExecRecord r = wrap(TestRecords.row(1, 2, 3, 0, comm, file, false, 0));
        assertThat(r.comm()).isEqualTo(comm);
        assertThat(r.filename()).isEqualTo(file);
    }

    @Test
    void commWordsAreAnExactZeroPaddedKey() {
        ExecRecord a = wrap(TestRecords.row(1, 2, 3, 0, "abcdefghij".getBytes(US_ASCII), new byte[0], false, 0));
        assertThat(a.commWord(0)).isEqualTo(ByteBuffer.wrap("abcdefgh".getBytes(US_ASCII)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertThat(a.commWord(1)).isEqualTo('i' | ('j' << 8));
        // garbage after the NUL (never sent by the kernel, but possible in a padded row) is masked off
        byte[] row = TestRecords.row(1, 2, 3, 0, "ab".getBytes(US_ASCII), new byte[0], false, 0);
        row[ExecRecord.COMM_OFFSET + 3] = 'z';
        assertThat(wrap(row).commWord(0)).isEqualTo('a' | ('b' << 8));
        assertThat(wrap(row).commWord(1)).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 39})
    void rejectsRowsShorterThanTheHeader(int size) {
        ExecRecord record = new ExecRecord();
        assertThat(record.wrap(ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN), 0, size)).isFalse();
    }

    @Test
    void rejectsAFilenameLengthBeyondTheRow() {
        byte[] row = TestRecords.row(1, 2, 3, 0, "a".getBytes(US_ASCII), "/bin/a".getBytes(US_ASCII), false, 0);
        row[ExecRecord.FILENAME_LEN_OFFSET] = 7; // one more than the row holds
        ExecRecord record = new ExecRecord();
        assertThat(record.wrap(ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN), 0, row.length)).isFalse();
    }

    /** The offsets here and in bpf/exec_event.h must agree: read the header and compare. */
    @Test
    void offsetsMatchTheAbiHeader() throws Exception {
        String header = Files.readString(Path.of("bpf/exec_event.h"));
        assertThat(define(header, "EXEC_COMM_LEN")).isEqualTo(ExecRecord.COMM_LEN);
        assertThat(define(header, "EXEC_FILENAME_MAX")).isEqualTo(ExecRecord.FILENAME_MAX);
        assertThat(define(header, "EXEC_EVENT_HEADER_SIZE")).isEqualTo(ExecRecord.HEADER_SIZE);
        assertThat(define(header, "EXEC_EVENT_FILENAME_TRUNCATED")).isEqualTo(ExecRecord.FLAG_FILENAME_TRUNCATED);
        assertThat(define(header, "RECORD_KIND_EXEC")).isEqualTo(ExecRecord.KIND_EXEC);
        assertThat(define(header, "RECORD_KIND_EXIT")).isEqualTo(ExecRecord.KIND_EXIT);
        assertThat(define(header, "RECORD_KIND_FAIL")).isEqualTo(ExecRecord.KIND_FAIL);
        assertThat(layout(header, "exec_event")).isEqualTo("ktime_ns@" + ExecRecord.KTIME_OFFSET + " pid@"
                + ExecRecord.PID_OFFSET + " ppid@" + ExecRecord.PPID_OFFSET + " uid@" + ExecRecord.UID_OFFSET
                + " filename_len@" + ExecRecord.FILENAME_LEN_OFFSET + " kind@" + ExecRecord.KIND_OFFSET
                + " flags@" + ExecRecord.FLAGS_OFFSET + " comm@" + ExecRecord.COMM_OFFSET
                + " cgroup_id@" + ExecRecord.CGROUP_ID_OFFSET + " filename@" + ExecRecord.HEADER_SIZE);
        assertThat(define(header, "EXIT_EVENT_SIZE")).isEqualTo(ExitRecord.SIZE);
        assertThat(layout(header, "exit_event")).isEqualTo("lifetime_ns@" + ExitRecord.LIFETIME_OFFSET + " pid@"
                + ExecRecord.PID_OFFSET + " status@" + ExitRecord.STATUS_OFFSET + " uid@" + ExecRecord.UID_OFFSET
                + " reserved@20 kind@" + ExecRecord.KIND_OFFSET + " flags@" + ExecRecord.FLAGS_OFFSET + " comm@"
                + ExecRecord.COMM_OFFSET + " cgroup_id@" + ExecRecord.CGROUP_ID_OFFSET);
        // the header every kind shares, so a failure record needs no offsets of its own but errno's
        assertThat(define(header, "FAIL_EVENT_SIZE")).isEqualTo(48);
        assertThat(layout(header, "fail_event")).isEqualTo("error@0 reserved@4 pid@" + ExecRecord.PID_OFFSET
                + " ppid@" + ExecRecord.PPID_OFFSET + " uid@" + ExecRecord.UID_OFFSET + " reserved2@20 kind@"
                + ExecRecord.KIND_OFFSET + " flags@" + ExecRecord.FLAGS_OFFSET + " comm@" + ExecRecord.COMM_OFFSET
                + " cgroup_id@" + ExecRecord.CGROUP_ID_OFFSET);
    }

    /** "field@offset ..." of one struct of the header, from its field types. */
    private static String layout(String header, String struct) {
        int start = header.indexOf("struct " + struct + " {");
        String body = header.substring(start, header.indexOf("};", start));
        Matcher fields = Pattern.compile("^\\s*(__u64|__u32|__s32|__u16|__u8|char) (\\w+)", Pattern.MULTILINE).matcher(body);
        int offset = 0;
        StringBuilder layout = new StringBuilder();
        while (fields.find()) {
            layout.append(fields.group(2)).append('@').append(offset).append(' ');
            offset += switch (fields.group(1)) {
                case "__u64" -> 8;
                case "__u32", "__s32" -> 4;
                case "__u16" -> 2;
                case "__u8" -> 1;
                default -> fields.group(2).equals("comm") ? ExecRecord.COMM_LEN : 0;
            };
        }
        return layout.toString().trim();
    }

    private static int define(String header, String name) {
        Matcher m = Pattern.compile("#define " + name + "\\s+(0x[0-9a-fA-F]+|\\d+)").matcher(header);
        assertThat(m.find()).as(name).isTrue();
        return Integer.decode(m.group(1));
    }
}
