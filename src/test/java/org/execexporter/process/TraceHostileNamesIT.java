package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.execexporter.base.NameEscaper;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Subprocess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `trace` fed real execs of hostile names: every exec is exactly one line, the line is valid UTF-8
 * with nothing raw in it, JSON lines parse, and the names read back to their exact bytes.
 */
@NeedsBpf
class TraceHostileNamesIT {
    /** Five columns, whatever the names hold: comm and filename carry no whitespace. */
    private static final Pattern TEXT_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d EXEC  \\d+ +\\S+ +\\S+$");
    private static final int EXECS = 300;

    static final List<byte[]> NAMES = List.of(
            ExecStorm.ascii("q\"uote'"),
            ExecStorm.ascii("back\\slash"),
            ExecStorm.ascii("new\nline\r"),
            new byte[] {'c', 't', 'l', 0x01, 0x1b, '[', '2', 'J', 0x7f, 0x09, 0x08},
            new byte[] {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80, (byte) 0xed, (byte) 0xa0,
                    (byte) 0x80},
            "ééééééééé".getBytes(StandardCharsets.UTF_8), // 18 bytes: the comm cuts the 8th é in two
            "日本語のコマンド".getBytes(StandardCharsets.UTF_8), // 24 bytes: the comm cuts the 5th character
            ExecStorm.ascii("{a=\"b\"}, #x"),
            ExecStorm.ascii("sp ace=1,2"),
            "no\u00a0break\u3000wide".getBytes(StandardCharsets.UTF_8),
            new byte[] {'b', 'i', 'd', 'i', (byte) 0xe2, (byte) 0x80, (byte) 0xae, 'x'}); // RIGHT-TO-LEFT OVERRIDE

    @TempDir
    Path dir;

    private Path binDir() {
        return dir.resolve("bin");
    }

    private byte[] filename(byte[] name) {
        byte[] prefix = (binDir() + "/").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[prefix.length + name.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(name, 0, out, prefix.length, name.length);
        return out;
    }

    /** Starts the trace, waits for it to print, runs the storm; returns the storm once every exec has a line. */
    private ExecStorm.Result storm(Subprocess trace, java.util.function.Predicate<List<String>> complete)
            throws Exception {
        java.nio.file.Files.createDirectories(binDir());
        Path probe = org.execexporter.testing.TestNative.copyNoop(dir, "warmup");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (trace.stdoutLines().stream().noneMatch(l -> l.contains(probe.toString()))) {
            assertThat(System.nanoTime()).as("the trace prints").isLessThan(deadline);
            new ProcessBuilder(probe.toString()).start().waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(100);
        }
        ExecStorm.Result result = ExecStorm.run(binDir(), 2, EXECS, NAMES);
        assertThat(result.failed()).isZero();
        deadline = System.nanoTime() + result.deadline().toNanos();
        while (!complete.test(trace.stdoutLines()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return result;
    }

    private static long expected(ExecStorm.Result storm, byte[] name) {
        return storm.perNameHex().get(HexFormat.of().formatHex(name));
    }

    @Test
    void textLinesAreOnePerExecEscapedAndExact() throws Exception {
        Map<String, byte[]> byFilename = new HashMap<>();
        for (byte[] name : NAMES) {
            byFilename.put(NameEscaper.escapeColumn(filename(name)), name);
        }
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(List.of(), "trace"))) {
            ExecStorm.Result storm = storm(trace, lines -> lines.stream()
                    .filter(l -> byFilename.keySet().stream().anyMatch(l::endsWith)).count() >= EXECS);
            List<String> lines = trace.stdoutLines();
            Map<String, Long> counts = new HashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                assertThat(line).as("one whole line per exec").matches(TEXT_LINE);
                assertThat(line.split("[\\s\\p{Z}]+")).as("columns of %s", line).hasSize(5);
                assertThat(line).doesNotContain("\uFFFD").doesNotContainPattern("[\\p{Cc}&&[^\\t]]");
                for (Map.Entry<String, byte[]> e : byFilename.entrySet()) {
                    if (line.endsWith(" " + e.getKey())) {
                        String comm = NameEscaper.escapeColumn(ExecStorm.commOf(e.getValue()));
                        assertThat(line.substring(23)).as(line).startsWith(comm + " ");
                        counts.merge(e.getKey(), 1L, Long::sum);
                    }
                }
            }
            for (Map.Entry<String, byte[]> e : byFilename.entrySet()) {
                assertThat(counts.get(e.getKey())).as("lines for %s", e.getKey()).isEqualTo(expected(storm, e.getValue()));
            }
            trace.terminate();
            assertThat(trace.awaitExit(60_000)).contains(0);
        }
    }

    @Test
    void jsonLinesParseAndGiveBackTheExactBytes() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (Subprocess trace = Subprocess.start(Subprocess.exporter(List.of(), "trace", "--json"))) {
            String ours = binDir().toString();
            ExecStorm.Result storm = storm(trace, lines -> lines.stream().filter(l -> l.contains(ours)).count() >= EXECS);
            Map<String, Long> counts = new HashMap<>();
            for (String line : trace.stdoutLines()) {
                assertThat(line).doesNotContain("\uFFFD");
                JsonNode node = json.readTree(line);
                assertThat(node.size()).as("event, time, pid, uid, comm, cgroup, unit, container, ppid, filename, filename_truncated").isEqualTo(11);
                byte[] filename = NameEscaper.unescape(node.get("filename").asText());
                String hex = HexFormat.of().formatHex(filename);
                for (byte[] name : NAMES) {
                    if (hex.equals(HexFormat.of().formatHex(filename(name)))) {
                        assertThat(NameEscaper.unescape(node.get("comm").asText())).isEqualTo(ExecStorm.commOf(name));
                        counts.merge(HexFormat.of().formatHex(name), 1L, Long::sum);
                    }
                }
            }
            for (byte[] name : NAMES) {
                assertThat(counts.get(HexFormat.of().formatHex(name))).as("lines for %s", NameEscaper.escape(name))
                        .isEqualTo(expected(storm, name));
            }
            trace.terminate();
            assertThat(trace.awaitExit(60_000)).contains(0);
        }
    }
}
