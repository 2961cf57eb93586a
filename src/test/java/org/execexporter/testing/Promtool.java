package org.execexporter.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** promtool, from Debian's prometheus package, when installed (it always is in CI). */
public final class Promtool {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private Promtool() {}

    /** {@code promtool check metrics} accepts the scrape (outside CI a missing promtool skips, loudly; in CI it fails). */
    public static void assertAccepts(String scrape) throws IOException, InterruptedException {
        if (!Files.isExecutable(PROMTOOL)) {
            String missing = PROMTOOL + " is missing: install the prometheus package (scripts/setup.sh --test)";
            if (RootOrCi.inCi()) {
                fail("CI=true but " + missing);
            }
            System.err.println("!!! SKIPPING the promtool check: " + missing);
            Assumptions.abort(missing);
        }
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool check metrics said: %s", out).isZero();
    }
}
