package org.execexporter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs target/test-native/execstorm and reads back how many execs of each name succeeded. */
final class ExecStorm {
    /** Execs per name (by the name's bytes, hex), the total, and the achieved rate. */
    record Result(Map<String, Long> perName, long total, long failed, double seconds) {
        double rate() {
            return total / seconds;
        }
    }

    private ExecStorm() {}

    static Path nativeDir() {
        return Path.of(System.getProperty("execexporter.testNativeDir", "target/test-native"));
    }

    static Result run(Path dir, int workers, long count, List<byte[]> names) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(nativeDir().resolve("execstorm").toString(),
                "--binary", nativeDir().resolve("noop").toString(), "--dir", dir.toString(),
                "--workers", String.valueOf(workers), "--count", String.valueOf(count)));
        for (byte[] name : names) {
            cmd.add(HexFormat.of().formatHex(name));
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("execstorm finished").isTrue();
            assertThat(p.exitValue()).as("execstorm exit status; output: %s", out).isZero();
            Map<String, Long> perName = new LinkedHashMap<>();
            long total = -1;
            long failed = -1;
            double seconds = 0;
            for (String line : out.split("\n")) {
                String[] f = line.split(" ");
                if (f[0].equals("name")) {
                    perName.put(f[1], Long.parseLong(f[2]));
                } else if (f[0].equals("total")) {
                    total = Long.parseLong(f[1]);
                    failed = Long.parseLong(f[3]);
                    seconds = Double.parseDouble(f[5]);
                }
            }
            assertThat(total).as("execstorm total line in: %s", out).isNotNegative();
            return new Result(perName, total, failed, seconds);
        } finally {
            p.destroyForcibly();
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The comm the kernel gives an exec of a file with this name: its first 15 bytes. */
    static byte[] comm(byte[] name) {
        return java.util.Arrays.copyOf(name, Math.min(15, name.length));
    }
}
