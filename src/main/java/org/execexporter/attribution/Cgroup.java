package org.execexporter.attribution;

/**
 * A resolved cgroup.
 *
 * @param path    its path in the cgroup v2 hierarchy, rendered as names are; empty when unknown
 * @param labels  what the path says
 * @param pending not found yet, but not known gone either: the last walk was too recent to walk
 *                again, or was cut short by its limits. Asked again later, it may resolve
 */
public record Cgroup(String path, CgroupLabels labels, boolean pending) {
    /** A cgroup id that a whole walk did not find: gone before it was looked for. */
    public static final Cgroup UNKNOWN = new Cgroup("", CgroupLabels.NONE, false);
    /** A cgroup id not found yet: see {@link #pending}. */
    public static final Cgroup PENDING = new Cgroup("", CgroupLabels.NONE, true);

    public Cgroup(String path, CgroupLabels labels) {
        this(path, labels, false);
    }

    static Cgroup of(byte[] path) {
        return new Cgroup(CgroupPaths.render(path), CgroupPaths.labels(path));
    }
}
