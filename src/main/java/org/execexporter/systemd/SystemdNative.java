package org.execexporter.systemd;

import org.execexporter.capture.NativeLibrary;

/**
 * The JNI surface of jni/systemd_jni.c (bound in the library's JNI_OnLoad). Returns values or
 * -errno, never throws. Java cannot send a datagram to a Unix socket (its Unix domain sockets are
 * streams only), which sd_notify needs; nor can it take a listening socket from fd 3.
 */
final class SystemdNative {
    static {
        NativeLibrary.load();
    }

    private SystemdNative() {}

    /** Sends {@code message} to the AF_UNIX datagram socket {@code address} (a leading '@': abstract). */
    static native int notify0(byte[] address, byte[] message);

    /** Moves the listening socket at {@code fd} to fd 0, where System.inheritedChannel() finds it. */
    static native int adoptListenSocket0(int fd);

    static native String strerror0(int errno);
}
