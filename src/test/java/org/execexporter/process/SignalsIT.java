package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.execexporter.testing.ProcStatus;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Subprocess;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Signals, as the shipped jar gets them: SIGTERM and SIGINT stop the daemon and the trace with
 * exit status 0 from the moment their handlers are installed (first thing in main, so during
 * start-up); SIGUSR1, SIGUSR2 and SIGALRM are ignored with a log line, never a crash (no hs_err
 * file), with HotSpot's suspend signal left on SIGUSR2 as a bare `java -jar` has it, or moved as
 * the package's launcher does.
 */
@NeedsBpf
class SignalsIT {
    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=\\S*:(\\d+) ");
    private static final long SIGUSR1_BIT = 1L << (10 - 1);

    @TempDir
    Path dir;

    /**
     * The jar, in {@code dir}, with every signal at its default (a shell may have left SIGINT
     * ignored for background jobs, which the JVM would honour). The daemon's log (stderr) is merged
     * into its output lines; the trace keeps stdout (its lines) and stderr (warnings) apart.
     */
    private Subprocess start(String srSignum, String... args) throws IOException {
        List<String> wrapper = new ArrayList<>(List.of("env", "--default-signal"));
        if (!srSignum.isEmpty()) {
            wrapper.add("_JAVA_SR_SIGNUM=" + srSignum);
        }
        List<String> command = Subprocess.exporter(wrapper, args);
        return args.length > 0 && args[0].equals("trace") ? Subprocess.start(command, dir)
                : Subprocess.startMerged(command, dir);
    }

    /** Waits until the process catches SIGUSR1, which only the exporter's handlers do: they are installed. */
    private static void awaitHandlers(Subprocess p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String caught = ProcStatus.line(p.pid(), "SigCgt");
            if (!caught.isEmpty() && (Long.parseUnsignedLong(caught.substring(7).trim(), 16) & SIGUSR1_BIT) != 0) {
                return;
            }
            if (p.awaitExit(0).isPresent()) {
                throw new AssertionError("exited before installing its signal handlers: " + p.stderr());
            }
            Thread.sleep(2);
        }
        throw new AssertionError("the signal handlers were not installed within 60 s");
    }

    private List<Path> crashFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
        }
    }

    /** Exit 0, no crash file; the daemon's log (not the trace's lines: any comm may appear) without errors. */
    private void assertCleanExit(Subprocess p, String what) throws Exception {
        assertThat(p.awaitExit(30_000)).as("exit status of %s", what).contains(0);
        if (!what.startsWith("trace")) {
            assertThat(p.stdoutLines()).as("output of %s", what)
                    .noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("ERROR"));
        }
        assertThat(crashFiles()).as("hs_err files").isEmpty();
    }

    /** The signal as soon as the handlers are in place, or (daemon) once it says it starts loading the probe. */
    @ParameterizedTest(name = "{0} {1} at {2}")
    @CsvSource({"daemon, TERM, handlers", "daemon, INT, handlers", "daemon, TERM, starting", "daemon, INT, starting",
            "trace, TERM, handlers", "trace, INT, handlers"})
    void aStopSignalDuringStartUpExitsZero(String command, String signal, String when) throws Exception {
        String[] args = command.equals("trace") ? new String[] {"trace"}
                : new String[] {"--web.listen-address=127.0.0.1:0", "--no-collector.jvm"};
        try (Subprocess p = start("", args)) {
            if (when.equals("handlers")) {
                awaitHandlers(p);
            } else {
                assertThat(p.awaitLine(l -> l.contains("msg=\"Starting exec-exporter\""), 60_000)).isPresent();
            }
            long sent = System.nanoTime();
            p.signal(signal);
            assertCleanExit(p, command + " after SIG" + signal + " during start-up");
            System.out.printf("%s exited %d ms after SIG%s during start-up: %s%n", command,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent), signal, p.stdoutLines());
            assertThat(p.stderr()).isEmpty();
        }
    }

    @ParameterizedTest(name = "_JAVA_SR_SIGNUM={0}")
    @CsvSource(value = {"''", "39"})
    void theDaemonIgnoresUsr1Usr2AndAlrmAndKeepsServing(String srSignum) throws Exception {
        try (Subprocess p = start(srSignum, "--web.listen-address=127.0.0.1:0", "--no-collector.jvm")) {
            String listening = p.awaitLine(l -> LISTENING.matcher(l).find(), 60_000)
                    .orElseThrow(() -> new AssertionError("not listening: " + p.stdoutLines()));
            Matcher m = LISTENING.matcher(listening);
            assertThat(m.find()).isTrue();
            URI metrics = URI.create("http://127.0.0.1:" + m.group(1) + "/metrics");
            for (String signal : List.of("USR1", "USR2", "ALRM", "USR2", "USR1", "ALRM")) {
                p.signal(signal);
                assertThat(p.awaitExit(300)).as("still running after SIG%s", signal).isEmpty();
            }
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            for (String signal : List.of("USR1", "USR2", "ALRM")) {
                assertThat(p.stdoutLines()).as("logged").filteredOn(l -> l.contains("ignoring SIG" + signal + ":"))
                        .hasSize(1); // once a minute at most
            }
            p.terminate();
            assertCleanExit(p, "the daemon after SIGTERM");
        }
    }

    @ParameterizedTest(name = "_JAVA_SR_SIGNUM={0}")
    @CsvSource(value = {"''", "39"})
    void theTraceIgnoresUsr1Usr2AndAlrmAndKeepsTracing(String srSignum) throws Exception {
        try (Subprocess p = start(srSignum, "trace")) {
            assertThat(p.awaitLine(l -> l.startsWith("TIME "), 60_000)).isPresent();
            for (String signal : List.of("USR1", "USR2", "ALRM", "USR2")) {
                p.signal(signal);
                assertThat(p.awaitExit(300)).as("still running after SIG%s", signal).isEmpty();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!p.stderr().contains("ignoring SIGALRM") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(p.stderr().lines().toList()).as("stderr: one warning per signal")
                    .hasSize(3).allMatch(l -> l.matches(".*WARN.*ignoring SIG(USR1|USR2|ALRM): only SIGTERM and "
                            + "SIGINT stop exec-exporter.*"));
            p.terminate();
            assertCleanExit(p, "trace after SIGTERM");
        }
    }
}
