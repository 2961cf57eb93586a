package org.execexporter.base;

import sun.misc.Signal;

/**
 * SIGHUP, which `systemctl reload` and `kill -HUP` send, asks for a reload: without a handler the
 * JVM would exit 129 on it and every counter would start again from 0 after the restart.
 * A Java-level handler only, like SIGTERM's.
 */
public final class Hangup {
    private Hangup() {}

    /** Runs {@code action} on each SIGHUP (on a thread of its own); a later call replaces the action. */
    public static void onSignal(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
