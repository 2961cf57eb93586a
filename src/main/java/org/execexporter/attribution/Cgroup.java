package org.execexporter.attribution;

/**
 * A resolved cgroup.
 *
 * @param path   its path in the cgroup v2 hierarchy, rendered as names are; empty when unknown
 * @param labels what the path says
 */
public record Cgroup(String path, CgroupLabels labels) {
    /** A cgroup id that no walk found: gone before it was looked for, or beyond the walk's limits. */
    public static final Cgroup UNKNOWN = new Cgroup("", CgroupLabels.NONE);

    static Cgroup of(byte[] path) {
        return new Cgroup(CgroupPaths.render(path), CgroupPaths.labels(path));
    }
}
