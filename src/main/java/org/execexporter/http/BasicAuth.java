package org.execexporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * <li>One bcrypt at a time (as exporter-toolkit): a flood of wrong passwords costs one core, not all.</li>
 * </ul>
 */
public final class BasicAuth {
    static final int CACHE_SIZE = 256;

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
    private final Object bcryptLock = new Object();
    private final Map<String, Boolean> verified = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    /** @param users user name to bcrypt hash; each hash already matches {@link WebConfig#BCRYPT_HASH} */
    public BasicAuth(Map<String, String> users) {
        this(users, BCRYPT);
    }

    BasicAuth(Map<String, String> users, Verifier verifier) {
        this.verifier = verifier;
        int cost = BCrypt.MIN_COST;
        for (Map.Entry<String, String> e : users.entrySet()) {
            hashes.put(e.getKey(), e.getValue().getBytes(StandardCharsets.US_ASCII));
            cost = Math.max(cost, costOf(e.getValue()));
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.dummyHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hash(cost, HexFormat.of().formatHex(random)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** The cost factor of a hash matching {@link WebConfig#BCRYPT_HASH}. */
    static int costOf(String hash) {
        Matcher m = WebConfig.BCRYPT_HASH.matcher(hash);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a bcrypt hash");
        }
        return Integer.parseInt(m.group(1));
    }

    /** True if the Authorization header carries Basic credentials of a configured user. */
    public boolean allows(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon < 0) {
            return false;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        byte[] password = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        return allows(user, password);
    }

    boolean allows(String user, byte[] password) {
        byte[] hash = hashes.get(user);
        boolean known = hash != null;
        if (!known) {
            hash = dummyHash;
        }
        String key = cacheKey(user, password, hash);
        synchronized (verified) {
            if (known && verified.containsKey(key)) {
                return true;
            }
        }
        boolean matches;
        synchronized (bcryptLock) {
            matches = verifier.matches(password, hash);
        }
        if (known && matches) {
            synchronized (verified) {
                verified.put(key, Boolean.TRUE);
            }
            return true;
        }
        return false;
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
