package org.execexporter.process;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execexporter.testing.Http;
import org.execexporter.testing.Scrape;
import org.execexporter.testing.Subprocess;

/** The shaded jar run as the daemon (a {@link Subprocess}), on 127.0.0.1 and a port of its choosing; close() kills it. */
final class DaemonProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=\\S*:(\\d+) ");
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Subprocess subprocess;
    final Process process;
    /** Its stdout and stderr, line by line, as it runs. */
    final List<String> output;
    final int port;

    private DaemonProcess(Subprocess subprocess, int port) {
        this.subprocess = subprocess;
        this.process = subprocess.process();
        this.output = subprocess.lines();
        this.port = port;
    }

    /** Starts the daemon and returns once it listens and says it is ready. */
    static DaemonProcess start(String... flags) throws Exception {
        return start(List.of(), flags);
    }

    /** As {@link #start(String...)}, behind a wrapper command (setpriv, unshare); -X flags are JVM options. */
    static DaemonProcess start(List<String> wrapper, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--web.listen-address=127.0.0.1:0"));
        args.addAll(List.of(flags));
        return launch(Subprocess.exporter(wrapper, args.toArray(String[]::new)), -1);
    }

    /**
     * Runs {@code command} (the daemon, maybe behind a wrapper) and returns once it says it listens,
     * or at once with the port given when {@code port} is not -1 (it may listen only once asked).
     */
    static DaemonProcess launch(List<String> command, int port) throws Exception {
        return launch(command, java.util.Map.of(), port);
    }

    /** As {@link #launch(List, int)}, with {@code env} added to the environment. */
    static DaemonProcess launch(List<String> command, java.util.Map<String, String> env, int port) throws Exception {
        Subprocess p = Subprocess.startMerged(command, env);
        if (port != -1) {
            return new DaemonProcess(p, port);
        }
        Optional<String> listening = p.awaitLine(l -> LISTENING.matcher(l).find(), START_DEADLINE.toMillis());
        if (listening.isEmpty()) {
            p.close();
            throw new AssertionError("the daemon did not start (exit " + (p.process().isAlive() ? "-"
                    : p.process().exitValue()) + "): " + String.join("\n", p.lines()));
        }
        Matcher m = LISTENING.matcher(listening.get());
        m.find();
        return new DaemonProcess(p, Integer.parseInt(m.group(1)));
    }

    /** Waits, up to the start deadline, for a line of its output that matches; returns whether one came. */
    boolean awaitLine(Predicate<String> match) throws InterruptedException {
        return findLine(0, match, START_DEADLINE).isPresent();
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return Http.get(port, path, headers);
    }

    /** A scrape; the body must be valid UTF-8 (decoded strictly). */
    Scrape scrape() throws IOException, InterruptedException {
        return Scrape.fetch(port, "/metrics");
    }

    /** Scrapes until {@code done} holds or the deadline passes; returns the last scrape. */
    Scrape scrapeUntil(Predicate<Scrape> done, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Scrape s = scrape();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            s = scrape();
        }
        return s;
    }

    /** Sends a signal by name (HUP, TERM). */
    void signal(String name) throws IOException, InterruptedException {
        subprocess.signal(name);
    }

    /** Waits for a line of output that contains {@code text}, after the first {@code skip} lines; returns it. */
    String awaitLine(int skip, String text, Duration within) throws InterruptedException {
        return findLine(skip, l -> l.contains(text), within).orElseThrow(
                () -> new AssertionError("no line with \"" + text + "\" in: " + String.join("\n", output)));
    }

    /** The first line of output after the first {@code skip} that matches, once one comes; empty at the deadline or exit. */
    private Optional<String> findLine(int skip, Predicate<String> match, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            for (int i = skip; i < output.size(); i++) {
                if (match.test(output.get(i))) {
                    return Optional.of(output.get(i));
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                return Optional.empty();
            }
            Thread.sleep(50);
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM; the daemon must exit 0 by itself. */
    int stop() throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the daemon did not exit after SIGTERM");
        }
        subprocess.drain(); // the last lines of output
        return process.exitValue();
    }

    @Override
    public void close() {
        subprocess.close();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
