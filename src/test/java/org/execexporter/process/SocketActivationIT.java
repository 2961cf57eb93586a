package org.execexporter.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.execexporter.testing.RootOrCi;
import org.execexporter.testing.Subprocess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * --web.systemd-socket with the socket systemd's own tool passes (systemd-socket-activate: LISTEN_FDS,
 * LISTEN_PID, the socket at fd 3, the daemon started by the first connection), and without one.
 */
@NeedsBpf
class SocketActivationIT {
    private static final Path ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");

    @BeforeEach
    void socketActivateInstalled() {
        if (!RootOrCi.inCi()) { // in CI, a missing systemd-socket-activate fails the test
            Assumptions.assumeTrue(Files.isExecutable(ACTIVATE), "systemd-socket-activate is not installed");
        }
    }

    @Test
    void theFirstConnectionStartsTheDaemonOnThePassedSocket() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(ACTIVATE.toString(), "--listen=127.0.0.1:" + port));
        command.addAll(Subprocess.exporter(List.of(), "--web.systemd-socket", "--no-collector.jvm"));
        try (DaemonProcess daemon = DaemonProcess.launch(command, port)) {
            // systemd-socket-activate says when its socket listens ("Listening on ADDRESS as FD.")
            daemon.awaitLine(0, "Listening on 127.0.0.1:" + port + " as ", java.time.Duration.ofSeconds(60));
            Scrape first = daemon.scrape(); // waits in the socket's backlog until the daemon accepts it
            assertThat(first.samples).containsKey("exec_exporter_lost_events_total");
            assertThat(daemon.awaitLine(0, "msg=\"Listening on\"", java.time.Duration.ofSeconds(60)))
                    .contains("address=127.0.0.1:" + port);
            assertThat(daemon.stop()).isZero();
        }
    }

    @Test
    void withoutASocketFromSystemdItIsOneLineAndExitOne() throws Exception {
        try (Subprocess daemon = Subprocess.start(Subprocess.exporter(List.of(), "--web.systemd-socket"))) {
            assertThat(daemon.awaitExit(60_000)).contains(1);
            assertThat(daemon.stderr()).endsWith("\nexec-exporter: systemd passed no socket (LISTEN_PID and LISTEN_FDS "
                    + "are not set): --web.systemd-socket needs a .socket unit that starts the service\n")
                    .doesNotContain("Exception");
        }
    }
}
