package org.execexporter.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that load BPF for real. As root they run. In CI (CI=true) they must run: not
 * being root there is a failure, not a skip. Elsewhere they are skipped, loudly.
 */
public final class RootOrCi {
    private RootOrCi() {}

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Call first in every test (or @BeforeAll) that needs BPF. */
    public static void requireBpf() {
        if (isRoot()) {
            return;
        }
        if (inCi()) {
            fail("CI=true but not running as root: the BPF tests must run in CI");
        }
        System.err.println("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                + "!!! SKIPPING BPF TESTS: not root. Run them as root (CI=true makes this fail).\n"
                + "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
        Assumptions.abort("BPF tests need root");
    }
}
