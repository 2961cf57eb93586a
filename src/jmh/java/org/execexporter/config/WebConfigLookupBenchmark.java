package org.execexporter.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What looking at the web config costs each request and each TLS handshake when nothing changed
 * ({@link LiveWebConfig#current}): one stat(2) of each file the config was read from — here the
 * file, a certificate and a key, made with openssl — against a config that never changes.
 * Run: {@code mvn -Pjmh test-compile exec:exec@jmh -Djmh.args="-f 1 WebConfigLookup"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WebConfigLookupBenchmark {
    private Path dir;
    private LiveWebConfig live;
    private WebConfigSource fixed;

    @Setup(Level.Trial)
    public void files() throws Exception {
        dir = Files.createTempDirectory("web-config-bench");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tls.key", "-out", "tls.crt", "-days", "1",
                "-subj", "/CN=bench").directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("openssl failed");
        }
        Path file = Files.writeString(dir.resolve("web.yml"),
                "tls_server_config: {cert_file: tls.crt, key_file: tls.key}\n");
        live = LiveWebConfig.open(file);
        fixed = WebConfigSource.fixed(live.current());
    }

    @TearDown(Level.Trial)
    public void clean() throws Exception {
        for (String f : new String[] {"web.yml", "tls.crt", "tls.key"}) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public WebConfig liveFile() {
        return live.current();
    }

    @Benchmark
    public WebConfig fixedConfig() {
        return fixed.current();
    }
}
