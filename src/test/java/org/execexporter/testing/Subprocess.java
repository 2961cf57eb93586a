package org.execexporter.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process whose stdout lines and stderr are collected as they come: the one way tests
 * start the exporter's jar ({@link #exporter}), directly or through DaemonProcess. Close kills it.
 */
public final class Subprocess implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> allLines = new CopyOnWriteArrayList<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Thread outReader;
    private final Thread errReader;

    private Subprocess(Process process) {
        this.process = process;
        outReader = pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
                line -> {
                    allLines.add(line); // first: whoever awaitLine() woke sees the line in lines() too
                    lines.add(line);
                });
        errReader = pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
                line -> stderr.append(line).append('\n'));
    }

    public static Subprocess start(List<String> command) throws IOException {
        return new Subprocess(new ProcessBuilder(command).start());
    }

    /** As {@link #start}, with stderr merged into the stdout lines (a daemon's log and its errors, in order). */
    public static Subprocess startMerged(List<String> command) throws IOException {
        return startMerged(command, java.util.Map.of());
    }

    /** As {@link #startMerged(List)}, with {@code env} added to the environment. */
    public static Subprocess startMerged(List<String> command, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return new Subprocess(builder.start());
    }

    /** As {@link #start(List)}, in {@code directory} (where a crashing JVM would write its hs_err file). */
    public static Subprocess start(List<String> command, java.nio.file.Path directory) throws IOException {
        return new Subprocess(new ProcessBuilder(command).directory(directory.toFile()).start());
    }

    /** As {@link #startMerged(List)}, in {@code directory}. */
    public static Subprocess startMerged(List<String> command, java.nio.file.Path directory) throws IOException {
        return new Subprocess(new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .start());
    }

    /**
     * {@code java [-X...] -jar exec-exporter.jar ARGS...}, optionally behind a wrapper (unshare,
     * setpriv): arguments that start with -X are JVM options and go before -jar.
     */
    public static List<String> exporter(List<String> wrapper, String... args) {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Arrays.stream(args).filter(a -> a.startsWith("-X")).forEach(command::add);
        command.add("-jar");
        command.add(TestNative.jar().toString());
        Arrays.stream(args).filter(a -> !a.startsWith("-X")).forEach(command::add);
        return command;
    }

    private static Thread pump(BufferedReader reader, java.util.function.Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (reader) {
                String line;
                while ((line = reader.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException ignored) {
                // the process went away
            }
        }, "subprocess-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Every stdout line so far, and those still to come: a live, read-only view. */
    public List<String> lines() {
        return Collections.unmodifiableList(allLines);
    }

    /** Waits for the readers to reach the end of the output (after the process exited). */
    public void drain() throws InterruptedException {
        outReader.join(10_000);
        errReader.join(10_000);
    }

    /** The next stdout line that matches, waiting up to {@code millis}. */
    public Optional<String> awaitLine(Predicate<String> match, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (line != null && match.test(line)) {
                return Optional.of(line);
            }
        }
    }

    /** Waits up to {@code millis} for exit; the exit code, or empty if still running. */
    public Optional<Integer> awaitExit(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        outReader.join(30_000); // at once, unless a loaded machine is slow to read the last lines
        errReader.join(30_000);
        return Optional.of(process.exitValue());
    }

    /** SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    public void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
    }

    public String stderr() {
        return stderr.toString();
    }

    public List<String> stdoutLines() {
        return new ArrayList<>(allLines);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
