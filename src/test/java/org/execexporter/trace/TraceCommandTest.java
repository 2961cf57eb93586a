package org.execexporter.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad flags of {@code trace}: one line on stderr, exit 2, before anything is loaded (no root needed). */
class TraceCommandTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --bpf.poll-timeout=999999999999999999h | invalid value "999999999999999999h" for flag --bpf.poll-timeout: duration out of range (at most 106751d): "999999999999999999h" (see --help)
            --bpf.poll-timeout=99999999999999999d  | invalid value "99999999999999999d" for flag --bpf.poll-timeout: duration out of range (at most 106751d): "99999999999999999d" (see --help)
            --bpf.poll-timeout=200000d             | invalid value "200000d" for flag --bpf.poll-timeout: duration out of range (at most 106751d): "200000d" (see --help)
            --bpf.poll-timeout=1d                  | invalid value "1d" for flag --bpf.poll-timeout: must be from 1ms to 10s (see --help)
            """)
    void badFlagsAreOneLineAndExitTwo(String flag, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new TraceCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(flag));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("exec-exporter trace: " + message + "\n");
        assertThat(out.size()).isZero();
    }

    @Test
    void controlBytesInAFlagAreRenderedOnOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new TraceCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of("--bpf.attach=k\nprobe\u001b[1A"));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("exec-exporter trace: invalid value "
                + "\"k\\x0aprobe\\x1b[1A\" for flag --bpf.attach: must be auto, tp_btf or tracepoint (see --help)\n");
    }
}
