package org.execexporter.attribution;

import org.execexporter.base.NameEscaper;

/**
 * Turns a cgroup v2 path (relative to the cgroup2 mount, {@code /system.slice/cron.service}) into
 * its labels. The path is raw bytes: cgroup names may hold any byte but {@code /} and NUL, and
 * whoever may create cgroups (a delegated user or container) chooses them.
 *
 * <p>Label values are bounded whatever the path holds: a unit is a valid systemd name (ASCII, at
 * most {@value UnitNames#MAX_LENGTH} bytes), a container id 12 hex digits, a pod uid 36 characters.
 */
public final class CgroupPaths {
    private CgroupPaths() {}

    public static CgroupLabels labels(byte[] path) {
        int[] bounds = components(path);
        int count = bounds.length / 2;
        if (count == 0) {
            return CgroupLabels.NONE;
        }
        String unit = "";
        String userUnit = "";
        int first = skipSlices(path, bounds, 0);
        if (first < count && isUnit(path, bounds, first)) {
            unit = render(path, bounds, first);
            if (UnitNames.isUserManager(path, bounds[2 * first], bounds[2 * first + 1])
                    || UnitNames.isSession(path, bounds[2 * first], bounds[2 * first + 1])) {
                int inner = skipSlices(path, bounds, first + 1);
                if (inner < count && isUnit(path, bounds, inner)) {
                    userUnit = render(path, bounds, inner);
                }
            }
        }
        return new CgroupLabels(unit, userUnit, container(path, bounds), pod(path, bounds));
    }

    /** The whole path rendered as names are: printable, valid UTF-8, lossless. */
    public static String render(byte[] path) {
        return NameEscaper.escape(path);
    }

    /**
     * The outermost container id: the one the host's runtime made. A container that may create
     * cgroups of its own (docker in docker) cannot pass its own names off as the host's.
     */
    private static String container(byte[] path, int[] bounds) {
        for (int i = 0; i < bounds.length; i += 2) {
            String id = ContainerIds.containerId(path, bounds[i], bounds[i + 1]);
            if (id != null) {
                return id;
            }
        }
        return "";
    }

    private static String pod(byte[] path, int[] bounds) {
        boolean underKubepods = false;
        for (int i = 0; i < bounds.length; i += 2) {
            String uid = ContainerIds.podUid(path, bounds[i], bounds[i + 1], underKubepods);
            if (uid != null) {
                return uid;
            }
            underKubepods |= ContainerIds.isKubepods(path, bounds[i], bounds[i + 1]);
        }
        return "";
    }

    /** The index of the first component from {@code from} on that is not a slice. */
    private static int skipSlices(byte[] path, int[] bounds, int from) {
        int i = from;
        while (2 * i < bounds.length && UnitNames.isSlice(path, bounds[2 * i], bounds[2 * i + 1])) {
            i++;
        }
        return i;
    }

    /** A unit, but no slice: slices were skipped, one that is left is not a valid one. */
    private static boolean isUnit(byte[] path, int[] bounds, int index) {
        int start = bounds[2 * index];
        int end = bounds[2 * index + 1];
        return UnitNames.isUnit(path, start, end) && !UnitNames.endsWith(path, start, end, ".slice");
    }

    private static String render(byte[] path, int[] bounds, int index) {
        int start = UnitNames.unescape(path, bounds[2 * index], bounds[2 * index + 1]);
        return NameEscaper.escape(path, start, bounds[2 * index + 1] - start);
    }

    /** Start and end of each non-empty component, flattened: {s0, e0, s1, e1, ...}. */
    private static int[] components(byte[] path) {
        int count = 0;
        for (int i = 0; i < path.length; i++) {
            if (path[i] != '/' && (i == 0 || path[i - 1] == '/')) {
                count++;
            }
        }
        int[] bounds = new int[2 * count];
        int k = 0;
        for (int i = 0; i < path.length; i++) {
            if (path[i] != '/' && (i == 0 || path[i - 1] == '/')) {
                bounds[k] = i;
            }
            if (path[i] != '/' && (i + 1 == path.length || path[i + 1] == '/')) {
                bounds[k + 1] = i + 1;
                k += 2;
            }
        }
        return bounds;
    }
}
