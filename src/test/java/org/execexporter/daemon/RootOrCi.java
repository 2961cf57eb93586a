package org.execexporter.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The integration tests load BPF for real. In CI (CI=true) they always run, so a machine where
 * BPF cannot load fails them; elsewhere, without root, they are skipped with a loud message.
 */
final class RootOrCi {
    private RootOrCi() {}

    static void require() {
        if ("true".equalsIgnoreCase(System.getenv("CI")) || isRoot()) {
            return;
        }
        System.err.println("*** SKIPPING " + StackWalker.getInstance().walk(s -> s.skip(1).findFirst())
                .map(f -> f.getClassName()).orElse("integration test")
                + ": it loads BPF and needs root (run as root, or with CI=true to make this a failure) ***");
        Assumptions.abort("not root and not CI");
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
