package org.execexporter.capture;

import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded and attached BPF program with its perf buffer: a handle to jni/probe.c. One thread
 * per ring may {@link #poll}; {@link #close()} only once no thread is inside a call.
 */
final class ExecProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecProbe.class);

    private long handle;
    private final int ringCount;
    private final int ringBytes;
    private final AttachMode attachMode;
    private final boolean exits;
    private final FailureCapture failures;
    private final int failuresError;

    private ExecProbe(long handle) {
        this.handle = handle;
        this.ringCount = ExecProbeNative.ringCount0(handle);
        this.ringBytes = ExecProbeNative.ringBytes0(handle);
        this.attachMode = AttachMode.ofNative(ExecProbeNative.attachMode0(handle));
        this.exits = ExecProbeNative.exitsAttached0(handle);
        this.failures = FailureCapture.ofNative(ExecProbeNative.failuresAttached0(handle));
        this.failuresError = ExecProbeNative.failuresError0(handle);
    }

    static ExecProbe open(ProbeOptions options) throws BpfException {
        // Here, not in ExecProbeNative's static initializer, a failure is an UnsatisfiedLinkError
        // that says why (the initializer's would come wrapped in an ExceptionInInitializerError).
        NativeLibrary.load();
        try {
            return new ExecProbe(ExecProbeNative.open0(options.attach().nativeValue, options.captureFilename(),
                    options.ringPages(), options.wakeupEvents(), options.exits(), options.failures().nativeValue,
                    options.cgroupRootId()));
        } finally {
            String libbpfLog = ExecProbeNative.drainLog0();
            if (!libbpfLog.isBlank()) {
                log.atDebug().setMessage("libbpf said").addKeyValue("libbpf", libbpfLog.strip()).log();
            }
        }
    }

    int ringCount() {
        return ringCount;
    }

    int ringBytes() {
        return ringBytes;
    }

    AttachMode attachMode() {
        return attachMode;
    }

    /** Whether the exit program runs (asked for, and the exec program attached by tp_btf). */
    boolean exits() {
        return exits;
    }

    /** How failed execs are seen: TRACEPOINT, SYS_EXIT, or OFF (not asked for, or nothing attached). */
    FailureCapture failures() {
        return failures;
    }

    /** Why no failure program attached (-errno), or 0. */
    int failuresError() {
        return failuresError;
    }

    /** Hands ring {@code ring} its batch buffer: direct, little-endian, at least ringBytes(). */
    void setBuffer(int ring, ByteBuffer buffer) throws BpfException {
        check(ExecProbeNative.setBuffer0(handle, ring, buffer), "set", "the batch buffer of ring " + ring);
    }

    /** Bytes of records written to the ring's buffer, or -errno. */
    long poll(int ring, int timeoutMillis) {
        return ExecProbeNative.poll0(handle, ring, timeoutMillis);
    }

    long lost(int ring) {
        return ExecProbeNative.lost0(handle, ring);
    }

    long overflow(int ring) {
        return ExecProbeNative.overflow0(handle, ring);
    }

    /** A program counter summed over CPUs (ExecProbeNative.STAT_*), or -1 if it cannot be read. */
    long stat(int stat) {
        long value = ExecProbeNative.stat0(handle, stat);
        return value < 0 ? -1 : value;
    }

    /** {run_cnt, run_time_ns, prog id} from the kernel, or null if they cannot be read. */
    long[] progStats() {
        long[] out = new long[3];
        return ExecProbeNative.progStats0(handle, out) == 0 ? out : null;
    }

    void wake() {
        int err = ExecProbeNative.wake0(handle);
        if (err < 0) {
            log.atWarn().setMessage("Failed to wake the ring pollers").addKeyValue("err", ExecProbeNative.strerror0(err))
                    .log();
        }
    }

    /** Detaches and unloads. Safe to call twice; never while a poller is inside {@link #poll}. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            ExecProbeNative.close0(handle);
            handle = 0;
        }
    }

    static String strerror(long errno) {
        return ExecProbeNative.strerror0((int) errno);
    }

    private static void check(int result, String verb, String object) throws BpfException {
        if (result < 0) {
            throw new BpfException(verb, object, -result, strerror(result));
        }
    }
}
