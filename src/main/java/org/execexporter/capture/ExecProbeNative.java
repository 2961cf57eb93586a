package org.execexporter.capture;

import java.nio.ByteBuffer;

/**
 * The JNI surface of jni/exec_probe_jni.c (bound in its JNI_OnLoad). Everything returns a value or
 * -errno; only {@link #open0} throws. Use {@link ExecProbe}, not this class.
 */
final class ExecProbeNative {
    // Mirrored by enum probe_attach in jni/probe.h (_Static_assert in jni/exec_probe_jni.c).
    static final int ATTACH_AUTO = 0;
    static final int ATTACH_TP_BTF = 1;
    static final int ATTACH_TRACEPOINT = 2;

    // Mirrored by enum exec_stat in bpf/exec_event.h (_Static_assert in jni/exec_probe_jni.c).
    static final int STAT_SEEN = 0;
    static final int STAT_OUTPUT_ERRORS = 1;
    static final int STAT_EXITS_SEEN = 2;
    static final int STAT_FAILS_SEEN = 3;

    // Mirrored by enum probe_failures in jni/probe.h (_Static_assert in jni/exec_probe_jni.c).
    static final int FAILURES_OFF = 0;
    static final int FAILURES_AUTO = 1;
    static final int FAILURES_TRACEPOINT = 2;
    static final int FAILURES_SYS_EXIT = 3;

    static {
        NativeLibrary.load();
    }

    private ExecProbeNative() {}

    static native long open0(int attach, boolean captureFilename, int ringPages, int wakeupEvents,
                            boolean exits, int failures, long cgroupRootId)
            throws BpfException;

    static native int ringCount0(long probe);

    static native int ringBytes0(long probe);

    static native int attachMode0(long probe);

    static native boolean exitsAttached0(long probe);

    /** FAILURES_TRACEPOINT or FAILURES_SYS_EXIT: how failed execs are seen; FAILURES_OFF if they are not. */
    static native int failuresAttached0(long probe);

    /** -errno of the failure programs' attach when none attached, else 0. */
    static native int failuresError0(long probe);

    static native int setBuffer0(long probe, int ring, ByteBuffer buffer);

    static native long poll0(long probe, int ring, int timeoutMillis);

    static native long lost0(long probe, int ring);

    static native long overflow0(long probe, int ring);

    static native long stat0(long probe, int stat);

    static native int progStats0(long probe, long[] out);

    static native int wake0(long probe);

    static native void close0(long probe);

    static native String drainLog0();

    static native long clockOffsetNanos0();

    static native String strerror0(int errno);

    static native int dropCapabilities0();
}
