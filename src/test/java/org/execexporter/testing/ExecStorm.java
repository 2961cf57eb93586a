package org.execexporter.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs src/test/native/execstorm and reads back exactly how many execs of each name it made.
 * The environment variable {@value #RATE_CAP_VARIABLE} (execs per second) caps the rate of every
 * storm, to run the suite as on a machine that execs that slowly (SLOW=1 scripts/test.sh).
 */
public final class ExecStorm {
    public static final String RATE_CAP_VARIABLE = "EXEC_STORM_RATE_CAP";
    /** The least a test waits for what a storm made to be seen, however short the storm was. */
    private static final Duration MIN_DEADLINE = Duration.ofSeconds(60);

    /** Execs per name (raw bytes as hex), their total, failures and the seconds it took. */
    public record Result(Map<String, Long> perNameHex, long total, long failed, double seconds) {
        public double rate() {
            return total / seconds;
        }

        /**
         * How long to wait for the storm's execs to be seen, counted or reported: three times as long
         * as the storm took, at least a minute. The machine that ran the storm that fast (or that
         * slowly) reads it at its own pace too; no rate is assumed.
         */
        public Duration deadline() {
            Duration scaled = Duration.ofMillis((long) (seconds * 3_000));
            return scaled.compareTo(MIN_DEADLINE) > 0 ? scaled : MIN_DEADLINE;
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
        return result(start(List.of(), dir, args, 0, names, 0));
    }

    /**
     * As {@link #run}, in the cgroup v2 directory {@code cgroup}: a shell moves itself into it, then
     * execs the storm, whose every process starts there.
     */
    public static Result runInCgroup(Path cgroup, Path dir, int workers, long count, List<byte[]> names)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--workers", String.valueOf(workers), "--count",
                String.valueOf(count)));
        List<String> wrapper = List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString());
        return result(start(wrapper, dir, args, 0, names, 0));
    }

    /**
     * {@code countPerCpu} execs in the cgroup v2 directory {@code cgroup} on each CPU of {@link #cpus()}
     * in turn (taskset), as one result: the cgroup's records reach every CPU's ring.
     */
    public static Result runInCgroupOnEveryCpu(Path cgroup, Path dir, long countPerCpu, List<byte[]> names)
            throws IOException, InterruptedException {
        Map<String, Long> perName = new LinkedHashMap<>();
        long total = 0;
        long failed = 0;
        double seconds = 0;
        for (int cpu : cpus()) {
            List<String> wrapper = List.of("taskset", "-c", String.valueOf(cpu), "sh", "-c",
                    "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString());
            Result r = result(start(wrapper, dir.resolve("cpu" + cpu), List.of("--workers", "1", "--count",
                    String.valueOf(countPerCpu)), 0, names, 0));
            r.perNameHex().forEach((k, v) -> perName.merge(k, v, Long::sum));
            total += r.total();
            failed += r.failed();
            seconds += r.seconds();
        }
        return new Result(perName, total, failed, seconds);
    }

    /** The CPUs this process may run on (Cpus_allowed_list of /proc/self/status), e.g. [0, 1]. */
    public static List<Integer> cpus() throws IOException {
        String list = ProcStatus.line(ProcessHandle.current().pid(), "Cpus_allowed_list").replaceAll(".*:\\s*", "");
        List<Integer> cpus = new ArrayList<>();
        for (String range : list.split(",")) {
            String[] ends = range.split("-");
            for (int cpu = Integer.parseInt(ends[0]); cpu <= Integer.parseInt(ends[ends.length - 1]); cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    /**
     * {@code countPerCpu} execs of {@code names} on each CPU of {@link #cpus()}, by storms pinned to
     * their CPU (taskset) running at once: the BPF program runs on the CPU that execs, so each CPU's
     * perf ring gets exactly its storm's execs (and whatever else runs there). Results by CPU.
     */
    public static Map<Integer, Result> onEveryCpu(Path dir, long countPerCpu, List<byte[]> names)
            throws IOException, InterruptedException {
        return onEveryCpu(dir, countPerCpu, cpu -> names);
    }

    /** As {@link #onEveryCpu(Path, long, List)}, with names of each CPU's own. */
    public static Map<Integer, Result> onEveryCpu(Path dir, long countPerCpu, IntFunction<List<byte[]>> namesOf)
            throws IOException, InterruptedException {
        List<Integer> cpus = cpus();
        java.nio.file.Files.createDirectories(dir);
        Map<Integer, Process> running = new LinkedHashMap<>();
        try {
            for (int cpu : cpus) {
                running.put(cpu, start(List.of("taskset", "-c", String.valueOf(cpu)), dir.resolve("cpu" + cpu),
                        List.of("--workers", "1", "--count", String.valueOf(countPerCpu)), cpus.size(), namesOf.apply(cpu),
                        0));
            }
            Map<Integer, Result> results = new LinkedHashMap<>();
            for (Map.Entry<Integer, Process> e : running.entrySet()) {
                results.put(e.getKey(), result(e.getValue()));
            }
            return results;
        } finally {
            running.values().forEach(Process::destroyForcibly); // those that failed early leave none behind
        }
    }

    /** As {@link #run}, for a time and optionally at a rate (execs/s over all workers; 0: flat out). */
    public static Result runFor(Path dir, int workers, double seconds, double rate, List<byte[]> names)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--workers", String.valueOf(workers), "--seconds",
                String.valueOf(seconds)));
        return result(start(List.of(), dir, args, 0, names, rate));
    }

    /**
     * Starts execstorm behind {@code wrapper} at {@code rate} (0: flat out), capped by the environment's
     * {@value #RATE_CAP_VARIABLE} divided among the {@code sharing} storms that run at once (0: alone).
     */
    private static Process start(List<String> wrapper, Path dir, List<String> options, int sharing,
                                 List<byte[]> names, double rate) throws IOException {
        String capValue = System.getenv(RATE_CAP_VARIABLE);
        if (capValue != null && !capValue.isBlank()) {
            double cap = Double.parseDouble(capValue) / Math.max(1, sharing);
            rate = rate > 0 ? Math.min(rate, cap) : cap;
        }
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(TestNative.execstorm().toString(),
                "--binary", TestNative.noop().toString(), "--dir", dir.toString()));
        command.addAll(options);
        if (rate > 0) {
            command.addAll(List.of("--rate", String.valueOf(rate)));
        }
        for (byte[] name : names) {
            command.add(HexFormat.of().formatHex(name));
        }
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Waits for a storm to end and reads what it made. */
    private static Result result(Process process) throws IOException, InterruptedException {
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
