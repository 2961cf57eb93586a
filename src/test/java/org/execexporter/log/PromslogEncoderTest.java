package org.execexporter.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lines as promslog (Go's slog) writes them: the keys, their order, the quoting, JSON with the same keys. */
class PromslogEncoderTest {
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PromslogEncoder encoder;
    private Logger log;

    @BeforeEach
    void logger() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        encoder = new PromslogEncoder();
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        log = context.getLogger("test");
        log.addAppender(appender);
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void logfmtHasTimeLevelSourceMessageThenTheValuesInOrder() {
        log.atInfo().setMessage("Listening on").addKeyValue("address", "[::]:10135").addKeyValue("tls", false)
                .addKeyValue("rings", 2).log();
        assertThat(lines()).singleElement().asString().matches("time=" + TIME + " level=INFO "
                + "source=PromslogEncoderTest\\.java:\\d+ msg=\"Listening on\" address=\\[::\\]:10135 tls=false rings=2");
    }

    @Test
    void jsonHasTheSameKeysWithNumbersAndBooleansAsSuch() throws Exception {
        encoder.setFormat("json");
        log.atWarn().setMessage("Changes that need a restart").addKeyValue("keys", "bpf.ring_pages")
                .addKeyValue("rings", 2).addKeyValue("tls", true).log();
        JsonNode line = new ObjectMapper().readTree(lines().get(0));
        assertThat(line.fieldNames()).toIterable().containsExactly("time", "level", "source", "msg", "keys", "rings",
                "tls");
        assertThat(line.get("time").asText()).matches(TIME);
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("source").asText()).matches("PromslogEncoderTest\\.java:\\d+");
        assertThat(line.get("rings").isInt()).isTrue();
        assertThat(line.get("tls").isBoolean()).isTrue();
    }

    @Test
    void anExceptionIsTheLastFieldOnTheSameLine() {
        log.atError().setMessage("The aggregator failed").addKeyValue("ring", 1)
                .setCause(new IllegalStateException("two\nlines")).log();
        assertThat(lines()).singleElement().asString()
                .endsWith(" msg=\"The aggregator failed\" ring=1 err=\"java.lang.IllegalStateException: two\\nlines\"");
    }

    @Test
    void levelsAreSlogsNames() {
        log.setLevel(ch.qos.logback.classic.Level.TRACE);
        log.debug("d");
        log.info("i");
        log.warn("w");
        log.error("e");
        assertThat(lines()).extracting(l -> l.replaceAll(".* level=(\\S+) .*", "$1"))
                .containsExactly("DEBUG", "INFO", "WARN", "ERROR");
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            plain             | plain
            a\\b              | a\\b
            ''                | '""'
            two words         | '"two words"'
            k=v               | '"k=v"'
            say "hi"          | '"say \\"hi\\""'
            é€                | é€
            """)
    void logfmtQuotesAsGoDoes(String value, String written) {
        StringBuilder s = new StringBuilder();
        Logfmt.append(s, value);
        assertThat(s.toString()).isEqualTo(written);
    }

    @Test
    void logfmtEscapesControlAndInvisibleCharacters() {
        StringBuilder s = new StringBuilder();
        Logfmt.append(s, "a\nb\u0001c\u200bd\\");
        assertThat(s.toString()).isEqualTo("\"a\\nb\\x01c\\u200bd\\\\\"");
    }

    @Test
    void jsonEscapesAsGoDoes() {
        StringBuilder s = new StringBuilder();
        JsonText.append(s, "q\"\\\n\u0001\u2028<é");
        assertThat(s.toString()).isEqualTo("\"q\\\"\\\\\\n\\u0001\\u2028<é\"");
    }
}
