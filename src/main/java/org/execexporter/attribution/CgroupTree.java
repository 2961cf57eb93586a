package org.execexporter.attribution;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * One bounded walk of the cgroup2 hierarchy: the id of every cgroup (its directory's inode number,
 * which is what {@code bpf_get_current_cgroup_id()} returns) and its path.
 *
 * <p>A directory's link count is 2 plus its subdirectories (kernfs keeps it so), so leaf cgroups,
 * most of them, are never listed, and listing a directory stops once all its subdirectories are
 * found: the cost is about one stat per cgroup plus the interface files of the cgroups that have
 * children. Cgroups that go away or cannot be read during the walk are skipped, never an error.
 */
final class CgroupTree {
    /** Longest path the kernel opens (PATH_MAX, with its NUL). */
    static final int PATH_MAX = 4096;
    private static final String ATTRIBUTES = "unix:ino,nlink,isDirectory";

    /**
     * @param maxDepth   directories below the mount point to descend at most
     * @param maxEntries directory entries to look at (one stat each) per walk at most
     */
    record Limits(int maxDepth, int maxEntries) {
        Limits {
            if (maxDepth < 1 || maxEntries < 1) {
                throw new IllegalArgumentException("walk limits must be 1 or greater: " + maxDepth + ", " + maxEntries);
            }
        }
    }

    /**
     * @param paths     cgroup id to its path in the hierarchy
     * @param truncated a limit cut the walk short: cgroups may be missing from {@code paths}
     * @param entries   directory entries looked at
     */
    record Scan(Map<Long, byte[]> paths, boolean truncated, int entries) {}

    private record Dir(Path path, byte[] belowMount, int depth, int subdirectories) {}

    private record Entry(long id, int subdirectories, boolean isDirectory) {}

    private CgroupTree() {}

    static Scan walk(CgroupMount mount, Limits limits) {
        Map<Long, byte[]> paths = new HashMap<>();
        Entry top = stat(mount.mountPoint());
        if (top == null || !top.isDirectory()) {
            return new Scan(paths, false, 0);
        }
        byte[] slash = {'/'};
        paths.put(top.id(), mount.hierarchyPath(slash));
        int mountBytes = mount.mountPoint().toString().getBytes(StandardCharsets.UTF_8).length;
        Deque<Dir> pending = new ArrayDeque<>();
        pending.push(new Dir(mount.mountPoint(), slash, 0, top.subdirectories()));
        int entries = 0;
        boolean truncated = false;
        walk:
        while (!pending.isEmpty()) {
            Dir dir = pending.pop();
            if (dir.subdirectories() == 0) {
                continue;
            }
            if (dir.depth() >= limits.maxDepth()) {
                truncated = true;
                continue;
            }
            int left = dir.subdirectories();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.path())) {
                for (Path child : stream) {
                    if (entries == limits.maxEntries()) {
                        truncated = true;
                        break walk;
                    }
                    entries++;
                    byte[] belowMount = join(dir.belowMount(), name(child));
                    if (mountBytes + belowMount.length >= PATH_MAX) {
                        truncated = true; // the kernel takes no longer path: neither this entry nor below
                        continue;
                    }
                    Entry entry = stat(child);
                    if (entry == null || !entry.isDirectory()) {
                        continue;
                    }
                    paths.put(entry.id(), mount.hierarchyPath(belowMount));
                    pending.push(new Dir(child, belowMount, dir.depth() + 1, entry.subdirectories()));
                    if (--left == 0) {
                        break;
                    }
                }
            } catch (IOException | DirectoryIteratorException e) {
                // gone since its parent was listed, or unreadable: its subtree stays unknown
            }
        }
        return new Scan(paths, truncated, entries);
    }

    /** Null when the entry is gone or cannot be read. Subdirectories: -1 when the file system does not count them. */
    private static Entry stat(Path path) {
        try {
            Map<String, Object> attributes = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            int links = (Integer) attributes.get("nlink");
            boolean isDirectory = (Boolean) attributes.get("isDirectory");
            return new Entry((Long) attributes.get("ino"), links >= 2 ? links - 2 : -1, isDirectory);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static byte[] join(byte[] parent, byte[] name) {
        boolean atTop = parent.length == 1;
        byte[] path = new byte[(atTop ? 0 : parent.length) + 1 + name.length];
        int at = 0;
        if (!atTop) {
            System.arraycopy(parent, 0, path, 0, parent.length);
            at = parent.length;
        }
        path[at] = '/';
        System.arraycopy(name, 0, path, at + 1, name.length);
        return path;
    }

    /**
     * The raw bytes of a directory entry's name. Path.toString() decodes with the platform's
     * charset and replaces what does not decode; toUri() percent-encodes the original bytes.
     */
    static byte[] name(Path path) {
        String name = path.getFileName().toString();
        if (name.chars().allMatch(c -> c < 0x80)) {
            return name.getBytes(StandardCharsets.US_ASCII);
        }
        String raw = path.toUri().getRawPath();
        int end = raw.endsWith("/") ? raw.length() - 1 : raw.length();
        int start = raw.lastIndexOf('/', end - 1) + 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
        for (int i = start; i < end; i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
