package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Subprocess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sd_notify messages of the shipped jar, read from a Unix datagram socket as systemd reads
 * them (NOTIFY_SOCKET, a path or an abstract name): READY=1 once it serves, RELOADING=1 then
 * READY=1 around a SIGHUP, STOPPING=1 on SIGTERM, and no READY=1 from a start that fails.
 * (packaging/test/test-nspawn.sh checks the same under a real systemd.)
 */
@NeedsBpf
class SystemdNotifyIT {
    /** A Unix datagram socket that prints each message it gets on one line, \n as \\n. */
    private static final String LISTENER = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(sys.argv[1].replace('@', '\\0', 1) if sys.argv[1].startswith('@') else sys.argv[1])
            print('bound', flush=True)
            while True:
                print(s.recv(4096).decode().replace('\\n', '\\\\n'), flush=True)
            """;

    @TempDir
    Path dir;
    private Process listener;
    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();

    @AfterEach
    void stopListener() {
        if (listener != null) {
            listener.destroyForcibly();
        }
    }

    private void listen(String address) throws Exception {
        listener = new ProcessBuilder("python3", "-c", LISTENER, address).redirectErrorStream(true).start();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(listener.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    messages.add(line);
                }
            } catch (java.io.IOException e) {
                // the listener ended
            }
        }, "notify-listener");
        t.setDaemon(true);
        t.start();
        assertThat(next()).isEqualTo("bound");
    }

    private String next() throws InterruptedException {
        String m = messages.poll(60, TimeUnit.SECONDS);
        assertThat(m).as("a message within 60 s").isNotNull();
        return m;
    }

    @Test
    void readyOnceServingReloadingAroundSighupStoppingOnSigterm() throws Exception {
        String socket = dir.resolve("notify").toString();
        listen(socket);
        List<String> command = Subprocess.exporter(List.of(), "--web.listen-address=127.0.0.1:0", "--no-collector.jvm");
        try (DaemonProcess daemon = DaemonProcess.launch(command, Map.of("NOTIFY_SOCKET", socket), -1)) {
            assertThat(next()).isEqualTo("STATUS=Loading the BPF program");
            String ready = next();
            assertThat(ready).startsWith("READY=1\\nSTATUS=Counting execs; metrics on 127.0.0.1:" + daemon.port
                    + "/metrics");
            assertThat(daemon.scrape().samples).containsKey("exec_exporter_lost_events_total");

            daemon.signal("HUP");
            assertThat(next()).matches("RELOADING=1\\\\nMONOTONIC_USEC=\\d+\\\\nSTATUS=Reloading the configuration");
            assertThat(next()).isEqualTo(ready);

            daemon.process.toHandle().destroy();
            assertThat(next()).startsWith("STOPPING=1\\nSTATUS=Stopping");
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void aStartThatFailsSaysWhyAndIsNeverReady() throws Exception {
        listen("@exec-exporter-test-" + ProcessHandle.current().pid());
        List<String> command = Subprocess.exporter(List.of(), "--web.systemd-socket");
        ProcessBuilder failing = new ProcessBuilder(command).redirectErrorStream(true);
        failing.environment().put("NOTIFY_SOCKET", "@exec-exporter-test-" + ProcessHandle.current().pid());
        Process p = failing.start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isEqualTo(1);
        assertThat(next()).startsWith("STATUS=Failed to start: systemd passed no socket");
        assertThat(messages.poll(1, TimeUnit.SECONDS)).as("nothing more, READY=1 least of all").isNull();
    }
}
