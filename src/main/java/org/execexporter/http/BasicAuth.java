package org.execexporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.execexporter.config.WebConfig;

/**
 * basic_auth_users: checks an Authorization header against bcrypt hashes, as exporter-toolkit does.
 * <ul>
 * <li>An unknown user costs the same as a known one: the password is checked against a dummy hash
 *     of the highest configured cost, so timing does not tell which users exist. The comparison of
 *     the computed hash is the library's, in constant time.</li>
 * <li>bcrypt is slow on purpose (tens of milliseconds), so a successful check is cached: the key is
 *     a SHA-256 of user, password and hash, never the password itself. Failures are not cached, so
 *     nobody can evict Prometheus's entry; the cache is bounded all the same.</li>
 * <li>Checks that need a bcrypt are bounded, so that a flood of wrong passwords can neither take
 *     the server's CPU nor hold requests for long, and never delays a client whose password is
 *     cached: one bcrypt runs at a time (as in exporter-toolkit); at most {@link #MAX_PENDING}
 *     checks wait or run, at most one per client address, each waiting at most {@link #MAX_WAIT};
 *     beyond, {@link Outcome#BUSY} at once. After a failed check the next one waits as long as the
 *     failed bcrypt took, so failures keep bcrypt busy half the time at most (half a core).</li>
 * </ul>
 */
public final class BasicAuth {
    static final int CACHE_SIZE = 256;
    /** Checks that need a bcrypt, waiting or running, at once. */
    public static final int MAX_PENDING = 4;
    /** The longest a check waits for its turn at bcrypt. */
    static final Duration MAX_WAIT = Duration.ofSeconds(5);

    /** What a check decided. */
    public enum Outcome {
        /** The credentials are a configured user's. */
        ALLOWED,
        /** Missing, malformed or wrong credentials. */
        DENIED,
        /** The credentials need a bcrypt and too many checks are pending: try again later. */
        BUSY
    }

    /** The bcrypt comparison, replaceable in tests to count its calls. */
    interface Verifier {
        boolean matches(byte[] password, byte[] hash);
    }

    static final Verifier BCRYPT = new Verifier() {
        // Passwords over 72 bytes: bcrypt uses their first 72, as htpasswd and Go do.
        private final BCrypt.Verifyer verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2Y,
                LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y));

        @Override
        public boolean matches(byte[] password, byte[] hash) {
            try {
                return verifyer.verify(password, hash).verified;
            } catch (RuntimeException e) {
                return false;
            }
        }
    };

    private final Map<String, byte[]> hashes = new HashMap<>();
    private final byte[] dummyHash;
    private final Verifier verifier;
    private final Duration maxWait;
    private final Semaphore bcrypt = new Semaphore(1, true);
    /** Addresses of the clients whose check waits for or runs a bcrypt; at most {@link #MAX_PENDING}. */
    private final Set<String> pending = new HashSet<>();
    private final Map<String, Boolean> verified = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    /** @param users user name to bcrypt hash; each hash matches {@link WebConfig#BCRYPT_HASH} with a cost in
     *              {@link WebConfig#MIN_BCRYPT_COST}..{@link WebConfig#MAX_BCRYPT_COST} */
    public BasicAuth(Map<String, String> users) {
        this(users, BCRYPT, MAX_WAIT);
    }

    BasicAuth(Map<String, String> users, Verifier verifier, Duration maxWait) {
        this.verifier = verifier;
        this.maxWait = maxWait;
        int cost = BCrypt.MIN_COST;
        for (Map.Entry<String, String> e : users.entrySet()) {
            hashes.put(e.getKey(), e.getValue().getBytes(StandardCharsets.US_ASCII));
            cost = Math.max(cost, WebConfig.bcryptCost(e.getValue()));
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.dummyHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hash(cost, HexFormat.of().formatHex(random)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Checks the Authorization header of a request from {@code client} (its address): whether it
     * carries Basic credentials of a configured user.
     */
    public Outcome check(String authorization, String client) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Outcome.DENIED;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return Outcome.DENIED;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon < 0) {
            return Outcome.DENIED;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        return check(user, password, client);
    }

    Outcome check(String user, byte[] password, String client) {
        byte[] hash = hashes.get(user);
        boolean known = hash != null;
        if (!known) {
            hash = dummyHash;
        }
        String key = cacheKey(user, password, hash);
        synchronized (verified) {
            if (known && verified.containsKey(key)) {
                return Outcome.ALLOWED;
            }
        }
        synchronized (pending) {
            if (pending.size() >= MAX_PENDING || !pending.add(client)) {
                return Outcome.BUSY;
            }
        }
        try {
            if (!bcrypt.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                return Outcome.BUSY;
            }
            boolean matches;
            try {
                long start = System.nanoTime();
                matches = verifier.matches(password, hash);
                if (!(known && matches)) {
                    TimeUnit.NANOSECONDS.sleep(System.nanoTime() - start); // see the class comment
                }
            } finally {
                bcrypt.release();
            }
            if (known && matches) {
                synchronized (verified) {
                    verified.put(key, Boolean.TRUE);
                }
                return Outcome.ALLOWED;
            }
            return Outcome.DENIED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping
            return Outcome.BUSY;
        } finally {
            synchronized (pending) {
                pending.remove(client);
            }
        }
    }

    private static String cacheKey(String user, byte[] password, byte[] hash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(user.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password);
            sha.update((byte) 0);
            sha.update(hash);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
