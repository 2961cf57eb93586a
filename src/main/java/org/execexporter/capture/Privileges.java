package org.execexporter.capture;

import java.io.IOException;
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

    /** CapEff of /proc/self/status, or -1 if it cannot be read. */
    static long effectiveCapabilities(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                try {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
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

    private static boolean has(long set, int capability) {
        return (set & (1L << capability)) != 0;
    }
}
