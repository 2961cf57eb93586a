package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cache over the host's real nss; a directory that fails or hands out odd bytes where nss cannot be made to. */
class UserNamesTest {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration FAILURE_TTL = Duration.ofSeconds(30);
    /** No account has it: far above every range useradd and systemd allocate uids from. */
    private static final int NOBODY_HAS = 2_147_000_123;

    private long now;
    private final List<Integer> asked = new ArrayList<>();

    @BeforeAll
    static void loadNative() throws IOException {
        NativeForTests.load();
    }

    private UserNames names(UserNames.Directory directory, int cacheSize) {
        return new UserNames(uid -> {
            asked.add(uid);
            return directory.name(uid);
        }, new UserNames.Settings(cacheSize, TTL, FAILURE_TTL), () -> now);
    }

    @Test
    void namesComeFromNssAndNumbersWhereItKnowsNone() {
        UserNames names = names(new NssUsers(), 100);
        assertThat(names.label(0)).isEqualTo("root");
        assertThat(names.label(NOBODY_HAS)).isEqualTo(Integer.toString(NOBODY_HAS));
        assertThat(names.label(-2)).isEqualTo("4294967294"); // uids are unsigned
        assertThat(names.stats()).isEqualTo(new UserNames.Stats(3, 2, 0, 3));
    }

    @Test
    void eachUidIsAskedOncePerTtl() {
        UserNames names = names(new NssUsers(), 100);
        for (int i = 0; i < 1_000; i++) {
            names.label(0);
            names.label(NOBODY_HAS);
        }
        assertThat(asked).containsExactly(0, NOBODY_HAS);
        now += TTL.toNanos() - 1;
        names.label(0);
        assertThat(asked).hasSize(2);
        now += 1;
        assertThat(names.label(0)).isEqualTo("root");
        assertThat(asked).containsExactly(0, NOBODY_HAS, 0);
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedUids() {
        UserNames names = names(new NssUsers(), 2);
        names.label(0);
        names.label(1);
        names.label(0);
        names.label(2); // 1 leaves
        names.label(0);
        names.label(1);
        assertThat(asked).containsExactly(0, 1, 2, 1);
        assertThat(names.stats().cached()).isEqualTo(2);
    }

    @Test
    void aFailedLookupGivesTheNumberAndIsRetriedSooner() {
        boolean[] failing = {true};
        UserNames names = names(uid -> {
            if (failing[0]) {
                throw new IOException("nss unreachable");
            }
            return "alice".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }, 100);
        assertThat(names.label(1000)).isEqualTo("1000");
        now += FAILURE_TTL.toNanos() - 1;
        assertThat(names.label(1000)).isEqualTo("1000");
        failing[0] = false;
        now += 1;
        assertThat(names.label(1000)).isEqualTo("alice");
        assertThat(names.stats()).isEqualTo(new UserNames.Stats(2, 0, 1, 1));
    }

    @Test
    void oddBytesInANameRenderAsNamesDo() {
        UserNames names = names(uid -> new byte[] {'a', '\n', (byte) 0xff, '\\', 'b'}, 100);
        assertThat(names.label(1000)).isEqualTo("a\\x0a\\xff\\\\b");
    }
}
