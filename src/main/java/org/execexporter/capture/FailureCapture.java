package org.execexporter.capture;

/** How failed execve/execveat calls are seen, if at all (bpf/exec.bpf.c, "Failed execs"). */
public enum FailureCapture {
    OFF(ExecProbeNative.FAILURES_OFF, "off"),
    /** The classic tracepoints when they attach (tracefs mounted and readable), else tp_btf/sys_exit. */
    AUTO(ExecProbeNative.FAILURES_AUTO, "auto"),
    /** syscalls/sys_exit_execve and sys_exit_execveat: only those calls pay, but tracefs is needed. */
    TRACEPOINT(ExecProbeNative.FAILURES_TRACEPOINT, "tracepoint"),
    /** tp_btf/sys_exit, filtered: no tracefs, but every system call of the host pays a little. */
    SYS_EXIT(ExecProbeNative.FAILURES_SYS_EXIT, "sys_exit");

    final int nativeValue;
    private final String label;

    FailureCapture(int nativeValue, String label) {
        this.nativeValue = nativeValue;
        this.label = label;
    }

    /** As logs and the README name it: off, auto, tracepoint, sys_exit. */
    public String label() {
        return label;
    }

    static FailureCapture ofNative(int value) {
        for (FailureCapture f : values()) {
            if (f.nativeValue == value) {
                return f;
            }
        }
        throw new IllegalArgumentException("no failure capture " + value);
    }
}
