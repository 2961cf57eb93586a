package org.execexporter.capture;

import java.io.IOException;

/** A step of loading or running the BPF probe failed with an errno. */
public final class BpfException extends IOException {
    private static final int EPERM = 1;
    private static final int EACCES = 13;

    private final String step;
    private final String object;
    private final int errno;

    /** Called from jni/exec_probe_jni.c: keep the signature in step with throw_bpf_exception. */
    public BpfException(String step, String object, int errno, String reason) {
        super("failed to " + step + " " + object + ": " + reason);
        this.step = step;
        this.object = object;
        this.errno = errno;
    }

    public String step() {
        return step;
    }

    public String object() {
        return object;
    }

    public int errno() {
        return errno;
    }

    public boolean isPermissionDenied() {
        return errno == EPERM || errno == EACCES;
    }
}
