package org.execexporter.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The test helpers built by src/test/native/Makefile, and the exporter's shaded jar. */
public final class TestNative {
    private TestNative() {}

    public static Path dir() {
        String dir = System.getProperty("execexporter.testNativeDir", "target/test-native");
        return Path.of(dir).toAbsolutePath();
    }

    /** noop: a static binary that exits 0 at once. */
    public static Path noop() {
        return existing(dir().resolve("noop"));
    }

    public static Path execstorm() {
        return existing(dir().resolve("execstorm"));
    }

    public static Path execat() {
        return existing(dir().resolve("execat"));
    }

    /** exit3: exits with status 3. */
    public static Path exit3() {
        return existing(dir().resolve("exit3"));
    }

    /** killself: ends killed by SIGKILL. */
    public static Path killself() {
        return existing(dir().resolve("killself"));
    }

    /** segv: ends killed by SIGSEGV (a real fault; no core file). */
    public static Path segv() {
        return existing(dir().resolve("segv"));
    }

    /** sleeper MS: lives at least MS milliseconds, then exits 0. */
    public static Path sleeper() {
        return existing(dir().resolve("sleeper"));
    }

    /** execfail MISSING NOEXEC [JUNK]: execve calls that fail with ENOENT, EACCES, ENOEXEC. */
    public static Path execfail() {
        return existing(dir().resolve("execfail"));
    }

    /** threads before|after|after-exit N CODE: threads that exit before or after their leader. */
    public static Path threads() {
        return existing(dir().resolve("threads"));
    }

    /** A copy of noop named {@code name} in {@code dir} (made, world-readable): execs of it have that comm. */
    public static Path copyNoop(Path dir, String name) throws java.io.IOException {
        return copyAs(noop(), dir, name);
    }

    /** A copy of the helper {@code binary} named {@code name} in {@code dir}: its processes have that comm. */
    public static Path copyAs(Path binary, Path dir, String name) throws java.io.IOException {
        Files.createDirectories(dir);
        Path path = dir.resolve(name);
        Files.copy(binary, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    /** A name of {@code prefix} and random hex, 15 bytes long: a comm nothing else has. */
    public static String uniqueName(String prefix) {
        return prefix + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 15 - prefix.length());
    }

    /** target/exec-exporter.jar (set by failsafe). */
    public static Path jar() {
        return existing(Path.of(System.getProperty("execexporter.jar", "target/exec-exporter.jar")).toAbsolutePath());
    }

    private static Path existing(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: build with mvn first");
        }
        return path;
    }
}
