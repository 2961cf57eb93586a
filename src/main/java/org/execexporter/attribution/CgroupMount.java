package org.execexporter.attribution;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the cgroup v2 hierarchy is mounted, from a mountinfo file ({@code /proc/self/mountinfo}):
 * {@code /sys/fs/cgroup} on a pure v2 host, {@code /sys/fs/cgroup/unified} on a hybrid one.
 *
 * @param mountPoint where to walk the hierarchy
 * @param root       the mount's root within the hierarchy: {@code /} unless a subtree is mounted
 *                   (a bind mount, or a cgroup namespace seen from outside); it prefixes the paths
 *                   found under the mount point so that they read as from the hierarchy's root
 */
public record CgroupMount(Path mountPoint, byte[] root) {
    public static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** The cgroup2 mount of the calling process, or empty on a host without cgroup v2. */
    public static Optional<CgroupMount> find() throws IOException {
        return parse(Files.readAllBytes(MOUNTINFO));
    }

    /**
     * The first cgroup2 mount of the whole hierarchy in a mountinfo text, else the first cgroup2
     * mount of a subtree, else empty. Lines that do not parse are skipped.
     */
    public static Optional<CgroupMount> parse(byte[] mountinfo) {
        CgroupMount subtree = null;
        for (String line : new String(mountinfo, StandardCharsets.ISO_8859_1).split("\n")) {
            CgroupMount mount = parseLine(line);
            if (mount == null) {
                continue;
            }
            if (mount.isWholeHierarchy()) {
                return Optional.of(mount);
            }
            if (subtree == null) {
                subtree = mount;
            }
        }
        return Optional.ofNullable(subtree);
    }

    public boolean isWholeHierarchy() {
        return root.length == 1 && root[0] == '/';
    }

    /**
     * One line: "36 35 0:30 ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS",
     * fields separated by single spaces, spaces and such inside fields written as octal escapes.
     */
    private static CgroupMount parseLine(String line) {
        String[] fields = line.split(" ");
        int separator = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                separator = i;
                break;
            }
        }
        if (separator < 0 || fields.length < separator + 4 || !fields[separator + 1].equals("cgroup2")) {
            return null;
        }
        byte[] root = unescapeOctal(fields[3]);
        byte[] mountPoint = unescapeOctal(fields[4]);
        if (root.length == 0 || root[0] != '/' || mountPoint.length == 0 || mountPoint[0] != '/') {
            return null;
        }
        return new CgroupMount(Path.of(new String(mountPoint, fileNameCharset())), root);
    }

    /** The JVM encodes file names with sun.jnu.encoding: decode a path's bytes with it to open it. */
    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** mountinfo writes space, tab, newline and backslash as \040, \011, \012, \134. */
    static byte[] unescapeOctal(String field) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.write(Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.write(c); // ISO-8859-1: one char per byte
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(String field, int from) {
        if (from + 3 > field.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }

    /** The path of a cgroup in the hierarchy, given its path below the mount point ("/" for the mount itself). */
    byte[] hierarchyPath(byte[] belowMount) {
        if (isWholeHierarchy()) {
            return belowMount;
        }
        if (belowMount.length == 1) {
            return root.clone();
        }
        byte[] path = new byte[root.length + belowMount.length];
        System.arraycopy(root, 0, path, 0, root.length);
        System.arraycopy(belowMount, 0, path, root.length, belowMount.length);
        return path;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CgroupMount m && m.mountPoint.equals(mountPoint) && java.util.Arrays.equals(m.root, root);
    }

    @Override
    public int hashCode() {
        return mountPoint.hashCode() * 31 + java.util.Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "cgroup2 at " + mountPoint + (isWholeHierarchy() ? "" : " (root " + CgroupPaths.render(root) + ")");
    }
}
