package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.execexporter.testing.RootOrCi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NssUsers against the host's own nss: the same names {@code getent} gives, and a user that only
 * nss knows (a systemd userdb record, not in /etc/passwd). Writing the record needs root.
 */
class NssUsersIT {
    private final NssUsers nss = new NssUsers();

    @BeforeAll
    static void loadNative() throws IOException {
        NativeForTests.load();
    }

    @Test
    void givesTheNamesGetentGives() throws Exception {
        List<String> entries = getent("passwd");
        assertThat(entries).isNotEmpty();
        for (String entry : entries) {
            String[] fields = entry.split(":");
            int uid = Integer.parseUnsignedInt(fields[2]);
            // several names may share a uid: nss answers with the first, as getent does for a number
            String first = getent("passwd", fields[2]).get(0).split(":")[0];
            assertThat(new String(nss.name(uid), StandardCharsets.UTF_8)).as(entry).isEqualTo(first);
        }
    }

    @Test
    void aUserOnlyNssKnowsResolves() throws Exception {
        RootOrCi.requireBpf(); // root: the record goes under /run
        assumeNssSystemd();
        int uid = 2_000_000_000 + new Random().nextInt(100_000_000);
        String name = "eeit" + Integer.toHexString(uid);
        assertThat(getent("passwd", Integer.toString(uid))).isEmpty();
        assertThat(nss.name(uid)).isNull();

        Path dir = Path.of("/run/userdb");
        boolean made = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        Path record = dir.resolve(name + ".user");
        Path byUid = dir.resolve(uid + ".user");
        try {
            Files.writeString(record, "{\"userName\":\"" + name + "\",\"uid\":" + uid + ",\"gid\":" + uid
                    + ",\"disposition\":\"regular\",\"homeDirectory\":\"/nonexistent\",\"shell\":\"/usr/sbin/nologin\"}\n");
            Files.createSymbolicLink(byUid, record.getFileName());
            assertThat(Files.readAllLines(Path.of("/etc/passwd"))).noneMatch(line -> line.startsWith(name + ":"));
            assertThat(getent("passwd", Integer.toString(uid))).singleElement().asString().startsWith(name + ":");

            assertThat(new String(nss.name(uid), StandardCharsets.UTF_8)).isEqualTo(name);
        } finally {
            Files.deleteIfExists(byUid);
            Files.deleteIfExists(record);
            if (made) {
                Files.deleteIfExists(dir);
            }
        }
    }

    private static List<String> getent(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("getent"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        int status = process.waitFor();
        assertThat(status).as("getent %s: %s", arguments, lines).isIn(0, 2); // 2: not found
        return status == 0 ? lines : List.of();
    }

    /** The userdb record only resolves where nsswitch.conf asks nss-systemd. */
    private static void assumeNssSystemd() throws IOException {
        boolean listed = Files.readAllLines(Path.of("/etc/nsswitch.conf")).stream()
                .anyMatch(line -> line.matches("passwd:.*\\bsystemd\\b.*"));
        assumeTrue(listed, "nss-systemd is not in /etc/nsswitch.conf");
    }
}
