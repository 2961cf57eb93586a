package org.execexporter.base;

/** Process exit codes, as documented in the README. */
public final class ExitCodes {
    public static final int OK = 0;
    /** A runtime failure: the probe cannot load, a port is busy, a file cannot be read. */
    public static final int FAILURE = 1;
    /** A usage error: a bad flag, config key or value. */
    public static final int USAGE = 2;

    private ExitCodes() {}
}
