package org.execexporter.base;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start an ordinary, prompt shutdown that ends with exit status 0 (the JVM's
 * default would exit 143/130 from inside a shutdown hook). Java-level handlers only: the native
 * library installs none.
 */
public final class Shutdown {
    private Shutdown() {}

    /** Runs {@code action} on every SIGTERM and SIGINT, on a signal thread: make it idempotent. */
    public static void onSignal(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }

    /** Runs {@code action} however the JVM exits (other signals, System.exit): a safety net. */
    public static void onExit(Runnable action) {
        Runtime.getRuntime().addShutdownHook(new Thread(action, "shutdown"));
    }
}
