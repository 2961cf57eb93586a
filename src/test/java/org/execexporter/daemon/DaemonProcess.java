package org.execexporter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shaded jar run as the daemon, on 127.0.0.1 and a port of its choosing; close() kills it. */
final class DaemonProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=\\S*:(\\d+) ");
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    final Process process;
    /** Its stdout and stderr, line by line, as it runs. */
    final List<String> output;
    final int port;
    private final HttpClient client = HttpClient.newHttpClient();

    private final Thread reader;

    private DaemonProcess(Process process, Thread reader, List<String> output, int port) {
        this.process = process;
        this.reader = reader;
        this.output = output;
        this.port = port;
    }

    static Path jar() {
        return Path.of(System.getProperty("execexporter.jar", "target/exec-exporter.jar"));
    }

    /** Starts the daemon and returns once it listens and says it is ready. */
    static DaemonProcess start(String... flags) throws Exception {
        return start(List.of(), flags);
    }

    /** As {@link #start(String...)}, behind a wrapper command (setpriv, unshare) and with JVM options before -jar. */
    static DaemonProcess start(List<String> wrapper, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : flags) {
            if (flag.startsWith("-X")) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-jar", jar().toString(), "--web.listen-address=127.0.0.1:0"));
        flags = java.util.Arrays.stream(flags).filter(f -> !f.startsWith("-X")).toArray(String[]::new);
        cmd.addAll(List.of(flags));
        return launch(cmd, -1);
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
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "daemon-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (port < 0) {
            for (String line : lines) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            if (port < 0) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("the daemon did not start (exit " + (p.isAlive() ? "-" : p.exitValue())
                            + "): " + String.join("\n", lines));
                }
                Thread.sleep(50);
            }
        }
        return new DaemonProcess(p, reader, lines, port);
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A scrape; the body must be valid UTF-8 (decoded strictly). */
    Scrape scrape() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return new Scrape(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(r.body())).toString());
    }

    /** Scrapes until {@code done} holds or the deadline passes; returns the last scrape. */
    Scrape scrapeUntil(java.util.function.Predicate<Scrape> done, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Scrape s = scrape();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            s = scrape();
        }
        return s;
    }

    long pid() {
        return process.pid();
    }

    /** Sends a signal by name (HUP, TERM) with kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -s %s", name).isZero();
    }

    /** Waits for a line of output that contains {@code text}, after the first {@code skip} lines; returns it. */
    String awaitLine(int skip, String text, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            for (int i = skip; i < output.size(); i++) {
                if (output.get(i).contains(text)) {
                    return output.get(i);
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("no line with \"" + text + "\" in: " + String.join("\n", output));
            }
            Thread.sleep(50);
        }
    }

    /** SIGTERM; the daemon must exit 0 by itself. */
    int stop() throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the daemon did not exit after SIGTERM");
        }
        reader.join(10_000); // the last lines of output
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
