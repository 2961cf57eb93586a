package org.execexporter.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs src/test/native/execstorm and reads back exactly how many execs of each name it made. */
public final class ExecStorm {
    /** Execs per name (raw bytes as hex), their total, failures and the seconds it took. */
    public record Result(Map<String, Long> perNameHex, long total, long failed, double seconds) {
        public double rate() {
            return total / seconds;
        }
    }

    private ExecStorm() {}

    /**
     * Execs copies of noop named {@code names} (raw bytes) in {@code dir}: {@code count} execs in all
     * over {@code workers} workers, round robin over the names.
     */
    public static Result run(Path dir, int workers, long count, List<byte[]> names)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--workers", String.valueOf(workers), "--count",
                String.valueOf(count)));
        return execute(dir, args, names);
    }

    /** As {@link #run}, for a time and optionally at a rate (execs/s over all workers; 0: flat out). */
    public static Result runFor(Path dir, int workers, double seconds, double rate, List<byte[]> names)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--workers", String.valueOf(workers), "--seconds",
                String.valueOf(seconds), "--rate", String.valueOf(rate)));
        return execute(dir, args, names);
    }

    private static Result execute(Path dir, List<String> options, List<byte[]> names)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(TestNative.execstorm().toString(),
                "--binary", TestNative.noop().toString(), "--dir", dir.toString()));
        command.addAll(options);
        for (byte[] name : names) {
            command.add(HexFormat.of().formatHex(name));
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("execstorm failed: " + output);
        }
        Map<String, Long> perName = new LinkedHashMap<>();
        long total = -1;
        long failed = -1;
        double seconds = 0;
        for (String line : output.split("\n")) {
            String[] f = line.split(" ");
            if (f[0].equals("name")) {
                perName.put(f[1], Long.parseLong(f[2]));
            } else if (f[0].equals("total")) {
                total = Long.parseLong(f[1]);
                failed = Long.parseLong(f[3]);
                seconds = Double.parseDouble(f[5]);
            }
        }
        if (total < 0) {
            throw new IOException("execstorm printed no total: " + output);
        }
        return new Result(perName, total, failed, seconds);
    }

    public static byte[] ascii(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    /** The comm the kernel gives a process exec'd from a file of this name: its first 15 bytes. */
    public static byte[] commOf(byte[] name) {
        return java.util.Arrays.copyOf(name, Math.min(name.length, 15));
    }
}
