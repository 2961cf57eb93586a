package org.execexporter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.execexporter.base.BuildInfo;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.ListenAddress;
import org.execexporter.config.LogFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command up to the point where it would load BPF: flags, config, help, version, errors. */
class DaemonCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new DaemonCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(args));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --bogus                       | unknown flag --bogus (see --help)
            -v                            | unknown flag -v (see --help)
            serve                         | unexpected argument "serve" (see --help)
            --comm.max-series=0           | invalid value "0" for flag --comm.max-series: must be 1 or greater (see --help)
            --comm.max-series=lots        | invalid value "lots" for flag --comm.max-series: not a whole number (see --help)
            --comm.idle-timeout=10ms      | invalid value "10ms" for flag --comm.idle-timeout: must be from 1s to 3650d (see --help)
            --comm.idle-timeout=200000d   | invalid value "200000d" for flag --comm.idle-timeout: duration out of range (at most 106751d): "200000d" (see --help)
            --comm.idle-timeout=99999999999999999d | invalid value "99999999999999999d" for flag --comm.idle-timeout: duration out of range (at most 106751d): "99999999999999999d" (see --help)
            --bpf.poll-timeout=999999999999999999h | invalid value "999999999999999999h" for flag --bpf.poll-timeout: duration out of range (at most 106751d): "999999999999999999h" (see --help)
            --bpf.poll-timeout=2w1d       | invalid value "2w1d" for flag --bpf.poll-timeout: must be from 1ms to 10s (see --help)
            --queue.capacity=1            | invalid value "1" for flag --queue.capacity: must be from 2 to 4194304 (see --help)
            --web.listen-address=10135    | invalid value "10135" for flag --web.listen-address: must be host:port or :port (see --help)
            --web.telemetry-path=metrics  | invalid value "metrics" for flag --web.telemetry-path: must start with / and name a path, like /metrics (see --help)
            --log.level=loud              | invalid value "loud" for flag --log.level: must be one of debug, info, warn, error (see --help)
            --log.format=xml              | invalid value "xml" for flag --log.format: must be logfmt or json (see --help)
            --collector.jvm=maybe         | invalid value "maybe" for flag --collector.jvm: must be true or false (see --help)
            --bpf.ring-pages=3            | invalid value "3" for flag --bpf.ring-pages: must be a power of two from 1 to 65536 (see --help)
            --config.file=/no/such.yml    | config file /no/such.yml: no such file
            --comm.pinned=backup-database.sh | invalid value "backup-database.sh" for flag --comm.pinned: must be at most 15 bytes, as the kernel cuts a comm: "backup-database.sh" is 18 bytes; its comm is "backup-database" (see --help)
            --web.config.file=/no/web.yml | web config file /no/web.yml: no such file
            """)
    void badInputIsOneLineAndExitTwo(String arg, String message) {
        assertThat(run(arg)).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: " + message + "\n");
        assertThat(out.size()).isZero();
    }

    /** Control bytes from a flag, a YAML key or a file name come out as \\xNN, on one line that drives no terminal. */
    @Test
    void hostileBytesInFlagsKeysAndValuesAreRenderedOnOneLine() throws Exception {
        assertThat(run("--log.level=lo\nud\u001b[2J")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: invalid value \"lo\\x0aud\\x1b[2J\" for flag --log.level: "
                + "must be one of debug, info, warn, error (see --help)\n");
        err.reset();
        assertThat(run("--no\u001b]0;owned\u0007flag")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: unknown flag --no\\x1b]0;owned\\x07flag (see --help)\n");
        err.reset();
        Path file = Files.writeString(dir.resolve("c.yml"), "\"a\\nb\\e[31m\": 1\n");
        assertThat(run("--config.file=" + file)).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: config file " + file + ": unknown key /a\\x0ab\\x1b[31m "
                + "(known keys here: bpf, collector, comm, log, metrics, queue, rate, web)\n");
        err.reset();
        assertThat(run("--config.file=" + dir.resolve("new\nline\u202e.yml"))).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: config file " + dir + "/new\\x0aline\\xe2\\x80\\xae.yml: "
                + "no such file\n");
        err.reset();
        assertThat(run("--web.listen-address=a\n\u001b[31mb:1")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: invalid value \"a\\x0a\\x1b[31mb:1\" for flag "
                + "--web.listen-address: the host must hold no spaces or control characters (see --help)\n");
        assertThat(out.size()).isZero();
    }

    /** JDK messages that name exception classes ("java.io.IOException: Empty input") lose the class name. */
    @Test
    void errorLinesNameNoJavaClass() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        Path web = Files.writeString(dir.resolve("web.yml"), "tls_server_config: {cert_file: " + cert + ", key: x}\n");
        assertThat(run("--web.config.file=" + web)).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: web config file " + web
                + ": /tls_server_config/cert_file holds a certificate that cannot be parsed: Empty input\n");
    }

    @Test
    void badConfigFileIsOneLineNamingThePath() throws Exception {
        Path file = Files.writeString(dir.resolve("c.yml"), "comm:\n  max_series: 10\n  colour: blue\n");
        assertThat(run("--config.file=" + file)).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: config file " + file
                + ": unknown key /comm/colour (known keys here: allow, deny, idle_timeout, max_series, pinned)\n");
    }

    @Test
    void versionAndHelp() {
        assertThat(run("--version")).isZero();
        BuildInfo build = BuildInfo.load();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("exec-exporter version " + build.version() + " (revision " + build.revision() + ")\n");
        out.reset();
        assertThat(run("--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (String flag : List.of("--web.listen-address=VALUE", "--web.telemetry-path=VALUE", "--config.file=VALUE",
                "--log.level=VALUE", "--log.format=VALUE", "--comm.max-series=VALUE", "--comm.idle-timeout=VALUE",
                "--queue.capacity=VALUE", "--[no-]collector.jvm", "--bpf.ring-pages=VALUE", "--[no-]help",
                "--web.listen-address=VALUE ...", "--[no-]web.systemd-socket", "--comm.pinned=VALUE ...",
                "--[no-]config.check",
                "--[no-]version", "(default: :10135)")) {
            if (!help.contains(flag)) {
                missing.add(flag);
            }
        }
        assertThat(missing).isEmpty();
        assertThat(stderr()).isEmpty();
    }

    @Test
    void configCheckPrintsOneLineAndExitsZeroForGoodFiles() throws Exception {
        Path web = Files.writeString(dir.resolve("web.yml"), "basic_auth_users: {}\nrate_limit: {interval: 1s, burst: 5}\n");
        Path file = Files.writeString(dir.resolve("c.yml"), "comm: {pinned: [cron]}\nweb: {config_file: " + web + "}\n");
        assertThat(run("--config.check", "--config.file=" + file)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("exec-exporter: config file " + file + " and web config file " + web + ": valid\n");
        assertThat(stderr()).isEmpty();
        out.reset();
        assertThat(run("--config.check")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("exec-exporter: no config file (built-in defaults): valid\n");
    }

    @Test
    void configCheckOfABadFileIsTheDaemonsOwnLineAndExitTwo() throws Exception {
        Path web = Files.writeString(dir.resolve("web.yml"), "basic_auth_users: {prometheus: hunter2}\n");
        assertThat(run("--config.check", "--web.config.file=" + web)).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: web config file " + web + ": /basic_auth_users/prometheus "
                + "must be a bcrypt hash ($2y$10$... as htpasswd -nB writes it), not a plain password\n");
        assertThat(out.size()).isZero();
        err.reset();
        Path file = Files.writeString(dir.resolve("c.yml"), "comm: {max_series: 1, pinned: [a, b]}\n");
        assertThat(run("--config.check", "--config.file=" + file)).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: config file " + file + ": /comm/pinned must list at most "
                + "metrics.max_series (1) comms, not 2: pinned comms take slots of the series budget\n");
    }

    @Test
    void pinnedCommsFromTheFlagsMustFitTheBudgetTheFileSets() throws Exception {
        Path file = Files.writeString(dir.resolve("c.yml"), "comm: {max_series: 1}\n");
        assertThat(run("--config.file=" + file, "--comm.pinned=cron", "--comm.pinned=backup.sh")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("exec-exporter: comm.pinned (--comm.pinned or the config file) must list "
                + "at most metrics.max_series (1) comms, not 2: pinned comms take slots of the series budget (see --help)\n");
    }

    @Test
    void flagsOverrideTheFileWhichOverridesTheDefaults() throws Exception {
        Path file = Files.writeString(dir.resolve("c.yml"), """
                comm: {max_series: 7, idle_timeout: 10m}
                log: {format: json}
                bpf: {ring_pages: 16, wakeup_events: 8}
                """);
        DaemonCommand.Settings settings = new DaemonCommand(System.out, System.err).configure(
                List.of("--config.file", file.toString(), "--comm.max-series=9", "--no-collector.jvm",
                        "--bpf.ring-pages=32", "--no-capabilities.drop", "--web.listen-address=127.0.0.1:1",
                        "--web.listen-address=[::1]:2", "--comm.pinned=cron"), new BuildInfo("v", "r"));
        assertThat(settings.dropCapabilities()).isFalse();
        DaemonConfig c = settings.config();
        assertThat(c.metrics().maxSeries()).isEqualTo(9);
        assertThat(c.metrics().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.log().format()).isEqualTo(LogFormat.JSON);
        assertThat(c.collector().jvm()).isFalse();
        assertThat(c.bpf().ringPages()).isEqualTo(32);
        assertThat(c.bpf().wakeupEvents()).isEqualTo(8);
        assertThat(c.bpf().captureFilename()).isFalse();
        assertThat(c.web().listenAddresses()).containsExactly(new ListenAddress("127.0.0.1", 1),
                new ListenAddress("::1", 2));
        assertThat(c.metrics().pinned()).containsExactly("cron");
    }
}
