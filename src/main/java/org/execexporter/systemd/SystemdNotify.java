package org.execexporter.systemd;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) for a Type=notify service: READY=1 once the probe is attached and the port is
 * listening, RELOADING=1 and READY=1 around a reload, STOPPING=1 on shutdown, STATUS= lines for
 * systemctl status. A datagram to $NOTIFY_SOCKET, without libsystemd. Outside systemd (no
 * NOTIFY_SOCKET) every call does nothing, and the native library is not touched.
 */
public final class SystemdNotify {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

    private final byte[] address;
    private boolean warned;

    private SystemdNotify(String socket) {
        this.address = socket == null || socket.isEmpty() ? null : socket.getBytes(StandardCharsets.UTF_8);
    }

    /** From $NOTIFY_SOCKET: silent when it is not set. */
    public static SystemdNotify fromEnvironment() {
        return new SystemdNotify(System.getenv("NOTIFY_SOCKET"));
    }

    /** To a given socket path (tests), or nowhere for null. */
    static SystemdNotify to(String socket) {
        return new SystemdNotify(socket);
    }

    public boolean enabled() {
        return address != null;
    }

    public void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    /** A reload starts; {@link #ready} ends it. MONOTONIC_USEC as systemd 253+ wants it, harmless before. */
    public void reloading(String status) {
        long usec = TimeUnit.NANOSECONDS.toMicros(System.nanoTime()); // CLOCK_MONOTONIC on Linux
        send("RELOADING=1\nMONOTONIC_USEC=" + usec + "\nSTATUS=" + status);
    }

    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + status);
    }

    public void status(String status) {
        send("STATUS=" + status);
    }

    private synchronized void send(String message) {
        if (address == null) {
            return;
        }
        int result = SystemdNative.notify0(address, message.replace('\0', ' ').getBytes(StandardCharsets.UTF_8));
        if (result < 0 && !warned) { // once: systemd goes on without status updates
            warned = true;
            log.atWarn().setMessage("Failed to notify systemd").addKeyValue("socket", new String(address,
                    StandardCharsets.UTF_8)).addKeyValue("err", SystemdNative.strerror0(result)).log();
        }
    }
}
