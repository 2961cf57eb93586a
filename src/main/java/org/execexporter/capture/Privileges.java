package org.execexporter.capture;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel needs of us before the probe can load, checked up front for a clear message; and
 * giving it all up once the probe runs.
 */
public final class Privileges {
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;
    static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");
    static final String NEEDED = "run as root or with the capabilities CAP_BPF and CAP_PERFMON";

    private Privileges() {}

    /** The capabilities missing from an effective set, by name; empty when the probe may load. */
    static List<String> missingCapabilities(long effective) {
        List<String> missing = new ArrayList<>();
        if (has(effective, CAP_SYS_ADMIN)) {
            return missing; // CAP_SYS_ADMIN implies both on every kernel
        }
        if (!has(effective, CAP_BPF)) {
            missing.add("CAP_BPF");
        }
        if (!has(effective, CAP_PERFMON)) {
            missing.add("CAP_PERFMON");
        }
        return missing;
    }

    /** The kernel's names of the capabilities, by number (linux/capability.h). */
    private static final String[] NAMES = {"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
        "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN",
        "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
        "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
        "PERFMON", "BPF", "CHECKPOINT_RESTORE"};

    /** CapEff of /proc/self/status, or -1 if it cannot be read. */
    static long effectiveCapabilities(String procStatus) {
        return capabilitySet(procStatus, "CapEff");
    }

    /** A capability set (CapEff, CapBnd, ...) of a /proc status text, or -1 if it is not there. */
    static long capabilitySet(String procStatus, String set) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith(set + ":")) {
                try {
                    return Long.parseUnsignedLong(line.substring(set.length() + 1).trim(), 16);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The union of every thread's bounding set, or -1 if none can be read. */
    static long boundingSetOfEveryThread() {
        long union = -1;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    long set = capabilitySet(Files.readString(task.resolve("status")), "CapBnd");
                    if (set != -1) {
                        union = union == -1 ? set : union | set;
                    }
                } catch (IOException exited) {
                    // a thread that ended meanwhile holds nothing
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return union;
    }

    /** A set for a log line: its capabilities by name when a few, else how many; always its hex form. */
    static String describe(long set) {
        List<String> names = new ArrayList<>();
        for (int cap = 0; cap < 64; cap++) {
            if (has(set, cap)) {
                names.add(cap < NAMES.length ? "CAP_" + NAMES[cap] : "capability " + cap);
            }
        }
        String hex = String.format("%016x", set);
        return names.size() <= 4 ? String.join(", ", names) + " (" + hex + ")" : names.size() + " capabilities (" + hex + ")";
    }

    /** Throws with one line naming what is missing: capabilities, or a kernel with BTF. */
    static void check() throws CaptureException {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            status = "";
        }
        check(status, KERNEL_BTF);
    }

    /** As {@link #check()}, for a given /proc/self/status text and BTF path. */
    static void check(String procStatus, Path kernelBtf) throws CaptureException {
        long effective = effectiveCapabilities(procStatus);
        if (effective != -1) {
            List<String> missing = missingCapabilities(effective);
            if (!missing.isEmpty()) {
                throw new CaptureException("missing " + String.join(" and ", missing) + ": " + NEEDED);
            }
        }
        if (!Files.exists(kernelBtf)) {
            throw new CaptureException("the kernel has no BTF (" + kernelBtf
                    + " is missing): exec-exporter needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
    }

    /**
     * Drops every capability of every thread of this process (effective, permitted, inheritable,
     * ambient; the bounding set too where CAP_SETPCAP allows). Call once the probe is attached and
     * its rings are mapped: nothing after that needs privileges. Returns the number of threads
     * that still hold a capability (0: all dropped).
     */
    public static int dropCapabilities() throws CaptureException {
        int result = ExecProbeNative.dropCapabilities0();
        if (result < 0) {
            throw new CaptureException("failed to drop capabilities: " + ExecProbeNative.strerror0(result));
        }
        return result;
    }

    /**
     * What is left of the bounding set after {@link #dropCapabilities}, for the log: empty, or what
     * it keeps, by name. Only CAP_SETPCAP lets a thread empty it (root has it; a service user with
     * ambient capabilities does not), and it grants nothing: it only caps what a program this
     * process executed could gain, and the exporter executes none.
     */
    public static String boundingSetLeft() {
        long set = boundingSetOfEveryThread();
        if (set == 0) {
            return "the bounding set is empty too";
        }
        return "the bounding set keeps " + (set == -1 ? "what it had (/proc/self/task is unreadable)"
                : describe(set)) + " (emptying it needs CAP_SETPCAP; it only limits what an exec'd "
                + "program could gain, and none is exec'd)";
    }

    private static boolean has(long set, int capability) {
        return (set & (1L << capability)) != 0;
    }
}
