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
