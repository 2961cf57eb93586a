package org.execexporter.trace;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.execexporter.base.NameEscaper;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.TestRecords;
import org.junit.jupiter.api.Test;

class JsonFormatTest {
    private static final long WALL = Instant.parse("2026-11-25T20:03:03.123456Z").getEpochSecond() * 1_000_000_000L
            + 123_456_000L;

    private static JsonNode json(ExecRecord record) throws Exception {
        StringBuilder out = new StringBuilder();
        new JsonFormat().format(record, WALL, out);
        assertThat(out.toString()).doesNotContain("\n");
        return new ObjectMapper().readTree(out.toString());
    }

    @Test
    void hasEveryField() throws Exception {
        JsonNode node = json(TestRecords.record(1, 42, 7, 1000, "sh".getBytes(US_ASCII),
                "/bin/sh".getBytes(US_ASCII), false));
        assertThat(node.get("time").asText()).isEqualTo("2026-11-25T20:03:03.123Z");
        assertThat(node.get("pid").asInt()).isEqualTo(42);
        assertThat(node.get("ppid").asInt()).isEqualTo(7);
        assertThat(node.get("uid").asLong()).isEqualTo(1000);
        assertThat(node.get("comm").asText()).isEqualTo("sh");
        assertThat(node.get("filename").asText()).isEqualTo("/bin/sh");
        assertThat(node.get("filename_truncated").asBoolean()).isFalse();
    }

    @Test
    void hostileBytesStayValidJsonAndRoundTrip() throws Exception {
        byte[] comm = {'"', '\\', '\n', (byte) 0xff, '}', ',', (byte) 0xe2, (byte) 0x82};
        byte[] file = {'/', '"', 0x01, '\\', 'x', '4', '1'};
        JsonNode node = json(TestRecords.record(1, 1, 1, 0, comm, file, true));
        assertThat(NameEscaper.unescape(node.get("comm").asText())).isEqualTo(comm);
        assertThat(NameEscaper.unescape(node.get("filename").asText())).isEqualTo(file);
        assertThat(node.get("filename_truncated").asBoolean()).isTrue();
    }

    private static JsonNode parse(String line) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
    }

    @org.junit.jupiter.api.Test
    void everyEventNamesItsKindAndItsCgroup() throws Exception {
        org.execexporter.attribution.Cgroup cgroup = new org.execexporter.attribution.Cgroup(
                "/system.slice/cron.service", new org.execexporter.attribution.CgroupLabels("cron.service", "", "", ""));
        StringBuilder exec = new StringBuilder();
        new JsonFormat().format(TestRecords.record(1, 42, 7, 1000, "sh".getBytes(US_ASCII),
                "/bin/sh".getBytes(US_ASCII), false), WALL, cgroup, exec);
        JsonNode e = parse(exec.toString());
        assertThat(e.get("event").asText()).isEqualTo("exec");
        assertThat(e.get("cgroup").asText()).isEqualTo("/system.slice/cron.service");
        assertThat(e.get("unit").asText()).isEqualTo("cron.service");
        assertThat(e.get("container").asText()).isEmpty();

        StringBuilder exit = new StringBuilder();
        new JsonFormat().formatExit(TestRecords.exit(1_500_000, 42, 11 | 0x80, "sh".getBytes(US_ASCII)), WALL, cgroup,
                exit);
        JsonNode x = parse(exit.toString());
        assertThat(x.get("event").asText()).isEqualTo("exit");
        assertThat(x.get("status").asText()).isEqualTo("SIGSEGV");
        assertThat(x.get("lifetime_seconds").asDouble()).isEqualTo(0.002);

        StringBuilder fail = new StringBuilder();
        new JsonFormat().formatFailure(TestRecords.failure(13, 42, 7, 1000, true, "sh".getBytes(US_ASCII), 5), WALL,
                org.execexporter.attribution.Cgroup.UNKNOWN, fail);
        JsonNode f = parse(fail.toString());
        assertThat(f.get("event").asText()).isEqualTo("fail");
        assertThat(f.get("errno").asText()).isEqualTo("EACCES");
        assertThat(f.get("execveat").asBoolean()).isTrue();
        assertThat(f.get("ppid").asInt()).isEqualTo(7);
        assertThat(f.get("unit").asText()).isEmpty();
    }
}
