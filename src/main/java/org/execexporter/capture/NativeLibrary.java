package org.execexporter.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads libexecexporter.so once: from the path in the system property
 * {@value #PATH_PROPERTY} if set (packages install it under /usr/lib), else from the copy inside
 * the jar, else from java.library.path. A failure names every place tried.
 */
public final class NativeLibrary {
    static final String PATH_PROPERTY = "execexporter.native.library";
    private static final String NAME = "execexporter";
    private static final String RESOURCE = "/native/linux-x86_64/lib" + NAME + ".so";

    private static boolean loaded;

    private NativeLibrary() {}

    public static synchronized void load() {
        if (loaded) {
            return;
        }
        List<String> tried = new ArrayList<>();
        String override = System.getProperty(PATH_PROPERTY);
        if (override != null && !override.isEmpty()) {
            tryLoad(override, tried);
        } else {
            Path extracted = extractFromJar(tried);
            if (extracted != null) {
                tryLoad(extracted.toString(), tried);
                deleteQuietly(extracted); // the loaded mapping outlives the file
            }
            if (!loaded) {
                try {
                    System.loadLibrary(NAME);
                    loaded = true;
                } catch (UnsatisfiedLinkError e) {
                    tried.add("java.library.path (" + System.getProperty("java.library.path") + "): " + e.getMessage());
                }
            }
        }
        if (!loaded) {
            throw new UnsatisfiedLinkError("cannot load the native library lib" + NAME + ".so; tried: "
                    + String.join("; ", tried));
        }
    }

    private static void tryLoad(String path, List<String> tried) {
        Path file = Path.of(path).toAbsolutePath();
        if (Files.exists(file) && !Files.isRegularFile(file)) { // a FIFO would block the load for ever
            tried.add(path + ": not a regular file");
            return;
        }
        try {
            System.load(file.toString());
            loaded = true;
        } catch (UnsatisfiedLinkError e) {
            tried.add(path + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }

    private static Path extractFromJar(List<String> tried) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                tried.add("classpath resource " + RESOURCE + ": not found");
                return null;
            }
            Path file = Files.createTempFile("lib" + NAME + "-", ".so");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            tried.add("classpath resource " + RESOURCE + ": cannot extract: " + e.getMessage());
            return null;
        }
    }
}
