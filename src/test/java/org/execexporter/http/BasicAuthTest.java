package org.execexporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BasicAuthTest {
    private static final String HASH = BCrypt.withDefaults().hashToString(6, "right".toCharArray());

    private final AtomicInteger bcrypts = new AtomicInteger();
    private final BasicAuth auth = new BasicAuth(Map.of("prometheus", HASH), (password, hash) -> {
        bcrypts.incrementAndGet();
        return BasicAuth.BCRYPT.matches(password, hash);
    });

    private static String header(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsTheRightPasswordAndCachesIt() {
        assertThat(auth.allows(header("prometheus", "right"))).isTrue();
        assertThat(auth.allows(header("prometheus", "right"))).isTrue();
        assertThat(auth.allows("basic " + header("prometheus", "right").substring(6))).isTrue();
        assertThat(bcrypts).as("bcrypt runs once, then the cache answers").hasValue(1);
    }

    @Test
    void rejectsWrongPasswordsEveryTimeWithBcrypt() {
        for (int i = 0; i < 3; i++) {
            assertThat(auth.allows(header("prometheus", "wrong"))).isFalse();
        }
        assertThat(bcrypts).as("failures are never cached").hasValue(3);
    }

    @Test
    void anUnknownUserCostsABcryptToo() {
        assertThat(auth.allows(header("nobody", "right"))).isFalse();
        assertThat(auth.allows(header("nobody", "right"))).isFalse();
        assertThat(bcrypts).hasValue(2);
    }

    @Test
    void malformedHeadersAreRejectedWithoutBcrypt() {
        for (String h : Arrays.asList(null, "", "Basic", "Basic !!!", "Bearer abc",
                "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8)))) {
            assertThat(auth.allows(h)).as("%s", h).isFalse();
        }
        assertThat(bcrypts).hasValue(0);
    }

    @Test
    void aPasswordWithColonsAndUtf8IsTakenWhole() {
        String hash = BCrypt.withDefaults().hashToString(4, "a:b:ü".toCharArray());
        BasicAuth a = new BasicAuth(Map.of("u", hash));
        assertThat(a.allows(header("u", "a:b:ü"))).isTrue();
        assertThat(a.allows(header("u", "a:b"))).isFalse();
    }

    /** An unknown user and a known user with a wrong password take about as long (ratio, not time). */
    @Test
    void unknownUsersTakeAsLongAsWrongPasswords() {
        BasicAuth real = new BasicAuth(Map.of("prometheus", BCrypt.withDefaults().hashToString(8, "x".toCharArray())));
        long known = Long.MAX_VALUE;
        long unknown = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the fastest of each: the least disturbed by a noisy machine
            long t0 = System.nanoTime();
            real.allows(header("prometheus", "wrong" + i));
            long t1 = System.nanoTime();
            real.allows(header("nobody" + i, "wrong"));
            long t2 = System.nanoTime();
            known = Math.min(known, t1 - t0);
            unknown = Math.min(unknown, t2 - t1);
        }
        assertThat((double) unknown / known).as("unknown / known user time").isBetween(0.33, 3.0);
    }
}
