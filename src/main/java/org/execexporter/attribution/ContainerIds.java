package org.execexporter.attribution;

/**
 * The container id and Kubernetes pod uid that container runtimes and the kubelet write into
 * cgroup names, one path component at a time.
 *
 * <p>Containers (a 64-hex-digit id; the label is its first 12 digits, as {@code docker ps} and
 * {@code podman ps} print it):
 * <ul>
 *   <li>systemd cgroup driver: {@code docker-<id>.scope} (docker, cri-dockerd),
 *       {@code cri-containerd-<id>.scope}, {@code crio-<id>.scope}, {@code libpod-<id>.scope}
 *       (podman), {@code nerdctl-<id>.scope};</li>
 *   <li>cgroupfs driver: the bare id ({@code /docker/<id>}, {@code /kubepods/besteffort/pod<uid>/<id>},
 *       containerd's {@code /<namespace>/<id>}), {@code crio-<id>}, {@code libpod-<id>}.</li>
 * </ul>
 * The monitors {@code crio-conmon-<id>.scope} and {@code libpod-conmon-<id>.scope} run on the host,
 * outside the container, and are not containers: their unit label names them.
 *
 * <p>Pods: {@code kubepods[-<qos>]-pod<uid>.slice} (systemd driver, the uid's dashes written as
 * underscores because a dash nests slices) and {@code pod<uid>} below a {@code kubepods} component
 * (cgroupfs driver). The uid is a UUID, or 32 hex digits for a static pod.
 *
 * <p>Both accept lowercase hex only and return {@code null} when the component is not one of theirs.
 */
final class ContainerIds {
    /** Docker and podman print this many digits of the id. */
    static final int SHORT_ID_LENGTH = 12;
    private static final int ID_LENGTH = 64;
    private static final String[] RUNTIME_PREFIXES = {"docker-", "cri-containerd-", "crio-", "libpod-", "nerdctl-"};

    private ContainerIds() {}

    /** The 12-digit container id that the component names, or null. */
    static String containerId(byte[] path, int start, int end) {
        if (UnitNames.endsWith(path, start, end, ".scope")) {
            end -= ".scope".length();
        }
        for (String prefix : RUNTIME_PREFIXES) {
            if (UnitNames.startsWith(path, start, end, prefix)) {
                start += prefix.length();
                break;
            }
        }
        if (end - start != ID_LENGTH || !isHex(path, start, end)) {
            return null;
        }
        return ascii(path, start, start + SHORT_ID_LENGTH);
    }

    /**
     * The pod uid (with dashes) that the component names, or null. {@code underKubepods}: an
     * earlier component of the path starts with {@code kubepods}, which the cgroupfs form needs.
     */
    static String podUid(byte[] path, int start, int end, boolean underKubepods) {
        if (UnitNames.endsWith(path, start, end, ".slice")) {
            int dash = lastPodPrefix(path, start, end - ".slice".length());
            if (dash < 0 || !contains(path, start, dash, "kubepods")) {
                return null;
            }
            return uid(path, dash + "-pod".length(), end - ".slice".length(), (byte) '_');
        }
        if (underKubepods && UnitNames.startsWith(path, start, end, "pod")) {
            return uid(path, start + "pod".length(), end, (byte) '-');
        }
        return null;
    }

    static boolean isKubepods(byte[] path, int start, int end) {
        return UnitNames.startsWith(path, start, end, "kubepods");
    }

    /** Where "-pod" starts in a slice name such as kubepods-burstable-pod<uid>, or -1. */
    private static int lastPodPrefix(byte[] path, int start, int end) {
        for (int i = end - "-pod".length(); i >= start; i--) {
            if (UnitNames.startsWith(path, i, end, "-pod")) {
                return i;
            }
        }
        return -1;
    }

    /** A UUID written with {@code separator} between its groups, or 32 hex digits; null if neither. */
    private static String uid(byte[] path, int start, int end, byte separator) {
        int length = end - start;
        if (length == 32 && isHex(path, start, end)) {
            return ascii(path, start, end);
        }
        if (length != 36) {
            return null;
        }
        StringBuilder out = new StringBuilder(36);
        for (int i = 0; i < 36; i++) {
            byte b = path[start + i];
            boolean groupBreak = i == 8 || i == 13 || i == 18 || i == 23;
            if (groupBreak ? b != separator : !isHexDigit(b)) {
                return null;
            }
            out.append(groupBreak ? '-' : (char) b);
        }
        return out.toString();
    }

    private static boolean contains(byte[] path, int start, int end, String text) {
        for (int i = start; i + text.length() <= end; i++) {
            if (UnitNames.startsWith(path, i, end, text)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHex(byte[] path, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!isHexDigit(path[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexDigit(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f');
    }

    private static String ascii(byte[] path, int start, int end) {
        return new String(path, start, end - start, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
