package org.execexporter.systemd;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;

/**
 * --web.systemd-socket: the listening socket systemd passes to a socket-activated service, as
 * sd_listen_fds(3) finds it: LISTEN_PID is this process, LISTEN_FDS is 1, the socket is fd 3.
 * It is moved to fd 0, where the JVM's System.inheritedChannel() takes it as a
 * ServerSocketChannel. One socket only: a .socket unit with one ListenStream=.
 */
public final class SocketActivation {
    static final int FIRST_FD = 3;

    private SocketActivation() {}

    /** The socket; throws with one line saying what is missing. */
    public static ServerSocketChannel listeningSocket() throws IOException {
        String pid = System.getenv("LISTEN_PID");
        String fds = System.getenv("LISTEN_FDS");
        if (pid == null || fds == null) {
            throw new IOException("systemd passed no socket (LISTEN_PID and LISTEN_FDS are not set): "
                    + "--web.systemd-socket needs a .socket unit that starts the service");
        }
        if (!pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            throw new IOException("the sockets systemd passed are for process " + pid + ", not this one ("
                    + ProcessHandle.current().pid() + ")");
        }
        if (!fds.equals("1")) {
            throw new IOException("systemd passed " + fds + " sockets; --web.systemd-socket serves on exactly one "
                    + "(one ListenStream= in the .socket unit)");
        }
        int result = SystemdNative.adoptListenSocket0(FIRST_FD);
        if (result < 0) {
            throw new IOException("cannot take the socket systemd passed: " + SystemdNative.strerror0(result));
        }
        Channel channel = System.inheritedChannel();
        if (!(channel instanceof ServerSocketChannel server)) {
            throw new IOException("the socket systemd passed is not a listening TCP socket (ListenStream= with "
                    + "an address or port)");
        }
        return server;
    }
}
