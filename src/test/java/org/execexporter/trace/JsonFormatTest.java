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
}
