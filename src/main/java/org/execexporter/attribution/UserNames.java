package org.execexporter.attribution;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.execexporter.base.NameEscaper;

/**
 * uid to the {@code user} label: the user's name where the host knows it, rendered as names are
 * ({@link NameEscaper}), else the uid in decimal. Answers are cached ({@code cacheSize} uids, the
 * least recently used leaving first) for {@code ttl}, or for {@code failureTtl} when the lookup
 * failed (nss unreachable), so that a name is asked for about once per uid and ttl, never per exec.
 *
 * <p>Thread-safe. A lookup runs on the calling thread.
 */
public final class UserNames {
    /** Where names come from. */
    @FunctionalInterface
    public interface Directory {
        /** The user's name as bytes, or null when the host knows no user of this uid. */
        byte[] name(int uid) throws IOException;
    }

    public record Settings(int cacheSize, Duration ttl, Duration failureTtl) {
        public static final Settings DEFAULTS = new Settings(4_096, Duration.ofMinutes(10), Duration.ofSeconds(30));

        public Settings {
            if (cacheSize < 1) {
                throw new IllegalArgumentException("user name cache size must be 1 or greater, not " + cacheSize);
            }
            if (ttl.isNegative() || failureTtl.isNegative()) {
                throw new IllegalArgumentException("user name cache times must not be negative");
            }
        }
    }

    /**
     * @param lookups  questions asked of the directory
     * @param unknown  uids it knows no user of
     * @param failures lookups that failed (the number was used)
     * @param cached   uids cached now
     */
    public record Stats(long lookups, long unknown, long failures, int cached) {}

    private record Answer(String label, long expiresNanos) {}

    private final Directory directory;
    private final long ttlNanos;
    private final long failureTtlNanos;
    private final LongSupplier nanoTime;
    private final Map<Integer, Answer> cache;
    private long lookups;
    private long unknown;
    private long failures;

    public UserNames(Directory directory, Settings settings, LongSupplier nanoTime) {
        this.directory = directory;
        this.ttlNanos = settings.ttl().toNanos();
        this.failureTtlNanos = settings.failureTtl().toNanos();
        this.nanoTime = nanoTime;
        int capacity = settings.cacheSize();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Answer> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The label value of a uid (the kernel's real uid, unsigned). */
    public synchronized String label(int uid) {
        long now = nanoTime.getAsLong();
        Answer answer = cache.get(uid);
        if (answer != null && now - answer.expiresNanos() < 0) {
            return answer.label();
        }
        lookups++;
        String label;
        long ttl = ttlNanos;
        try {
            byte[] name = directory.name(uid);
            if (name == null || name.length == 0) {
                unknown++;
                label = Integer.toUnsignedString(uid);
            } else {
                label = NameEscaper.escape(name);
            }
        } catch (IOException e) {
            failures++;
            label = Integer.toUnsignedString(uid);
            ttl = failureTtlNanos;
        }
        cache.put(uid, new Answer(label, now + ttl));
        return label;
    }

    public synchronized Stats stats() {
        return new Stats(lookups, unknown, failures, cache.size());
    }
}
