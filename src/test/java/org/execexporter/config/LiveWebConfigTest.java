package org.execexporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.execexporter.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web config file looked at on every call: re-read when it or a file it names changes, and only then. */
class LiveWebConfigTest {
    @TempDir
    static Path pkiDir;
    static TestPki pki;
    static String hash;

    @TempDir
    Path dir;
    private final List<Boolean> reloads = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        pki = new TestPki(pkiDir).ca("ca").leaf("server", "ec-pkcs8", "ca", "IP:127.0.0.1", false)
                .leaf("rotated", "ec-pkcs8", "ca", "IP:127.0.0.1", false);
        hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
    }

    @BeforeEach
    void files() throws Exception {
        Files.copy(pkiDir.resolve("server.crt"), dir.resolve("tls.crt"));
        Files.copy(pkiDir.resolve("server.key"), dir.resolve("tls.key"));
    }

    /** Replaces a file as rotation tools do: a new file renamed over the old one. */
    private Path write(String name, String text) throws Exception {
        Path tmp = Files.writeString(dir.resolve(name + ".tmp"), text);
        return Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void copy(Path from, String name) throws Exception {
        write(name, Files.readString(from));
    }

    private LiveWebConfig open(Path file) throws ConfigException {
        LiveWebConfig live = LiveWebConfig.open(file);
        live.onReload(reloads::add);
        return live;
    }

    private static final String TLS = "tls_server_config: {cert_file: tls.crt, key_file: tls.key}\n";

    @Test
    void anUnchangedFileIsNotReadAgain() throws Exception {
        LiveWebConfig live = open(write("web.yml", TLS));
        WebConfig first = live.current();
        assertThat(live.current()).isSameAs(first);
        assertThat(live.current()).isSameAs(first);
        assertThat(reloads).isEmpty();
    }

    @Test
    void aChangedFileIsReadOnTheNextCall() throws Exception {
        LiveWebConfig live = open(write("web.yml", TLS + "basic_auth_users: {a: '" + hash + "'}\n"));
        assertThat(live.current().basicAuthUsers()).containsOnlyKeys("a");
        write("web.yml", TLS + "basic_auth_users: {b: '" + hash + "'}\n");
        assertThat(live.current().basicAuthUsers()).containsOnlyKeys("b");
        assertThat(reloads).containsExactly(true);
    }

    @Test
    void aRotatedCertificateIsReadWithoutTouchingTheWebConfigFile() throws Exception {
        LiveWebConfig live = open(write("web.yml", TLS));
        assertThat(live.current().tls().certificates().get(0)).isEqualTo(pki.certificate("server"));
        copy(pkiDir.resolve("rotated.key"), "tls.key");
        copy(pkiDir.resolve("rotated.crt"), "tls.crt");
        assertThat(live.current().tls().certificates().get(0)).isEqualTo(pki.certificate("rotated"));
    }

    @Test
    void aHalfRotatedPairKeepsTheRunningConfigUntilItMatchesAgain() throws Exception {
        LiveWebConfig live = open(write("web.yml", TLS));
        WebConfig running = live.current();
        copy(pkiDir.resolve("rotated.crt"), "tls.crt"); // the key is still the old one
        assertThat(live.current()).isSameAs(running);
        assertThat(live.current()).isSameAs(running);
        assertThat(reloads).as("one failure per change, not one per call").containsExactly(false);
        copy(pkiDir.resolve("rotated.key"), "tls.key");
        assertThat(live.current().tls().certificates().get(0)).isEqualTo(pki.certificate("rotated"));
        assertThat(reloads).containsExactly(false, true);
    }

    @Test
    void aFileThatDoesNotParseKeepsTheRunningConfig() throws Exception {
        LiveWebConfig live = open(write("web.yml", "basic_auth_users: {a: '" + hash + "'}\n"));
        WebConfig running = live.current();
        write("web.yml", "basic_auth_users: {a: hunter2}\n");
        assertThat(live.current()).isSameAs(running);
        assertThatThrownBy(() -> live.reload(live.file())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("/basic_auth_users/a must be a bcrypt hash");
        assertThat(live.current()).isSameAs(running);
    }

    @Test
    void turningTlsOnOrOffNeedsARestartAndChangesNothing() throws Exception {
        LiveWebConfig plain = open(write("plain.yml", "basic_auth_users: {}\n"));
        write("plain.yml", TLS);
        assertThat(plain.current().tlsEnabled()).isFalse();
        assertThat(reloads).containsExactly(false);

        LiveWebConfig tls = open(write("tls.yml", TLS));
        assertThatThrownBy(() -> tls.reload(null)).hasMessage("no web config file turns TLS off: that needs a "
                + "restart; serving with the running web config");
        assertThat(tls.current().tlsEnabled()).isTrue();
    }

    @Test
    void aReloadMayNameAnotherFile() throws Exception {
        LiveWebConfig live = open(null);
        assertThat(live.current()).isEqualTo(WebConfig.open());
        Path other = write("other.yml", "rate_limit: {interval: 1s, burst: 3}\n");
        live.reload(other);
        assertThat(live.file()).isEqualTo(other);
        assertThat(live.current().rateLimit().burst()).isEqualTo(3);
    }
}
