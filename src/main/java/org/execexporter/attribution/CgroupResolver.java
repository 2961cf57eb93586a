package org.execexporter.attribution;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Cgroup id (as {@code bpf_get_current_cgroup_id()} gives it: the inode number of the cgroup's
 * directory) to its path and labels, without failing: an id no walk can find resolves to
 * {@link Cgroup#UNKNOWN} and is counted.
 *
 * <p>Ids are never reused (kernfs allocates them increasing, 64 bits on 64-bit kernels), so a
 * resolved id stays right after its cgroup is removed: the cache keeps it, and execs still queued
 * from a cgroup that is gone are attributed to it. The cache holds at most {@code cacheSize} ids,
 * the least recently used leaving first; ids found gone are remembered in a set of the same bound so
 * that they do not walk the tree again.
 *
 * <p>On a miss the hierarchy is walked again, but not sooner than {@code minRescanInterval} after
 * the previous walk, nor sooner than {@value #COST_FACTOR} times the previous walk's duration (the
 * walks take at most 1/{@value #COST_FACTOR} of a core however many new cgroups appear). A miss
 * inside that interval resolves to {@link Cgroup#PENDING} (counted as unknown and deferred) and is
 * not remembered as gone; so does a miss of a walk cut short by its limits.
 *
 * <p>Thread-safe; meant to be called once per new series or trace line, not per exec.
 */
public final class CgroupResolver {
    static final int COST_FACTOR = 20;

    /**
     * @param cacheSize         ids kept resolved (and ids kept known gone)
     * @param maxDepth          directories below the cgroup2 mount a walk descends at most
     * @param maxEntries        directory entries a walk looks at, at most
     * @param minRescanInterval least time between two walks
     */
    public record Settings(int cacheSize, int maxDepth, int maxEntries, Duration minRescanInterval) {
        public static final Settings DEFAULTS = new Settings(16_384, 32, 200_000, Duration.ofMillis(100));

        public Settings {
            if (cacheSize < 1) {
                throw new IllegalArgumentException("cgroup cache size must be 1 or greater, not " + cacheSize);
            }
            if (minRescanInterval.isNegative()) {
                throw new IllegalArgumentException("cgroup rescan interval must not be negative: " + minRescanInterval);
            }
            new CgroupTree.Limits(maxDepth, maxEntries); // validates them
        }
    }

    /**
     * @param unknown         resolutions that found no cgroup (empty labels)
     * @param deferred        of those, the ones that came too soon after a walk to walk again
     * @param rescans         walks of the hierarchy
     * @param truncatedWalks  walks cut short by maxDepth, maxEntries or PATH_MAX
     * @param cached          ids resolved and kept now
     * @param indexed         cgroups found by the last walk
     * @param learned         paths the kernel sent (cgroup records)
     */
    public record Stats(long unknown, long deferred, long rescans, long truncatedWalks, int cached, int indexed,
                        long learned) {
        public Stats(long unknown, long deferred, long rescans, long truncatedWalks, int cached, int indexed) {
            this(unknown, deferred, rescans, truncatedWalks, cached, indexed, 0);
        }
    }

    private final CgroupMount mount;
    private final CgroupTree.Limits limits;
    private final long minIntervalNanos;
    private final LongSupplier nanoTime;
    private final Map<Long, Cgroup> cache;
    private final Map<Long, Boolean> gone;

    private Map<Long, byte[]> index = Map.of();
    private boolean lastWalkTruncated;
    private boolean walked;
    private long nextWalkNanos;
    private long unknown;
    private long deferred;
    private long rescans;
    private long truncatedWalks;
    private long learned;

    public CgroupResolver(CgroupMount mount, Settings settings, LongSupplier nanoTime) {
        this.mount = mount;
        this.limits = new CgroupTree.Limits(settings.maxDepth(), settings.maxEntries());
        this.minIntervalNanos = settings.minRescanInterval().toNanos();
        this.nanoTime = nanoTime;
        this.cache = bounded(settings.cacheSize());
        this.gone = bounded(settings.cacheSize());
    }

    /** A resolver of this process's cgroup2 mount, with one walk done. */
    public static CgroupResolver open(Settings settings) throws IOException {
        CgroupMount mount = CgroupMount.find().orElseThrow(
                () -> new IOException("no cgroup2 file system in " + CgroupMount.MOUNTINFO
                        + ": the unit and container labels need cgroup v2"));
        CgroupResolver resolver = new CgroupResolver(mount, settings, System::nanoTime);
        synchronized (resolver) {
            resolver.rescan();
        }
        return resolver;
    }

    public CgroupMount mount() {
        return mount;
    }

    public synchronized Cgroup resolve(long id) {
        Cgroup cgroup = cache.get(id);
        if (cgroup != null) {
            return cgroup;
        }
        if (gone.containsKey(id)) {
            unknown++;
            return Cgroup.UNKNOWN;
        }
        byte[] path = index.get(id);
        if (path == null) {
            if (walked && nanoTime.getAsLong() - nextWalkNanos < 0) {
                unknown++;
                deferred++;
                return Cgroup.PENDING;
            }
            rescan();
            path = index.get(id);
            if (path == null) {
                unknown++;
                if (lastWalkTruncated) {
                    return Cgroup.PENDING;
                }
                gone.put(id, Boolean.TRUE);
                return Cgroup.UNKNOWN;
            }
        }
        cgroup = Cgroup.of(path);
        cache.put(id, cgroup);
        return cgroup;
    }

    /**
     * What the kernel said of a cgroup (a cgroup record): its path below the mount point. Kept
     * like a resolved id, so its records resolve without a walk, even once the cgroup is gone.
     */
    public synchronized void learn(long id, byte[] pathBelowMount) {
        gone.remove(id);
        cache.put(id, Cgroup.of(mount.hierarchyPath(pathBelowMount)));
        learned++;
    }

    /** The id of the mount point's directory: the cgroup its paths start at (the probe's cgroup root). */
    public long mountId() throws IOException {
        return (Long) java.nio.file.Files.getAttribute(mount.mountPoint(), "unix:ino",
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    public synchronized Stats stats() {
        return new Stats(unknown, deferred, rescans, truncatedWalks, cache.size(), index.size(), learned);
    }

    private void rescan() {
        long start = nanoTime.getAsLong();
        CgroupTree.Scan scan = CgroupTree.walk(mount, limits);
        long end = nanoTime.getAsLong();
        index = scan.paths();
        lastWalkTruncated = scan.truncated();
        walked = true;
        rescans++;
        if (scan.truncated()) {
            truncatedWalks++;
        }
        nextWalkNanos = end + Math.max(minIntervalNanos, COST_FACTOR * (end - start));
    }

    private static <V> Map<Long, V> bounded(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
