package org.execexporter.capture;

import java.util.Locale;

/** How the BPF program attaches to sched_process_exec. */
public enum AttachMode {
    /** tp_btf where the kernel has it, else the classic tracepoint. */
    AUTO(ExecProbeNative.ATTACH_AUTO),
    /** BTF tracepoint: needs no tracefs. */
    TP_BTF(ExecProbeNative.ATTACH_TP_BTF),
    /** Classic tracepoint: needs tracefs mounted at /sys/kernel/tracing or debugfs. */
    TRACEPOINT(ExecProbeNative.ATTACH_TRACEPOINT);

    final int nativeValue;

    AttachMode(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static AttachMode ofNative(int value) {
        for (AttachMode mode : values()) {
            if (mode.nativeValue == value) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown attach mode " + value);
    }

    /** Parses a flag or config value; null if it names no mode. */
    public static AttachMode parse(String value) {
        for (AttachMode mode : values()) {
            if (mode.flagValue().equals(value)) {
                return mode;
            }
        }
        return null;
    }
}
