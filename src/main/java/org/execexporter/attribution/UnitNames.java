package org.execexporter.attribution;

/**
 * systemd's rules for the unit that a cgroup path names, as {@code sd_pid_get_unit} and
 * {@code sd_pid_get_user_unit} apply them (systemd's cgroup-util.c and unit-name.c): leading
 * {@code .slice} components are skipped, and the next component is the unit if it is a valid unit
 * name. Everything below a unit's own cgroup (a delegated subtree) is ignored, so whatever a
 * service names its sub-cgroups never becomes a unit label.
 *
 * <p>A valid name is ASCII only ({@code [A-Za-z0-9:_.\-@\\]}), shorter than 256 bytes, and ends in
 * a unit type: no byte that needs escaping can reach a unit label except the backslash of systemd's
 * own {@code \x2d} escapes.
 *
 * <p>Components are byte ranges of one path; {@code start} is inclusive, {@code end} exclusive.
 */
final class UnitNames {
    /** systemd's UNIT_NAME_MAX: a name is at most 255 bytes. */
    static final int MAX_LENGTH = 255;

    private static final String[] TYPES = {
        "service", "socket", "target", "device", "mount", "automount", "swap", "timer", "path", "slice", "scope",
    };

    private UnitNames() {}

    /** A plain ({@code foo.service}) or instance ({@code getty@tty1.service}) name; not a template. */
    static boolean isUnit(byte[] path, int start, int end) {
        start = unescape(path, start, end);
        int length = end - start;
        if (length < 3 || length > MAX_LENGTH) {
            return false;
        }
        int dot = lastIndexOf(path, start, end, (byte) '.');
        if (dot <= start || !isType(path, dot + 1, end)) {
            return false;
        }
        int at = -1;
        for (int i = start; i < dot; i++) {
            byte b = path[i];
            if (b == '@') {
                if (at < 0) {
                    at = i;
                }
            } else if (!isValidChar(b)) {
                return false;
            }
        }
        // "@foo.service" is no name; "foo@.service" is a template, never a running unit
        return at < 0 || (at > start && at + 1 < dot);
    }

    /** A valid slice: a plain unit name ending in {@code .slice}. */
    static boolean isSlice(byte[] path, int start, int end) {
        int unescaped = unescape(path, start, end);
        return endsWith(path, unescaped, end, ".slice") && isUnit(path, start, end)
                && indexOf(path, unescaped, end, (byte) '@') < 0;
    }

    /**
     * The first byte of the name without systemd's cgroup escape: names that would clash with the
     * kernel's own files ({@code cgroup.procs}, {@code cpu.max}, ...) or start with {@code _} or
     * {@code .} get a {@code _} in front.
     */
    static int unescape(byte[] path, int start, int end) {
        return end > start && path[start] == '_' ? start + 1 : start;
    }

    /** {@code user@<uid>.service} or {@code capsule@<name>.service}: a per-user service manager. */
    static boolean isUserManager(byte[] path, int start, int end) {
        if (!isUnit(path, start, end) || !endsWith(path, start, end, ".service")) {
            return false;
        }
        int instanceEnd = end - ".service".length();
        if (startsWith(path, start, end, "user@")) {
            return isUid(path, start + "user@".length(), instanceEnd);
        }
        return startsWith(path, start, end, "capsule@") && start + "capsule@".length() < instanceEnd;
    }

    /** {@code session-<id>.scope}, the id alphanumeric: a login session. */
    static boolean isSession(byte[] path, int start, int end) {
        if (!startsWith(path, start, end, "session-") || !endsWith(path, start, end, ".scope")) {
            return false;
        }
        int idStart = start + "session-".length();
        int idEnd = end - ".scope".length();
        if (idStart >= idEnd) {
            return false;
        }
        for (int i = idStart; i < idEnd; i++) {
            if (!isAsciiLetterOrDigit(path[i])) {
                return false;
            }
        }
        return true;
    }

    static boolean startsWith(byte[] path, int start, int end, String prefix) {
        if (end - start < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (path[start + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean endsWith(byte[] path, int start, int end, String suffix) {
        return end - start >= suffix.length() && startsWith(path, end - suffix.length(), end, suffix);
    }

    static int indexOf(byte[] path, int start, int end, byte b) {
        for (int i = start; i < end; i++) {
            if (path[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** A uid as systemd parses one: decimal, no sign or leading zero, not (uid_t) -1 nor 65535. */
    private static boolean isUid(byte[] path, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 10 || (length > 1 && path[start] == '0')) {
            return false;
        }
        long uid = 0;
        for (int i = start; i < end; i++) {
            if (path[i] < '0' || path[i] > '9') {
                return false;
            }
            uid = uid * 10 + (path[i] - '0');
        }
        return uid < 0xffffffffL && uid != 0xffff;
    }

    private static boolean isType(byte[] path, int start, int end) {
        for (String type : TYPES) {
            if (end - start == type.length() && startsWith(path, start, end, type)) {
                return true;
            }
        }
        return false;
    }

    private static int lastIndexOf(byte[] path, int start, int end, byte b) {
        for (int i = end - 1; i >= start; i--) {
            if (path[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isValidChar(byte b) {
        return isAsciiLetterOrDigit(b) || b == ':' || b == '-' || b == '_' || b == '.' || b == '\\';
    }

    private static boolean isAsciiLetterOrDigit(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    }
}
