package org.execexporter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.execexporter.base.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files named in the configuration: regular files only, and never more than the cap read. */
class FileTextTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"/dev/zero", "/dev/urandom", "/dev/null"})
    void devicesAreRefusedWithoutReadingThem(String device) {
        assertTimeoutPreemptively(PROMPTLY, () -> assertThatThrownBy(() -> FileText.read(Path.of(device), "config file"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + device + ": cannot read it: not a regular file")
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCodes.FAILURE)));
    }

    @Test
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertTimeoutPreemptively(PROMPTLY, () -> assertThatThrownBy(() -> FileText.read(fifo, "web config file"))
                .hasMessage("web config file " + fifo + ": cannot read it: not a regular file"));
    }

    @Test
    void aSymbolicLinkToARegularFileIsRead() throws Exception {
        Path file = Files.writeString(dir.resolve("real.yml"), "web: {}\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.yml"), file);
        assertThat(FileText.read(link, "config file")).isEqualTo("web: {}\n");
        Path toDevice = Files.createSymbolicLink(dir.resolve("zero.yml"), Path.of("/dev/zero"));
        assertTimeoutPreemptively(PROMPTLY, () -> assertThatThrownBy(() -> FileText.read(toDevice, "config file"))
                .hasMessageEndingWith(": not a regular file"));
    }

    @Test
    void theCapIsOneMebibyte() throws Exception {
        Path exact = Files.write(dir.resolve("exact"), "a".repeat(FileText.MAX_BYTES).getBytes());
        assertThat(FileText.read(exact, "f")).hasSize(FileText.MAX_BYTES);
        Path over = Files.write(dir.resolve("over"), "a".repeat(FileText.MAX_BYTES + 1).getBytes());
        assertThatThrownBy(() -> FileText.read(over, "f")).hasMessage("f " + over + ": cannot read it: larger than 1 MiB");
    }

    @Test
    void textThatIsNotUtf8IsAUsageError() throws Exception {
        Path latin1 = Files.write(dir.resolve("latin1"), new byte[] {'a', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> FileText.read(latin1, "f")).hasMessage("f " + latin1 + ": not UTF-8 text")
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }
}
