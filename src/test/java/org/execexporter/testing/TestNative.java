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

    /** A copy of noop named {@code name} in {@code dir} (made, world-readable): execs of it have that comm. */
    public static Path copyNoop(Path dir, String name) throws java.io.IOException {
        Files.createDirectories(dir);
        Path path = dir.resolve(name);
        Files.copy(noop(), path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
