package org.execexporter.attribution;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Loads the library that the build put on the classpath, as the daemon's loader would before any lookup. */
final class NativeForTests {
    private static final String RESOURCE = "/native/linux-x86_64/libexecexporter.so";

    private NativeForTests() {}

    static synchronized void load() throws IOException {
        Path copy = Files.createTempFile("libexecexporter-test-", ".so");
        try (InputStream in = NativeForTests.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath: build with mvn first");
            }
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            System.load(copy.toString());
        } finally {
            Files.delete(copy);
        }
    }
}
